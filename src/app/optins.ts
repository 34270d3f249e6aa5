// Invitations, opt-ins, stop / resume and expiry (R2, R3, R7, R8): each atomic (in one transaction, or
// an opt-in's single checked write), every change of a subscription written to the consent history (R3c).
import { randomBytes } from 'node:crypto';
import { countsAsInteraction } from '../domain/interactions.ts';
import type { SenderKind } from '../domain/model.ts';
import type { Frequency } from '../domain/platform.ts';
import {
  type AcceptanceDecision,
  decideAcceptance,
  decideResume,
  decideStop,
  isHeld,
} from '../domain/subscriptions.ts';
import * as customers from '../storage/customers.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import * as invitations from '../storage/invitations.ts';
import {
  type OptInCustomer,
  type OptInReads,
  type OptInWrite,
  type OptInWritten,
  readForOptIn,
  readForOptIns,
  writeOptIn,
  writeOptInCustomer,
  writeOptIns,
} from '../storage/optin-statements.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow } from '../storage/schema.ts';
import * as subs from '../storage/subscriptions.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';

/** The opt-in template's payload: names the topic and is unique per invitation, so the webhook finds both. */
export function newInvitationPayload(topicId: number): string {
  return `rn:t${topicId}:${randomBytes(9).toString('base64url')}`;
}

export function topicIdFromPayload(payload: string | null | undefined): number | null {
  const m = /^rn:t(\d+):/.exec(payload ?? '');
  return m ? Number(m[1]) : null;
}

export interface RecordInvitation {
  workspaceId: number;
  pageId: number;
  customerId: number;
  topicId: number;
  senderKind: SenderKind;
  senderRef?: string | null;
  payload: string;
  messageId?: string | null;
  /** `refused`: Meta answered 613/1893016 (duplicate opt-in); it still counts for R4b. */
  status?: 'sent' | 'refused';
}

/** Records an invitation that went out (or that Meta refused as a duplicate). */
export async function recordInvitation(ctx: AppContext, i: RecordInvitation) {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    const topic = await topics.findTopic(tx, i.workspaceId, i.topicId);
    if (!topic) throw new Error(`topic ${i.topicId} vanished while its invitation was sent`);
    return invitations.insertInvitation(tx, {
      workspaceId: i.workspaceId,
      pageId: i.pageId,
      topicId: i.topicId,
      customerId: i.customerId,
      senderKind: i.senderKind,
      senderRef: i.senderRef ?? null,
      title: topic.title,
      payload: i.payload,
      status: i.status ?? 'sent',
      messageId: i.messageId ?? null,
      sentAt: now,
    });
  });
}

export interface OptInEvent {
  fbPageId: string;
  /** The page of `fbPageId` when the caller already loaded it (webhook processing); else looked up. */
  page?: PageRow;
  psid: string;
  kind: 'one_time' | 'recurring';
  token: string;
  payload: string | null;
  title?: string | null;
  at: Date;
  metaExpiry?: Date | null;
  frequency?: Frequency | null;
}

export type OptInOutcome =
  | {
      outcome: 'accepted' | 'accepted_again' | 'accepted_stale';
      topicId: number;
      customerId: number;
      subscriptionId: number | null;
      alreadyHeld: boolean;
    }
  | { outcome: 'unknown_page' | 'unknown_topic' };

/** Optimistic tries (two autocommit round trips each) before the locking way. */
const OPTIMISTIC_TRIES = 3;
/**
 * Locking tries: the first read may wait for the customer row and then see the tokens as they were before
 * that wait (its snapshot is older); the write sees that and writes nothing, and the second read, with the
 * customer row now ours, sees them as they are.
 */
const LOCKING_TRIES = 3;

/**
 * R3a/b, R7d: applies one opt-in webhook. An opt-in counts as an interaction (rules.md, Words).
 * Inside a transaction (webhook processing): a locking read and the write. Otherwise: the read and a
 * write that applies only if nothing it depends on changed meanwhile — else read again (optimistic;
 * two round trips instead of BEGIN, read, write, COMMIT) and, after a few lost races, the locking way.
 */
