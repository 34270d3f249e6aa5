// R9c/R9d for one recipient of a campaign: whether the message goes (and on which token), waits for
// the token's cooldown (allowDefer), or is skipped with a reason — one function, used by the dry run
// and by the dispatcher alike, so the dry run's counts are what the run does. Then what Meta's answer
// means for that recipient, and when a campaign has seen too many errors.
//
// At most once (R9d): a token is the idempotency key Meta honours. An OTN token carries one message
// ever (R7a) and a recurring token one per period (R8b); a resend on the same token inside that limit
// is refused by Meta (100 "already used" / 4/2018354), never delivered twice. So a send whose answer
// was lost (timeout, crash mid-call) is resent on the same token while that guarantee still holds, and
// a refusal of that kind then confirms the earlier delivery. Past the guarantee the recipient ends
// `failed`/`uncertain`, never resent.
import type { CustomerState, PageState, SendPlan, SubscriptionState, TopicState } from './model.ts';
import type { ReasonCode } from './reasons.ts';
import { otnUnavailableAnswer, type SendErrorClass } from './send-errors.ts';
import { type SendOutcome, sendOutcome } from './send-outcomes.ts';
import { resolveSend } from './send-resolver.ts';
import { usePatch as tokenUsePatch } from './subscriptions.ts';

export type RecipientDecision =
  | {
      action: 'send';
      plan: SendPlan;
      subscription: SubscriptionState;
      /** What claiming the token writes (R7a used, R8b next eligible time). */
      patch: Pick<SubscriptionState, 'usedAt' | 'lastSentAt' | 'nextEligibleAt'>;
    }
  | { action: 'defer'; until: Date; reason: 'cooldown' }
  | { action: 'skip'; reason: ReasonCode };

export interface RecipientInput {
  page: PageState;
  customer: CustomerState;
  topic: TopicState;
  /** The customer's tokens on the campaign's topic. */
  subscriptions: readonly SubscriptionState[];
  allowDefer: boolean;
  now: Date;
  /** R12f: Meta answered that OTN is unavailable for the page (read only on a 2026 page). */
  otnClosed?: boolean;
}

/**
 * R1d with sender `campaign`: never HUMAN_AGENT, never a tag (R11a); only a valid token of the topic
 * (R6e, R7c). A token cooling down (R8b) is skipped, or deferred to its next eligible time.
 */
export function decideRecipient(input: RecipientInput): RecipientDecision {
  const r = resolveSend({
    page: input.page,
    customer: input.customer,
    sender: 'campaign',
    intent: { kind: 'notification', topic: input.topic },
    subscriptions: input.subscriptions,
    now: input.now,
  });
  if (!r.ok) {
    if (r.reason === 'cooldown' && input.allowDefer && r.nextAt) {
      return { action: 'defer', until: r.nextAt, reason: 'cooldown' };
    }
    return { action: 'skip', reason: r.reason };
  }
  // R12f: once Meta closed OTN for a 2026 page, a send on an OTN token is not tried again.
  if (input.otnClosed && otnClosable(input.page) && 'one_time_notif_token' in r.plan.recipient) {
    return { action: 'skip', reason: 'otn_closed' };
  }
  const sub = input.subscriptions.find((s) => s.id === r.plan.subscriptionId)!;
  return {
    action: 'send',
    plan: r.plan,
    subscription: sub,
    patch: tokenUsePatch(sub, input.page, input.now),
  };
}

/** R12f applies to pages on the 2026 routes; earlier profiles keep OTN exactly as before. */
function otnClosable(page: Pick<PageState, 'profile'>): boolean {
  return page.profile === '2026';
}

/**
 * R12f: Meta's answer to an OTN-token send that closes OTN for a 2026 page; returns Meta's words (the
 * reason the workspace is shown), or null when the answer closes nothing.
 */
export function otnClosure(
  page: Pick<PageState, 'profile'>,
  tokenKind: SubscriptionState['kind'],
  error: { code?: number; subcode?: number; message: string } | null,
): string | null {
  if (!error || tokenKind !== 'one_time' || !otnClosable(page)) return null;
  return otnUnavailableAnswer({ code: error.code, error_subcode: error.subcode }) ? error.message : null;
}

/** What one Graph answer does to a recipient and to the state around it. */
export type DeliveryVerdict =
  | { status: 'sent'; messageId: string | null; confirmedByToken: boolean }
  /** Not delivered, or unknown and never to be resent. `release` gives the token back (provably unsent). */
  | { status: 'failed'; reason: string; release: boolean; effect?: 'customer_unreachable' | 'token_dead' }
  | { status: 'skipped'; reason: string; release: boolean; effect?: 'stopped' }
  /** The answer is lost or transient: resend on the same (still claimed) token later. */
  | { status: 'retry'; reason: string }
  /** The page cannot send (R11b): the recipient waits for the campaign to be resumed. */
  | { status: 'requeue'; release: boolean; pause: 'page_restricted' | 'page_token_invalid' };

