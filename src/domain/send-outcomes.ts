// What one answer of Meta's Send API changes, for every kind of send, in one table (platform.md error
// table; issue 11 item 1). Pure: the single-send path (app/messaging.ts) and the campaign batch
// (dispatcher/batch.ts) both derive their effects here and persist them through one applier,
// storage/send-outcomes.applyOutcomes (via app/send-outcomes.ts for single sends, via the dispatcher's
// store for campaigns).
import type { SubscriptionState } from './model.ts';
import { LIMITS } from './platform.ts';
import type { SendErrorClass } from './send-errors.ts';

const DAY_MS = 86_400_000;

/**
 * Delays and backoffs, each named after the rule it serves. Two of them are 7 days today but are
 * different rules: R4b is the product's own resend delay, R2c is Meta's same-title limit.
 */
export const BACKOFF = {
  /** R4b: an invitation not answered may be resent this long after it was sent (product rule). */
  invitationResendMs: 7 * DAY_MS,
  /** R2c: Meta refuses an opt-in request with the same title to the same person within this. */
  sameTitleOptInMs: LIMITS.sameTitleOptInDays * DAY_MS,
  /** 9/2018352 "too many opt-in requests": no invitation to that customer for this long [D]. */
  optInLimitMs: 24 * 3_600_000,
} as const;

/** The kinds of send whose answers the product handles. */
export type SendKind = 'reply' | 'invitation' | 'notification' | 'campaign';
export const SEND_KINDS: readonly SendKind[] = ['reply', 'invitation', 'notification', 'campaign'];

export type OutcomeStatus = 'sent' | 'failed' | 'skipped' | 'retry' | 'requeue';

/** What happens to a token claimed for the send (notification, campaign); `none` when no token was used. */
export type TokenEffect = 'none' | 'consume' | 'keep' | 'release';

export interface SendOutcome {
  status: OutcomeStatus;
  /** The recipient's reason (campaign rows, logs): the error class, or null when sent. */
  reason: string | null;
  /** A refusal of a second message on the token proves an earlier call delivered (R9d). */
  confirmedByToken: boolean;
  token: TokenEffect;
  /** 1893015 stops the subscription (consent `stopped`); a dead token is expired now. */
  subscription: 'stopped' | 'expired' | null;
  /** 551 and friends: the customer is unreachable. */
  customerUnreachable: boolean;
  /** 2018352: no invitation to that customer for this long (ms from the answer). */
  optInBackoffMs: number | null;
  /** Invitations: what is recorded (R4b: a duplicate refusal from Meta still counts as sent). */
  invitation: 'sent' | 'refused' | null;
  /** R11b: the page stops sending (restricted_reason), the campaign pauses. */
  page: 'page_restricted' | 'page_token_invalid' | null;
}

type Row = Partial<SendOutcome> & Pick<SendOutcome, 'status'>;
type Rows = Record<SendKind, Row>;

const NONE: SendOutcome = {
  status: 'failed',
  reason: null,
  confirmedByToken: false,
  token: 'none',
  subscription: null,
  customerUnreachable: false,
  optInBackoffMs: null,
  invitation: null,
  page: null,
};

/** Same effects on every kind; the notification and campaign release the claimed token. */
const released = (extra: Partial<SendOutcome>, campaign: Row): Rows => ({
  reply: { status: 'failed', ...extra },
  invitation: { status: 'failed', ...extra },
  notification: { status: 'failed', token: 'release', ...extra },
  campaign,
});

/**
 * The table: one row per error class of send-errors.ts, one column per kind of send. Single sends have
 * no retry of their own here (the Graph client already spent its retries), so their status is `failed`.
 */
