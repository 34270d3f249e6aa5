// R12h: the route a message would take, over stored state, shown before anything is sent — the inbox
// composer, the route-preview API, the send response and the campaign dry run all read it here.
import { DomainError } from '../domain/errors.ts';
import {
  type MarketingSetup,
  type MarketingTokenState,
  type Money,
  marketingSetup,
  syncedToken,
} from '../domain/marketing-messages.ts';
import type { PageState } from '../domain/model.ts';
import { refuse } from '../domain/reasons.ts';
import type { ContentKind } from '../domain/send-resolver.ts';
import {
  type MessageKind,
  type Route,
  type RouteIntent,
  type RouteRefusal,
  type RouteResolution,
  type RouteSender,
  resolveRoute,
} from '../domain/send-routes.ts';
import type { TemplateState } from '../domain/utility-templates.ts';
import * as adAccounts from '../storage/ad-accounts.ts';
import * as customers from '../storage/customers.ts';
import type { Executor } from '../storage/db.ts';
import * as invitations from '../storage/invitations.ts';
import * as marketingSends from '../storage/marketing-sends.ts';
import * as metaSubscribers from '../storage/meta-subscribers.ts';
import * as pages from '../storage/pages.ts';
import type { CustomerRow, PageRow } from '../storage/schema.ts';
import * as subs from '../storage/subscriptions.ts';
import * as templates from '../storage/templates.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';
import { knownUnitPrice } from './marketing-estimates.ts';
import { loadConversation } from './sends.ts';

/** The routes this version sends: every R12 route (utility: app/utility-sends.ts, paid: app/marketing-messages.ts). */
export const SENDABLE_ROUTES: ReadonlySet<Route> = new Set<Route>([
  'response',
  'human_agent',
  'utility',
  'recurring_token',
  'marketing_message',
  'otn_token',
]);

export interface RouteRequest {
  workspaceId: number;
  customerId: number;
  sender: RouteSender;
  kind: MessageKind;
  /** `invitation` and `notification`: the topic. */
  topicId?: number;
  content?: ContentKind;
  /** `utility_event`: the template chosen or mapped; absent = the page's first APPROVED one, if any. */
  template?: TemplateState | null;
  /** `utility_event`: a stored template of the page, by id (the composer's pick). */
  templateId?: number;
  marketing?: boolean;
}

/**
 * The stored facts the 2026 routes read besides the conversation: the workspace's ad account and gap
 * (R14a/c), the customer's marketing token from Meta's synchronised list and the last paid send to it
 * (R14b/c, R12g), the page's APPROVED templates (R13b) and the known price of one paid message (R14d).
 * OTN closure (R12f) is the page's, stored at Meta's first "unavailable" answer (app/messaging.ts).
 */
export interface RouteFacts {
  marketing: MarketingSetup;
  marketingToken: MarketingTokenState | null;
  otnClosed: boolean;
  /** R14c/R12g: the last paid message to this customer, whichever token it went on. */
  lastPaidSendAt: Date | null;
  estimate: Money | null;
  approvedTemplates: TemplateState[];
}

export async function routeFacts(db: Executor, page: PageRow, customer: CustomerRow): Promise<RouteFacts> {
  const [account, synced, lastPaid, approved] = await Promise.all([
    adAccounts.findAdAccount(db, page.workspace_id),
    metaSubscribers.tokenOfPsid(db, page.id, customer.psid),
    marketingSends.lastPaidSendAt(db, customer.id),
    templates.listTemplates(db, page.workspace_id, page.id, { status: 'APPROVED' }),
  ]);
  return {
    marketing: marketingSetup(account ? adAccounts.adAccountState(account) : null),
    marketingToken: syncedToken(synced, lastPaid),
    // Meta's token is one per customer and page (R12g): a paid send under the opt-in token counts too.
    lastPaidSendAt: lastPaid,
    otnClosed: page.otn_closed_at !== null,
    estimate: account ? await knownUnitPrice(db, page.id, account.currency) : null,
    approvedTemplates: approved.map(templates.toTemplateState),
  };
}

/**
 * The template a utility event fills: the one given, else the stored one named by id (on this page),
 * else — for a preview before the agent picks — the page's first APPROVED template, if it has one.
 */
async function utilityTemplate(
  db: Executor,
  req: RouteRequest,
  page: PageRow,
  approved: readonly TemplateState[],
): Promise<TemplateState | null> {
  if (req.template !== undefined) return req.template;
  if (req.templateId === undefined) return approved[0] ?? null;
  const row = await templates.findTemplate(db, req.workspaceId, req.templateId);
  if (!row || row.page_id !== page.id) {
    throw new DomainError('template_not_found', `No template ${req.templateId} on this page.`);
  }
  return templates.toTemplateState(row);
}

async function intentOf(
  db: Executor,
  req: RouteRequest,
  page: PageRow,
  facts: RouteFacts,
): Promise<RouteIntent> {
  if (req.kind === 'free_text') return { kind: 'free_text' };
  if (req.kind === 'utility_event') {
    const template = await utilityTemplate(db, req, page, facts.approvedTemplates);
    return { kind: 'utility_event', template, marketing: req.marketing === true };
  }
  if (req.topicId === undefined) {
    throw new DomainError('validation_failed', `A ${req.kind} needs a topicId.`, { field: 'topicId' });
  }
  const row = await topics.findTopic(db, req.workspaceId, req.topicId);
  if (!row || row.page_id !== page.id) {
    throw new DomainError('topic_not_found', `No topic ${req.topicId} on this page.`);
  }
  return { kind: req.kind, topic: topics.toTopicState(row) };
}

/** R12h: the route (or the refusal with its reason and next time) a message would take now. Read only. */
export async function previewRoute(ctx: AppContext, req: RouteRequest): Promise<RouteResolution> {
  return routeIn(ctx.db, req, ctx.clock.now());
}

export async function routeIn(db: Executor, req: RouteRequest, now: Date): Promise<RouteResolution> {
  const { page, customer } = await loadConversation(db, req.workspaceId, req.customerId);
  const facts = await routeFacts(db, page, customer);
  const intent = await intentOf(db, req, page, facts);
  const [pageSubs, invs] = await Promise.all([
    subs.customerSubscriptions(db, customer.id),
    req.kind === 'invitation' ? invitations.customerInvitations(db, customer.id) : Promise.resolve([]),
  ]);
  const all = pageSubs.map(subs.toSubscriptionState);
  const topicId = 'topic' in intent ? intent.topic.id : null;
  return resolveRoute({
    page: pages.toPageState(page),
    customer: customers.toCustomerState(customer),
    sender: req.sender,
    intent,
    now,
    ...(req.content !== undefined && { content: req.content }),
    invitations: invs.map(invitations.toInvitationState),
    subscriptions: all.filter((s) => s.topicId === topicId),
    pageSubscriptions: all,
    otnClosed: facts.otnClosed,
    marketing: facts.marketing,
    marketingToken: facts.marketingToken,
    lastPaidSendAt: facts.lastPaidSendAt,
    estimate: facts.estimate,
  });
}

/** A route this version cannot send: refused clearly, with the route named (never a silent fallback). */
export function unavailableRoute(r: RouteResolution): RouteRefusal | null {
  if (!r.ok || SENDABLE_ROUTES.has(r.route)) return null;
  return { ...refuse('route_not_available'), route: r.route };
}

/** Is this page on the 2026 routes (R12)? Legacy pages keep the legacy send path exactly. */
export function usesRoutes(page: Pick<PageState, 'profile'>): boolean {
  return page.profile === '2026';
}
