// A single send's answer (app/messaging.ts): the domain table (domain/send-outcomes.ts) says what it
// changes, storage/send-outcomes.applyOutcomes persists it — the same applier the campaign batch uses —
// and a refused or sent invitation is recorded (R4b).
import type { SenderKind } from '../domain/model.ts';
import type { SendOutcome } from '../domain/send-outcomes.ts';
import { inTransaction } from '../storage/db.ts';
import type { PageRow } from '../storage/schema.ts';
import { applyOutcomes, type OutcomeTarget } from '../storage/send-outcomes.ts';
import type { AppContext } from './context.ts';
import { recordInvitation } from './optins.ts';

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
  // The effects and the refused invitation (R4b) commit together: a lost connection between them must
  // not leave the invitation unrecorded, or the agent could ask again early and Meta answer 2018352.
  await inTransaction(ctx.db, async (tx) => {
    await applyOutcomes(
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
    );
    if (req.invitation && outcome.invitation) {
      await recordSentInvitation(
        { ...ctx, db: tx },
        page,
        req.customerId,
        req.invitation,
        outcome.invitation,
        null,
      );
    }
  });
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

export { applyOutcomes, type OutcomeScope, type OutcomeTarget } from '../storage/send-outcomes.ts';
