// The one applier of Meta's answers: the domain table (domain/send-outcomes.ts) says what an answer
// changes; this persists it, set-based, for a single send (app/messaging.ts) and for a campaign batch
// (dispatcher/batch.ts) alike.
import type { SenderKind } from '../domain/model.ts';
import type { SendOutcome } from '../domain/send-outcomes.ts';
import * as deliveries from '../storage/campaign-deliveries.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import type { PageRow } from '../storage/schema.ts';
import * as store from '../storage/send-outcomes.ts';
import type { AppContext } from './context.ts';
import { recordInvitation } from './optins.ts';

/** One recipient's answer. */
export interface OutcomeTarget {
  outcome: SendOutcome;
  customerId: number;
  /** The token the send used: its topic, and its state before our claim (null: nothing to give back). */
  token?: { subscriptionId: number; topicId: number; previous: deliveries.TokenUse | null };
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
}

/** Persists the effects of many answers in the caller's transaction, one statement per kind of effect. */
export async function applyOutcomes(
  tx: Executor,
  scope: OutcomeScope,
  targets: readonly OutcomeTarget[],
  at: Date,
): Promise<void> {
  const withToken = targets.filter((t) => t.token);
  await deliveries.releaseTokens(
    tx,
    withToken
      .filter((t) => t.outcome.token === 'release' && t.token!.previous)
      .map((t) => t.token!.previous!),
    at,
  );
  await store.stopSubscriptions(
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
  await store.expireSubscriptions(
    tx,
    withToken.filter((t) => t.outcome.subscription === 'expired').map((t) => t.token!.subscriptionId),
    at,
  );
  await store.markUnreachable(
    tx,
    targets
      .filter((t) => t.outcome.customerUnreachable)
      .map((t) => ({ customerId: t.customerId, reason: scope.unreachableReason })),
  );
  for (const t of targets) {
    if (t.outcome.optInBackoffMs !== null) {
      await store.setOptInBackoff(tx, t.customerId, new Date(at.getTime() + t.outcome.optInBackoffMs));
    }
  }
  if (scope.stopPage !== null) await store.stopPage(tx, scope.workspaceId, scope.pageId, scope.stopPage);
}

/** The invitation a single send carried, recorded as the outcome says (R4b counts a refused one). */
export interface SentInvitation {
  topicId: number;
  senderKind: SenderKind;
  senderRef: string | null;
  payload: string;
}

/** A single send's failed answer: its effects in one transaction, then the invitation record if any. */
export async function applySendFailure(
  ctx: AppContext,
  req: {
    page: PageRow;
    customerId: number;
    outcome: SendOutcome;
    /** Meta's words, kept for the workspace. */
    message: string;
    token?: OutcomeTarget['token'];
    invitation?: SentInvitation;
  },
): Promise<void> {
  const { page, outcome } = req;
  const at = ctx.clock.now();
  await inTransaction(ctx.db, (tx) =>
    applyOutcomes(
      tx,
      {
        workspaceId: page.workspace_id,
        pageId: page.id,
        unreachableReason: req.message.slice(0, 500),
        stoppedDetail: { source: 'graph_error_1893015' },
        stopPage: outcome.page ? `${outcome.page}: ${req.message}`.slice(0, 500) : null,
      },
      [{ outcome, customerId: req.customerId, ...(req.token && { token: req.token }) }],
      at,
    ),
  );
  if (req.invitation && outcome.invitation) {
    await recordSentInvitation(ctx, page, req.customerId, req.invitation, outcome.invitation, null);
  }
}

export function recordSentInvitation(
  ctx: AppContext,
  page: PageRow,
  customerId: number,
  inv: SentInvitation,
  status: 'sent' | 'refused',
  messageId: string | null,
) {
  return recordInvitation(ctx, {
    workspaceId: page.workspace_id,
    pageId: page.id,
    customerId,
    topicId: inv.topicId,
    senderKind: inv.senderKind,
    senderRef: inv.senderRef,
    payload: inv.payload,
    status,
    messageId,
  });
}
