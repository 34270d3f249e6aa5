// Resolving a send (R1d) over stored state, the customer's topic lists (R4) and composer (R6), and the
// atomic use of a token (R7b): load → domain → save, one transaction each.
import { DomainError } from '../domain/errors.ts';
import type { SenderKind, SubscriptionState } from '../domain/model.ts';
import { refuse } from '../domain/reasons.ts';
import {
  type ComposerState,
  type ContentKind,
  composerState,
  type Resolution,
  resolveSend,
} from '../domain/send-resolver.ts';
import { usePatch } from '../domain/subscriptions.ts';
import { type TopicLists, topicLists } from '../domain/topic-lists.ts';
import * as customers from '../storage/customers.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import * as invitations from '../storage/invitations.ts';
import * as pages from '../storage/pages.ts';
import type { CustomerRow, PageRow } from '../storage/schema.ts';
import * as subs from '../storage/subscriptions.ts';
import { topicListInputs } from '../storage/topic-lists.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';

export interface Conversation {
  page: PageRow;
  customer: CustomerRow;
}

export async function loadConversation(
  db: Executor,
  workspaceId: number,
  customerId: number,
): Promise<Conversation> {
  const customer = await customers.findCustomer(db, workspaceId, customerId);
  if (!customer) throw new DomainError('customer_not_found', `No customer ${customerId} in this workspace.`);
  const page = (await pages.findPage(db, workspaceId, customer.page_id))!;
  return { page, customer };
}

/** R4: the customer's Sent / Not sent lists. */
export async function customerTopicLists(
  ctx: AppContext,
  workspaceId: number,
  customerId: number,
): Promise<TopicLists> {
  // One query: the conversation panel asks for this on every open, under any load.
  const inputs = await topicListInputs(ctx.db, workspaceId, customerId);
  if (!inputs) throw new DomainError('customer_not_found', `No customer ${customerId} in this workspace.`);
  return topicLists(inputs.topics, inputs.invitations, inputs.subscriptions, ctx.clock.now());
}

/** R6: which composer the agent sees, and why. */
export async function conversationComposer(
  ctx: AppContext,
  workspaceId: number,
  customerId: number,
): Promise<ComposerState> {
  const { page, customer } = await loadConversation(ctx.db, workspaceId, customerId);
  const [t, s] = await Promise.all([
    topics.listTopics(ctx.db, page.id),
    subs.customerSubscriptions(ctx.db, customer.id),
  ]);
  return composerState({
    page: pages.toPageState(page),
    customer: customers.toCustomerState(customer),
    topics: t.map(topics.toTopicState),
    subscriptions: s.map(subs.toSubscriptionState),
    now: ctx.clock.now(),
  });
}

export interface SendRequest {
  workspaceId: number;
  customerId: number;
  sender: SenderKind;
  intent:
    | { kind: 'ordinary' }
    | { kind: 'invitation'; topicId: number }
    | { kind: 'notification'; topicId: number };
  content?: ContentKind;
}

async function resolveIn(db: Executor, req: SendRequest, now: Date, lock: boolean): Promise<Resolution> {
  const { page, customer } = await loadConversation(db, req.workspaceId, req.customerId);
  const base = {
    page: pages.toPageState(page),
    customer: customers.toCustomerState(customer),
    sender: req.sender,
    now,
    ...(req.content !== undefined && { content: req.content }),
  };
  if (req.intent.kind === 'ordinary') return resolveSend({ ...base, intent: { kind: 'ordinary' } });
  const topicRow = await topics.findTopic(db, req.workspaceId, req.intent.topicId);
  if (!topicRow || topicRow.page_id !== page.id) {
    throw new DomainError('topic_not_found', `No topic ${req.intent.topicId} on this page.`);
  }
  const topic = topics.toTopicState(topicRow);
  const tokens = (
    await subs.customerSubscriptions(db, customer.id, { topicId: topic.id, forUpdate: lock })
  ).map(subs.toSubscriptionState);
  if (req.intent.kind === 'invitation') {
    const invs = (await invitations.customerInvitations(db, customer.id)).map(invitations.toInvitationState);
    return resolveSend({
      ...base,
      intent: { kind: 'invitation', topic },
      invitations: invs,
      subscriptions: tokens,
    });
  }
  return resolveSend({ ...base, intent: { kind: 'notification', topic }, subscriptions: tokens });
}

/** R1d: how the message would go now, or why not — read only; shown before anything is sent. */
export async function resolveSendFor(ctx: AppContext, req: SendRequest): Promise<Resolution> {
  return resolveIn(ctx.db, req, ctx.clock.now(), false);
}

export interface NotificationClaim {
  resolution: Resolution;
  /** The token's state before the claim, to give it back if the send provably did not happen. */
  previous: Pick<SubscriptionState, 'usedAt' | 'lastSentAt' | 'nextEligibleAt'> | null;
}

/**
 * R7b: resolves a notification and claims its token in one transaction. The claim is a conditional
 * update, so of two racing senders exactly one gets the plan; the other gets `token_used`/`cooldown`.
 */
export async function claimNotification(
  ctx: AppContext,
  req: SendRequest & { intent: { kind: 'notification'; topicId: number } },
): Promise<NotificationClaim> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    const resolution = await resolveIn(tx, req, now, false);
    if (!resolution.ok) return { resolution, previous: null };
    const subId = resolution.plan.subscriptionId!;
    const row = (await subs.customerSubscriptions(tx, req.customerId, { topicId: req.intent.topicId })).find(
      (s) => s.id === subId,
    )!;
    const sub = subs.toSubscriptionState(row);
    const { page } = await loadConversation(tx, req.workspaceId, req.customerId);
    const won = await subs.claimToken(tx, sub, usePatch(sub, pages.toPageState(page), now), now);
    if (!won) {
      return { resolution: refuse(sub.kind === 'one_time' ? 'token_used' : 'cooldown'), previous: null };
    }
    return {
      resolution,
      previous: { usedAt: sub.usedAt, lastSentAt: sub.lastSentAt, nextEligibleAt: sub.nextEligibleAt },
    };
  });
}

/** After the send: record the use in the consent history (R3c), or give the token back if it did not go. */
export async function settleNotification(
  ctx: AppContext,
  claim: NotificationClaim,
  req: SendRequest & { intent: { kind: 'notification'; topicId: number } },
  outcome: { sent: true; messageId: string | null } | { sent: false },
): Promise<void> {
  if (!claim.resolution.ok || !claim.previous) return;
  const subId = claim.resolution.plan.subscriptionId!;
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    if (!outcome.sent) return subs.releaseToken(tx, subId, claim.previous!, now);
    const { page, customer } = await loadConversation(tx, req.workspaceId, req.customerId);
    await subs.appendConsent(tx, {
      workspaceId: req.workspaceId,
      pageId: page.id,
      topicId: req.intent.topicId,
      customerId: customer.id,
      subscriptionId: subId,
      event: 'used',
      at: now,
      senderKind: req.sender,
      detail: { messageId: outcome.messageId },
    });
  });
}
