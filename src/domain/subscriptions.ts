// A subscription's life: acceptance (R3, R7), validity and expiry (R8a), cooldown (R8b), stop and
// resume (R8c), use (R7a), suspension by topic deactivation (R5b). Pure decisions over plain data.
import type { PageState, SubscriptionState, TopicState } from './model.ts';
import {
  addMonths,
  type Frequency,
  nextEligibleAfterSend,
  otnExpiry,
  recurringAllowedInRegion,
  tokenFrequency,
  VALIDITY_MONTHS,
} from './platform.ts';

export type SubscriptionStatus =
  | 'valid'
  | 'suspended' // topic deactivated (R5b)
  | 'used' // OTN token spent (R7a)
  | 'expired' // R8a / R7a
  | 'stopped' // R8c
  | 'region_not_allowed' // 2026 profile
  | 'cooldown'; // R8b

export interface StatusVerdict {
  status: SubscriptionStatus;
  /** For `cooldown`: when the token may be used again. */
  nextAt: Date | null;
}

export function isExpired(sub: Pick<SubscriptionState, 'expiresAt'>, now: Date): boolean {
  return now.getTime() >= sub.expiresAt.getTime();
}

/** Held = the customer still has this permission, sendable or not: not expired and (OTN) not used. */
export function isHeld(sub: SubscriptionState, now: Date): boolean {
  return sub.usedAt === null && !isExpired(sub, now);
}

/**
 * R6e: valid when the topic is active, not stopped, not expired, (OTN) unused and (recurring) past
 * its cooldown. The order of the checks decides which reason a refusal shows: the most lasting first.
 */
export function subscriptionStatus(
  sub: SubscriptionState,
  topic: Pick<TopicState, 'active' | 'kind'>,
  page: Pick<PageState, 'profile' | 'region'>,
  now: Date,
): StatusVerdict {
  const consent = consentStatus(sub, topic, now);
  if (consent !== 'valid') return { status: consent, nextAt: null };
  if (sub.kind === 'recurring') {
    if (!recurringAllowedInRegion(page.profile, page.region))
      return { status: 'region_not_allowed', nextAt: null };
    if (sub.nextEligibleAt !== null && now.getTime() < sub.nextEligibleAt.getTime()) {
      return { status: 'cooldown', nextAt: sub.nextEligibleAt };
    }
  }
  return { status: 'valid', nextAt: null };
}

/**
 * R12g: does the customer still hold this topic — the product's own consent record, whatever route a
 * message then takes (active topic, unused OTN, unexpired, not stopped)? No region, no cooldown.
 */
export function consentStatus(
  sub: SubscriptionState,
  topic: Pick<TopicState, 'active' | 'kind'>,
  now: Date,
): 'valid' | 'suspended' | 'used' | 'expired' | 'stopped' {
  if (!topic.active) return 'suspended';
  if (sub.kind === 'one_time' && sub.usedAt !== null) return 'used';
  if (isExpired(sub, now)) return 'expired';
  if (sub.stoppedAt !== null) return 'stopped';
  return 'valid';
}

/** Among one customer's tokens on a topic, the one a send would use: valid first, OTN soonest-expiring. */
export function pickSubscription(
  subs: readonly SubscriptionState[],
  topic: Pick<TopicState, 'active' | 'kind'>,
  page: Pick<PageState, 'profile' | 'region'>,
  now: Date,
): { sub: SubscriptionState; verdict: StatusVerdict } | null {
  const rank: Record<SubscriptionStatus, number> = {
    valid: 0,
    cooldown: 1,
    stopped: 2,
    region_not_allowed: 3,
    suspended: 4,
    used: 5,
    expired: 6,
  };
  let best: { sub: SubscriptionState; verdict: StatusVerdict } | null = null;
  for (const sub of subs) {
    const verdict = subscriptionStatus(sub, topic, page, now);
    if (
      best === null ||
      rank[verdict.status] < rank[best.verdict.status] ||
      (rank[verdict.status] === rank[best.verdict.status] && sub.expiresAt < best.sub.expiresAt)
    ) {
      best = { sub, verdict };
    }
  }
  return best;
}

/** R8a: Meta's expiry when the opt-in carries one; otherwise the topic's validity, by frequency by default. */
export function recurringExpiry(
  topic: Pick<TopicState, 'frequency' | 'validityMonths'>,
  acceptedAt: Date,
  metaExpiry: Date | null,
): Date {
  if (metaExpiry) return metaExpiry;
  const months = topic.validityMonths ?? VALIDITY_MONTHS[topic.frequency ?? 'DAILY'];
  return addMonths(acceptedAt, months);
}

export interface AcceptanceEvent {
  token: string;
  at: Date;
  /** Recurring only: from the opt-in webhook when Meta sends them. */
  metaExpiry?: Date | null;
  frequency?: Frequency | null;
}