export async function applyOptIn(ctx: AppContext, e: OptInEvent): Promise<OptInOutcome> {
  if (!ctx.db.isTransaction) {
    for (let i = 0; i < OPTIMISTIC_TRIES; i++) {
      const outcome = await tryOptIn(ctx.db, ctx.clock.now(), e, false);
      if (outcome) return outcome;
    }
  }
  return inTransaction(ctx.db, async (tx) => {
    for (let i = 0; i < LOCKING_TRIES; i++) {
      const outcome = await tryOptIn(tx, ctx.clock.now(), e, true);
      if (outcome) return outcome;
    }
    throw new Error('opt-in: the tokens changed under the locking read');
  });
}

/** What an opt-in writes, decided by the domain from what was read. */
type OptInPlan =
  | { kind: 'unknown_topic'; customer: OptInCustomer }
  | { kind: 'write'; write: OptInWrite; outcome: AcceptanceDecision['history']; alreadyHeld: boolean };

function planOptIn(r: OptInReads, e: OptInEvent, now: Date): OptInPlan {
  const { topic, invitation, existing } = r;
  const customer = {
    workspaceId: r.page.workspaceId,
    pageId: r.page.id,
    psid: e.psid,
    interactionAt: countsAsInteraction('optin') ? e.at : null,
  };
  // Still the customer's own action on the page (rules.md, Words): recorded, nothing else.
  if (!topic || topic.kind !== e.kind) return { kind: 'unknown_topic', customer };
  const decision = decideAcceptance({
    page: { profile: r.page.profile },
    topic,
    invitation: invitation ? { id: invitation.id, acceptedAt: invitation.acceptedAt } : null,
    existing,
    event: { token: e.token, at: e.at, metaExpiry: e.metaExpiry ?? null, frequency: e.frequency ?? null },
  });
  return {
    kind: 'write',
    outcome: decision.history,
    alreadyHeld: existing.some((s) => isHeld(s, e.at)),
    write: {
      customer,
      topicId: topic.id,
      action: writeAction(decision),
      event: decision.history,
      at: e.at,
      invitation,
      detail: { kind: e.kind, payload: e.payload },
      now,
      versions: r.versions,
    },
  };
}

const outcomeOf = (
  plan: Extract<OptInPlan, { kind: 'write' }>,
  written: OptInWritten,
): OptInOutcome | null =>
  written.applied
    ? {
        outcome: plan.outcome,
        topicId: plan.write.topicId,
        customerId: written.customerId,
        subscriptionId: written.subscriptionId,
        alreadyHeld: plan.alreadyHeld,
      }
    : null;

const readInput = (e: OptInEvent) => ({
  psid: e.psid,
  payload: e.payload,
  payloadTopicId: topicIdFromPayload(e.payload),
  title: e.title || null,
  kind: e.kind,
});

/** One read, the domain's decision, one write; null: the write found the state changed and wrote nothing. */
async function tryOptIn(db: Executor, now: Date, e: OptInEvent, lock: boolean): Promise<OptInOutcome | null> {
  // One statement reads what the decision needs, one writes it (optin-statements.ts).
  const r = await readForOptIn(db, { fbPageId: e.page?.fb_page_id ?? e.fbPageId, ...readInput(e) }, lock);
  if (!r) return { outcome: 'unknown_page' };
  const plan = planOptIn(r, e, now);
  if (plan.kind === 'unknown_topic') {
    await writeOptInCustomer(db, plan.customer, now);
    return { outcome: 'unknown_topic' };
  }
  return outcomeOf(plan, await writeOptIn(db, plan.write));
}

/**
 * Many customers' opt-ins — each customer at most once, each event with its page — in one read and one
 * checked write (the worker's batch, webhook-optins.ts): the same rules and the same checks as applyOptIn.
 * Returns each event's outcome in order, or null for one the batch did not apply (its topic is unknown,
 * or what it was decided from changed meanwhile and nothing of it was written): the caller applies those
 * one at a time with applyOptIn, which reads again.
 */