export const OUTCOMES: Record<SendErrorClass, Rows> = {
  outside_window: released({}, { status: 'failed', token: 'release' }),
  subscription_stopped: released(
    { subscription: 'stopped' },
    { status: 'skipped', token: 'release', subscription: 'stopped' },
  ),
  // 4/2018354 "reschedule at the next eligible time": no delay of our own — the token is given back,
  // so its stored next-eligible time (R8b) is when it may go again; a campaign skips the recipient.
  cooldown: released({}, { status: 'skipped', token: 'release' }),
  // The token is dead: it stays used and expires now (no give-back).
  token_invalid: {
    reply: { status: 'failed' },
    invitation: { status: 'failed' },
    notification: { status: 'failed', token: 'keep', subscription: 'expired' },
    campaign: { status: 'failed', token: 'keep', subscription: 'expired' },
  },
  duplicate_optin: {
    ...released({}, { status: 'failed', token: 'keep' }),
    invitation: { status: 'failed', invitation: 'refused' },
  },
  optin_limit: {
    ...released({}, { status: 'failed', token: 'keep' }),
    invitation: { status: 'failed', optInBackoffMs: BACKOFF.optInLimitMs },
  },
  page_restricted: released(
    { page: 'page_restricted' },
    { status: 'requeue', token: 'release', page: 'page_restricted' },
  ),
  page_token_invalid: released(
    { page: 'page_token_invalid' },
    { status: 'requeue', token: 'release', page: 'page_token_invalid' },
  ),
  customer_unreachable: released(
    { customerUnreachable: true },
    { status: 'failed', token: 'release', customerUnreachable: true },
  ),
  // Retries are spent and Meta may have delivered (a timeout): keep the token claimed — at most once.
  rate_limited: {
    ...released({}, { status: 'retry', token: 'keep' }),
    notification: { status: 'failed', token: 'keep' },
  },
  transient: {
    ...released({}, { status: 'retry', token: 'keep' }),
    notification: { status: 'failed', token: 'keep' },
  },
  // A campaign cannot tell whether Meta delivered: the token stays used, never resent. A single
  // notification gives it back (it was refused as a whole).
  unknown: released({}, { status: 'failed', token: 'keep' }),
  // R14: the Meta campaign behind the paid sends is not usable — nothing went; each recipient fails
  // with the reason and the error window pauses the campaign (R9e) until the shop fixes it.
  marketing_campaign_inactive: released({}, { status: 'failed', token: 'release' }),
  marketing_campaign_invalid: released({}, { status: 'failed', token: 'release' }),
  // The campaign is too new ("wait after creating"): nothing went, a campaign tries the row again later.
  marketing_not_ready: released({}, { status: 'retry', token: 'keep' }),
  // The customer's marketing token is dead: as a dead notification token, it expires now.
  marketing_token_invalid: {
    reply: { status: 'failed' },
    invitation: { status: 'failed' },
    notification: { status: 'failed', token: 'keep', subscription: 'expired' },
    campaign: { status: 'failed', token: 'keep', subscription: 'expired' },
  },
  // R14c: the customer talked recently (min_conversation_gap_seconds): not sent, skipped with the reason.
  marketing_gap: released({}, { status: 'skipped', token: 'release' }),
  // R13b: the template is not sendable or its values do not fit: nothing went, fix the template.
  template_not_sendable: released({}, { status: 'failed', token: 'release' }),
  template_params_invalid: released({}, { status: 'failed', token: 'release' }),
};

const SENT: Rows = {
  reply: { status: 'sent' },
  invitation: { status: 'sent', invitation: 'sent' },
  notification: { status: 'sent', token: 'consume' },
  campaign: { status: 'sent', token: 'consume' },
};

export type SendAnswer = { ok: true } | { ok: false; class: SendErrorClass };

export interface OutcomeInput {
  kind: SendKind;
  answer: SendAnswer;
  /** Campaign: the token's kind, to read a "second message" refusal as proof of delivery (R9d). */
  tokenKind?: SubscriptionState['kind'];
  /** Campaign: an earlier call (earlier claim, or a retry of this one) may have delivered. */
  maybeDelivered?: boolean;
}

/** The outcome of one answer: the table's cell, then the campaign's at-most-once readings (R9d). */
export function sendOutcome(input: OutcomeInput): SendOutcome {
  const { kind, answer } = input;
  if (answer.ok) return { ...NONE, ...SENT[kind] };
  const cls = answer.class;
  if (kind === 'campaign' && input.maybeDelivered) {
    // The token refuses a second message: an earlier call of ours delivered it.
    if (
      (cls === 'token_invalid' && input.tokenKind === 'one_time') ||
      (cls === 'cooldown' && input.tokenKind === 'recurring')
    ) {
      return { ...NONE, status: 'sent', confirmedByToken: true, token: 'consume' };
    }
  }
  const row: SendOutcome = { ...NONE, reason: cls, ...OUTCOMES[cls][kind] };
  // A page that refuses may still have delivered an earlier call: then the token is not given back.
  if (kind === 'campaign' && row.status === 'requeue' && input.maybeDelivered) row.token = 'keep';
  return row;
}