export type AcceptanceDecision =
  /** R3a: the same invitation accepted again: counted once, nothing changes but the history. */
  | { action: 'ignore'; history: 'accepted_again'; subscriptionId: number | null }
  /** An acceptance older than the one already held (a late redelivery): history only (R3b keeps the latest). */
  | { action: 'ignore'; history: 'accepted_stale'; subscriptionId: number | null }
  /** R7d: OTN acceptances stack, one token each. */
  | { action: 'insert'; history: 'accepted'; row: NewSubscription }
  /** R3b: a recurring topic accepted again from a newer invitation: token, time and validity move to it. */
  | { action: 'update'; history: 'accepted'; subscriptionId: number; row: NewSubscription };

export type NewSubscription = Omit<SubscriptionState, 'id'>;

export function decideAcceptance(input: {
  page: Pick<PageState, 'profile'>;
  topic: Pick<TopicState, 'id' | 'kind' | 'frequency' | 'validityMonths'>;
  /** The invitation the opt-in answers, when it came from one we sent (payload); null for outside opt-ins. */
  invitation: { id: number; acceptedAt: Date | null } | null;
  /** This customer's existing tokens on the topic. */
  existing: readonly SubscriptionState[];
  event: AcceptanceEvent;
}): AcceptanceDecision {
  const { page, topic, invitation, existing, event } = input;
  const fromSameInvitation = invitation ? existing.find((s) => s.invitationId === invitation.id) : undefined;
  // A token already held is a repeat of that acceptance (R3a) — unless it is a recurring token Meta reuses
  // for a newer acceptance (another invitation, a later time): that one moves time and validity (R3b).
  const sameToken = existing.find((s) => s.token === event.token);
  const repeated =
    sameToken !== undefined &&
    (topic.kind === 'one_time' ||
      sameToken.optedInAt.getTime() >= event.at.getTime() ||
      (invitation !== null && sameToken.invitationId === invitation.id));
  if (invitation?.acceptedAt || repeated) {
    return { action: 'ignore', history: 'accepted_again', subscriptionId: fromSameInvitation?.id ?? null };
  }
  if (topic.kind === 'one_time') {
    return {
      action: 'insert',
      history: 'accepted',
      row: {
        topicId: topic.id,
        kind: 'one_time',
        token: event.token,
        invitationId: invitation?.id ?? null,
        optedInAt: event.at,
        expiresAt: otnExpiry(event.at),
        stoppedAt: null,
        usedAt: null,
        frequency: null,
        lastSentAt: null,
        nextEligibleAt: null,
      },
    };
  }
  const current = existing[0];
  if (current && current.optedInAt.getTime() > event.at.getTime()) {
    return { action: 'ignore', history: 'accepted_stale', subscriptionId: current.id };
  }
  const row: NewSubscription = {
    topicId: topic.id,
    kind: 'recurring',
    token: event.token,
    invitationId: invitation?.id ?? null,
    optedInAt: event.at,
    expiresAt: recurringExpiry(topic, event.at, event.metaExpiry ?? null),
    stoppedAt: null,
    usedAt: null,
    frequency: event.frequency ?? tokenFrequency(page.profile, topic.frequency ?? 'DAILY'),
    // The cooldown belongs to the token (R8b): a new token starts fresh, the same token keeps its own.
    lastSentAt: current && current.token === event.token ? current.lastSentAt : null,
    nextEligibleAt: current && current.token === event.token ? current.nextEligibleAt : null,
  };
  return current
    ? { action: 'update', history: 'accepted', subscriptionId: current.id, row }
    : { action: 'insert', history: 'accepted', row };
}

/**
 * R8c: stop and resume are idempotent; each real change is one history row. `lastStatusAt` is when the
 * last stop/resume took effect: an older event (Meta may deliver out of order) changes nothing.
 */
export function decideStop(
  sub: SubscriptionState,
  at: Date,
  lastStatusAt: Date | null = null,
): { stoppedAt: Date } | null {
  if (lastStatusAt && at.getTime() < lastStatusAt.getTime()) return null;
  return sub.stoppedAt === null ? { stoppedAt: at } : null;
}

export function decideResume(
  sub: SubscriptionState,
  at?: Date,
  lastStatusAt: Date | null = null,
): { stoppedAt: null } | null {
  if (at && lastStatusAt && at.getTime() < lastStatusAt.getTime()) return null;
  return sub.stoppedAt !== null ? { stoppedAt: null } : null;
}

/** What using a token changes (R7a single use; R8b cooldown from the send, in the page's time zone). */
export function usePatch(
  sub: SubscriptionState,
  page: Pick<PageState, 'profile' | 'timeZone'>,
  now: Date,
): Pick<SubscriptionState, 'usedAt' | 'lastSentAt' | 'nextEligibleAt'> {
  if (sub.kind === 'one_time') return { usedAt: now, lastSentAt: now, nextEligibleAt: null };
  return {
    usedAt: null,
    lastSentAt: now,
    nextEligibleAt: nextEligibleAfterSend(page.profile, sub.frequency ?? 'DAILY', now, page.timeZone),
  };
}
