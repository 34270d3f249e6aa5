// R12h: the route a message would take, over stored state, shown before anything is sent — the inbox
// composer, the route-preview API, the send response and the campaign dry run all read it here.
import { DomainError } from '../domain/errors.ts';
import type { PageState } from '../domain/model.ts';
import { refuse } from '../domain/reasons.ts';
import type { MarketingSetup, MarketingTokenState, Money } from '../domain/route-marketing.ts';
import type { TemplateState } from '../domain/route-templates.ts';
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
import * as customers from '../storage/customers.ts';
import type { Executor } from '../storage/db.ts';
import * as invitations from '../storage/invitations.ts';
import * as pages from '../storage/pages.ts';
import type { CustomerRow, PageRow } from '../storage/schema.ts';
import * as subs from '../storage/subscriptions.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';
import { loadConversation } from './sends.ts';

/**
 * The routes this version can send. `utility` (h7: templates and order events) and
 * `marketing_message` (h8: ad account, message campaigns) join when their sending code lands; until
 * then a message routed there is refused with `route_not_available`, never sent another way.
 */
export const SENDABLE_ROUTES: ReadonlySet<Route> = new Set<Route>([
  'response',
  'human_agent',
  'recurring_token',
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
  /** `utility_event`: the template chosen or mapped (h7 stores templates; none stored yet = null). */
  template?: TemplateState | null;
  marketing?: boolean;
}

/**
 * The page-level facts the 2026 routes read besides the conversation. Each has no storage yet: the
 * ad account and the customer's marketing token are h8's tables, OTN closure (R12f) needs Meta's
 * unpublished "unavailable" answer. A page therefore reads as "no ad account, no synchronised token,
 * OTN open" — which is the truth of what is connected today — until those land and fill this.
 */
export interface RouteFacts {
  marketing: MarketingSetup;
  marketingToken: MarketingTokenState | null;
  otnClosed: boolean;
  estimate: Money | null;
}

export async function routeFacts(_db: Executor, _page: PageRow, _customer: CustomerRow): Promise<RouteFacts> {
  return {
    marketing: { adAccountConnected: false, minConversationGapSeconds: null },
    marketingToken: null,
    otnClosed: false,
    estimate: null,
  };
}

async function intentOf(db: Executor, req: RouteRequest, page: PageRow): Promise<RouteIntent> {
  if (req.kind === 'free_text') return { kind: 'free_text' };
  if (req.kind === 'utility_event') {
    return { kind: 'utility_event', template: req.template ?? null, marketing: req.marketing === true };
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
  const intent = await intentOf(db, req, page);
  const [pageSubs, invs, facts] = await Promise.all([
    subs.customerSubscriptions(db, customer.id),
    req.kind === 'invitation' ? invitations.customerInvitations(db, customer.id) : Promise.resolve([]),
    routeFacts(db, page, customer),
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
    estimate: facts.estimate,
  });
}

/** A route this version cannot send yet: refused clearly, with the route named (never a silent fallback). */
export function unavailableRoute(r: RouteResolution): RouteRefusal | null {
  if (!r.ok || SENDABLE_ROUTES.has(r.route)) return null;
  return { ...refuse('route_not_available'), route: r.route };
}

/** Is this page on the 2026 routes (R12)? Legacy pages keep the legacy send path exactly. */
export function usesRoutes(page: Pick<PageState, 'profile'>): boolean {
  return page.profile === '2026';
}
