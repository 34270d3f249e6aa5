// Who in a claimed batch gets the message, and on which token (pure: the store runs it inside the claim's
// transaction). A first attempt asks the domain (decideRecipient: R1, R7, R8, R11b); a recipient an
// earlier call may have reached is resent on the same token only while Meta still deduplicates it.
import { decideRecipient, mayResend } from '../domain/campaign-delivery.ts';
import type { PageState, SendPlan, SubscriptionState, TopicState } from '../domain/model.ts';
import { notificationPlan } from '../domain/send-resolver.ts';
import type { ClaimedRecipient, ClaimPlan, TokenUse } from '../storage/dispatch-store.ts';
import type { CustomerRow } from '../storage/schema.ts';

/** A recipient that goes out in this batch. */
export interface ToSend {
  id: number;
  customer: CustomerRow;
  sub: SubscriptionState;
  plan: SendPlan;
  /** The token's state before our claim; null when an earlier claim took it (a resend). */
  previous: TokenUse | null;
  priorAttempts: number;
}

export interface RecipientPlan {
  claim: ClaimPlan;
  /** By delivery id; the store says which of them won their token. */
  toSend: Map<number, ToSend>;
  /** Set when the page cannot send (R11b): the campaign must pause. */
  pause: 'page_restricted' | null;
}

export function planRecipients(
  batch: readonly ClaimedRecipient[],
  at: { page: PageState; topic: TopicState; allowDefer: boolean; now: Date; otnClosed?: boolean },
): RecipientPlan {
  const { now } = at;
  const out: RecipientPlan = { claim: { outcomes: [], sends: [] }, toSend: new Map(), pause: null };
  const settle = (id: number, status: ClaimPlan['outcomes'][number]['status'], reason: string | null) =>
    out.claim.outcomes.push({ id, status, reason, deferredUntil: null });

  for (const row of batch) {
    if (row.prevStatus === 'retry' || row.prevStatus === 'sending') {
      // An earlier call may have delivered: resend on the same token only while it deduplicates.
      const sub = row.subscriptions.find((s) => s.id === row.subscriptionId);
      const ok =
        sub &&
        mayResend(
          {
            tokenKind: sub.kind,
            attempts: row.attempts,
            expiresAt: sub.expiresAt,
            tokenPeriodEnd: row.tokenPeriodEnd,
          },
          now,
        );
      if (!sub || !ok) {
        settle(row.id, 'failed', 'uncertain');
        continue;
      }
      // A resend goes on the token of the first claim: the resolver would (rightly) call it used.
      out.claim.sends.push({
        id: row.id,
        subscriptionId: sub.id,
        tokenPeriodEnd: null,
        claim: null,
        lostReason: '',
      });
      out.toSend.set(row.id, {
        id: row.id,
        customer: row.customer,
        sub,
        plan: notificationPlan(sub),
        previous: null,
        priorAttempts: row.attempts,
      });
      continue;
    }
    const d = decideRecipient({
      page: at.page,
      customer: row.customerState,
      topic: at.topic,
      subscriptions: row.subscriptions,
      allowDefer: at.allowDefer,
      now,
      otnClosed: at.otnClosed,
    });
    if (d.action === 'defer') {
      out.claim.outcomes.push({ id: row.id, status: 'deferred', reason: d.reason, deferredUntil: d.until });
    } else if (d.action === 'skip' && d.reason === 'page_restricted') {
      settle(row.id, 'pending', null);
      out.pause = 'page_restricted';
    } else if (d.action === 'skip') settle(row.id, 'skipped', d.reason);
    else {
      const sub = d.subscription;
      // R7b: the token is ours only if the store's conditional claim wins (an agent may have just used it).
      out.claim.sends.push({
        id: row.id,
        subscriptionId: sub.id,
        tokenPeriodEnd: sub.kind === 'recurring' ? d.patch.nextEligibleAt : null,
        claim: tokenUse(sub.id, d.patch),
        lostReason: sub.kind === 'one_time' ? 'token_used' : 'cooldown',
      });
      out.toSend.set(row.id, {
        id: row.id,
        customer: row.customer,
        sub,
        plan: d.plan,
        previous: tokenUse(sub.id, sub),
        priorAttempts: row.attempts,
      });
    }
  }
  return out;
}

function tokenUse(
  subscriptionId: number,
  s: Pick<SubscriptionState, 'usedAt' | 'lastSentAt' | 'nextEligibleAt'>,
): TokenUse {
  return { subscriptionId, usedAt: s.usedAt, lastSentAt: s.lastSentAt, nextEligibleAt: s.nextEligibleAt };
}