export interface AnswerInput {
  result: { ok: true; messageId: string } | { ok: false; class: SendErrorClass; message: string };
  tokenKind: SubscriptionState['kind'];
  /** Graph calls made for this recipient before this one (earlier claims): one of them may have delivered. */
  priorAttempts: number;
  /** Calls made inside this claim (the client's own retries). */
  attemptsNow: number;
}

/** The table's outcome for one recipient (domain/send-outcomes.ts), with the R9d at-most-once readings. */
export function campaignOutcome(input: AnswerInput): SendOutcome {
  const { result } = input;
  return sendOutcome({
    kind: 'campaign',
    answer: result.ok ? { ok: true } : { ok: false, class: result.class },
    tokenKind: input.tokenKind,
    maybeDelivered: input.priorAttempts > 0 || input.attemptsNow > 1,
  });
}

/** The recipient's row as the dispatcher records it, read off the outcome. */
export function toVerdict(o: SendOutcome, messageId: string | null): DeliveryVerdict {
  const release = o.token === 'release';
  const reason = o.reason ?? '';
  switch (o.status) {
    case 'sent':
      return {
        status: 'sent',
        messageId: o.confirmedByToken ? null : messageId,
        confirmedByToken: o.confirmedByToken,
      };
    case 'retry':
      return { status: 'retry', reason };
    case 'requeue':
      return { status: 'requeue', release, pause: o.page! };
    case 'skipped':
      return {
        status: 'skipped',
        reason,
        release,
        ...(o.subscription === 'stopped' && { effect: 'stopped' }),
      };
    default: {
      const effect = o.customerUnreachable
        ? 'customer_unreachable'
        : o.subscription === 'expired'
          ? 'token_dead'
          : undefined;
      return { status: 'failed', reason, release, ...(effect && { effect }) };
    }
  }
}

export function classifyAnswer(input: AnswerInput): DeliveryVerdict {
  return toVerdict(campaignOutcome(input), input.result.ok ? input.result.messageId : null);
}

/** Most calls a recipient gets across claims before it ends `failed`/`uncertain`. */
export const MAX_DELIVERY_ATTEMPTS = 10;
/** Clock skew we allow against Meta when trusting a recurring token's period to deduplicate. */
export const PERIOD_MARGIN_MS = 60_000;

/**
 * A recipient whose earlier call may have delivered (lost answer, crash mid-call) is resent only while
 * the token still deduplicates: OTN unexpired, recurring inside the period the claim started.
 */
export function mayResend(
  input: {
    tokenKind: SubscriptionState['kind'];
    attempts: number;
    expiresAt: Date;
    tokenPeriodEnd: Date | null;
  },
  now: Date,
): boolean {
  if (input.attempts >= MAX_DELIVERY_ATTEMPTS) return false;
  if (now.getTime() >= input.expiresAt.getTime() - PERIOD_MARGIN_MS) return false;
  if (input.tokenKind === 'recurring') {
    if (!input.tokenPeriodEnd) return false;
    return now.getTime() < input.tokenPeriodEnd.getTime() - PERIOD_MARGIN_MS;
  }
  return true;
}

/**
 * Too many errors (R9e auto-pause): more than `maxShare` of the last `window` answers failed, once at
 * least `minSample` answers are in. A customer who blocked the page is that customer's matter, not
 * the campaign's, so `customer_unreachable` does not count, nor does rate limiting; skips are not answers.
 */
export class ErrorWindow {
  private readonly outcomes: boolean[] = [];
  constructor(
    private readonly window = 200,
    private readonly minSample = 50,
    private readonly maxShare = 0.2,
  ) {}

  record(v: DeliveryVerdict): void {
    if (v.status === 'skipped' || v.status === 'requeue') return;
    // Rate limiting is our pacing, not the campaign's fault: the limiter slows down and the row is resent.
    const bad =
      (v.status === 'retry' && v.reason !== 'rate_limited') ||
      (v.status === 'failed' && v.reason !== 'customer_unreachable');
    this.outcomes.push(bad);
    if (this.outcomes.length > this.window) this.outcomes.shift();
  }

  tripped(): boolean {
    if (this.outcomes.length < this.minSample) return false;
    const bad = this.outcomes.filter(Boolean).length;
    return bad / this.outcomes.length > this.maxShare;
  }

  reset(): void {
    this.outcomes.length = 0;
  }
}

/** Per customer, the states loaded alongside their rows (states[i] belongs to rows[i]). */
export function groupBy<S>(states: S[], rows: ReadonlyArray<{ customer_id: number }>): Map<number, S[]> {
  const m = new Map<number, S[]>();
  states.forEach((s, i) => {
    const k = rows[i]!.customer_id;
    const list = m.get(k);
    if (list) list.push(s);
    else m.set(k, [s]);
  });
  return m;
}
