// The SQL of what Meta's answers change (domain/send-outcomes.ts), set-based so that one statement
// serves a single send and a campaign batch alike: stopped or dead subscriptions (with their consent
// rows), unreachable customers, the opt-in backoff, a page that must stop, and token give-backs
// (subscriptions.releaseTokens). applyOutcomes is the one applier both paths call.
import { sql } from 'kysely';
import type { SendOutcome } from '../domain/send-outcomes.ts';
import type { Executor } from './db.ts';
import { closeOtn } from './pages.ts';
import { releaseTokens, type TokenUse } from './subscriptions.ts';

export interface StoppedByMeta {
  workspaceId: number;
  pageId: number;
  topicId: number;
  customerId: number;
  subscriptionId: number;
  /** The consent row's detail (source, campaign). */
  detail: Record<string, unknown>;
}

/** 1893015: the subscriptions are stopped now, and each gets a `stopped` consent row (R3c, R8c). */
export async function stopSubscriptions(
  db: Executor,
  rows: readonly StoppedByMeta[],
  at: Date,
): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (r: StoppedByMeta) => T) => rows.map(f);
  await db
    .updateTable('subscriptions')
    .set({ stopped_at: at, status_at: at, updated_at: at, meta_stop_tried_at: null })
    .where(
      'id',
      'in',
      col((r) => r.subscriptionId),
    )
    .execute();
  await sql`
    INSERT INTO consent_history (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at, detail)
    SELECT w, p, t, c, s, 'stopped', ${at}, d::jsonb
    FROM unnest(${col((r) => r.workspaceId)}::int[], ${col((r) => r.pageId)}::int[], ${col((r) => r.topicId)}::int[],
      ${col((r) => r.customerId)}::int[], ${col((r) => r.subscriptionId)}::int[], ${col((r) => JSON.stringify(r.detail))}::text[])
      WITH ORDINALITY AS v(w, p, t, c, s, d, n)
    ORDER BY n`.execute(db);
}

/** A dead token (100): it expires now. */
export async function expireSubscriptions(db: Executor, ids: readonly number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('subscriptions')
    .set({ expires_at: now, updated_at: now })
    .where('id', 'in', [...ids])
    .execute();
}

/** 551 and friends: the customers cannot be reached; `reason` is what the workspace is shown. */
export async function markUnreachable(
  db: Executor,
  customers: ReadonlyArray<{ customerId: number; reason: string }>,
): Promise<void> {
  if (customers.length === 0) return;
  await sql`
    UPDATE customers c SET unreachable_reason = v.reason
    FROM unnest(${customers.map((c) => c.customerId)}::int[], ${customers.map((c) => c.reason)}::text[])
      AS v(id, reason)
    WHERE c.id = v.id`.execute(db);
}

/** 2018352: no invitation to the customer before `until`. */
export async function setOptInBackoff(db: Executor, customerId: number, until: Date): Promise<void> {
  await db
    .updateTable('customers')
    .set({ optin_backoff_until: until })
    .where('id', '=', customerId)
    .execute();
}

/** R11b: the page stops sending; `reason` is what the workspace is told. */
export async function stopPage(
  db: Executor,
  workspaceId: number,
  pageId: number,
  reason: string,
): Promise<void> {
  // A 190 means the token is dead: the page needs the Login flow again (issue 12), with Meta's reason.
  const reconnect = reason.startsWith('page_token_invalid');
  await db
    .updateTable('pages')
    .set({
      restricted_reason: reason,
      ...(reconnect && { connection_status: 'needs_reconnect' as const, connection_reason: reason }),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', pageId)
    .execute();
}

/** One recipient's answer. */
export interface OutcomeTarget {
  outcome: SendOutcome;
  customerId: number;
  /** The token the send used: its topic, and its state before our claim (null: nothing to give back). */
  token?: { subscriptionId: number; topicId: number; previous: TokenUse | null };
}

export interface OutcomeScope {
  workspaceId: number;
  pageId: number;
  /** What the workspace is told about an unreachable customer. */
  unreachableReason: string;
  /** The detail of a `stopped` consent row (where Meta said so). */
  stoppedDetail: Record<string, unknown>;
  /** R11b: set when the page must stop sending, with what the workspace is told. */
  stopPage: string | null;
  /** R12f: set when Meta said OTN is unavailable for the page, with Meta's words (absent: nothing to close). */
  closeOtn?: string | null;
}

/** True when applyOutcomes would write anything (a plain successful send changes nothing around it). */
export function hasEffects(scope: OutcomeScope, targets: readonly OutcomeTarget[]): boolean {
  return (
    scope.stopPage !== null ||
    (scope.closeOtn ?? null) !== null ||
    targets.some(
      (t) =>
        (t.token && (t.outcome.token === 'release' || t.outcome.subscription !== null)) ||
        t.outcome.customerUnreachable ||
        t.outcome.optInBackoffMs !== null,
    )
  );
}

/** Persists the effects of many answers in the caller's transaction, one statement per kind of effect. */
export async function applyOutcomes(
  tx: Executor,
  scope: OutcomeScope,
  targets: readonly OutcomeTarget[],
  at: Date,
): Promise<void> {
  const withToken = targets.filter((t) => t.token);
  await releaseTokens(
    tx,
    withToken
      .filter((t) => t.outcome.token === 'release' && t.token!.previous)
      .map((t) => t.token!.previous!),
    at,
  );
  await stopSubscriptions(
    tx,
    withToken
      .filter((t) => t.outcome.subscription === 'stopped')
      .map((t) => ({
        workspaceId: scope.workspaceId,
        pageId: scope.pageId,
        topicId: t.token!.topicId,
        customerId: t.customerId,
        subscriptionId: t.token!.subscriptionId,
        detail: scope.stoppedDetail,
      })),
    at,
  );
  await expireSubscriptions(
    tx,
    withToken.filter((t) => t.outcome.subscription === 'expired').map((t) => t.token!.subscriptionId),
    at,
  );
  await markUnreachable(
    tx,
    targets
      .filter((t) => t.outcome.customerUnreachable)
      .map((t) => ({ customerId: t.customerId, reason: scope.unreachableReason })),
  );
  for (const t of targets) {
    if (t.outcome.optInBackoffMs !== null) {
      await setOptInBackoff(tx, t.customerId, new Date(at.getTime() + t.outcome.optInBackoffMs));
    }
  }
  if (scope.stopPage !== null) await stopPage(tx, scope.workspaceId, scope.pageId, scope.stopPage);
  if (scope.closeOtn) await closeOtn(tx, scope.pageId, scope.closeOtn, at);
}