export async function applyOptInsTogether(
  ctx: AppContext,
  events: ReadonlyArray<OptInEvent & { page: PageRow }>,
): Promise<Array<OptInOutcome | null>> {
  const now = ctx.clock.now();
  const reads = await readForOptIns(
    ctx.db,
    events.map((e) => ({
      page: { id: e.page.id, workspaceId: e.page.workspace_id, profile: e.page.profile },
      ...readInput(e),
    })),
  );
  const plans = reads.map((r, k) => planOptIn(r, events[k]!, now));
  // What one row writes must not depend on another row of the same statement: of the rows answering one
  // invitation (R3a: the second sees the first's acceptance) or writing one token of a page (unique), the
  // first is written here and the others one at a time after it.
  const claimed = new Set<string>();
  const writing = plans.flatMap((p, k) => {
    if (p.kind !== 'write') return [];
    const { invitation, action, customer } = p.write;
    const token = action.kind === 'ignore' ? null : action.row.token;
    const mine = [
      ...(invitation ? [`i:${invitation.id}`] : []),
      ...(token === null ? [] : [`t:${customer.pageId}:${token}`]),
    ];
    const alone = mine.some((key) => claimed.has(key));
    for (const key of mine) claimed.add(key);
    return alone ? [] : [{ plan: p, k }];
  });
  const written = await writeOptIns(
    ctx.db,
    writing.map((w) => w.plan.write),
    now,
  );
  const out: Array<OptInOutcome | null> = events.map(() => null);
  writing.forEach((w, j) => {
    out[w.k] = outcomeOf(w.plan, written[j]!);
  });
  return out;
}

export type StopOutcome = 'stopped' | 'resumed' | 'unchanged' | 'unknown_token';

/** R8c: the customer's Stop / Resume on a recurring token. */
export async function applyStopResume(
  ctx: AppContext,
  e: { fbPageId: string; page?: PageRow; psid: string; token: string; action: 'stop' | 'resume'; at: Date },
): Promise<StopOutcome> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    const page = e.page ?? (await pages.findPageByFbId(tx, e.fbPageId));
    if (!page) return 'unknown_token';
    const row = await subs.findSubscriptionByToken(tx, page.id, e.token);
    if (!row) return 'unknown_token';
    // Stop / Resume is not the customer's own action on the page: it must not reopen a window.
    if (countsAsInteraction(e.action === 'stop' ? 'stop_notifications' : 'resume_notifications'))
      await customers.touchInteraction(tx, row.customer_id, e.at);
    const sub = subs.toSubscriptionState(row);
    const change =
      e.action === 'stop' ? decideStop(sub, e.at, row.status_at) : decideResume(sub, e.at, row.status_at);
    if (!change) return 'unchanged';
    await subs.setStopped(tx, row.id, change.stoppedAt, e.at, now);
    await subs.appendConsent(tx, {
      workspaceId: row.workspace_id,
      pageId: row.page_id,
      topicId: row.topic_id,
      customerId: row.customer_id,
      subscriptionId: row.id,
      event: e.action === 'stop' ? 'stopped' : 'resumed',
      at: e.at,
    });
    return e.action === 'stop' ? 'stopped' : 'resumed';
  });
}

/** Expiry happens by time alone; this sweep writes each one to the history once (R3c). */
export async function recordExpiries(ctx: AppContext, limit = 1000): Promise<number> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    const expired = await subs.claimUnrecordedExpiries(tx, now, limit);
    for (const row of expired) {
      await subs.appendConsent(tx, {
        workspaceId: row.workspace_id,
        pageId: row.page_id,
        topicId: row.topic_id,
        customerId: row.customer_id,
        subscriptionId: row.id,
        event: 'expired',
        at: row.expires_at,
      });
    }
    return expired.length;
  });
}

/** The domain's decision as the write it asks of storage. */
export function writeAction(decision: AcceptanceDecision): OptInWrite['action'] {
  return decision.action === 'insert'
    ? { kind: 'insert', row: decision.row }
    : decision.action === 'update'
      ? { kind: 'update', subscriptionId: decision.subscriptionId, row: decision.row }
      : { kind: 'ignore', subscriptionId: decision.subscriptionId };
}
