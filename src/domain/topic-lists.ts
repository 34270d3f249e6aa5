// R4: for one customer, every active topic of the page is in exactly one of "Sent" (Đã gửi) and
// "Not sent" (Chưa gửi), with the date it can be resent after.
import type { InvitationState, SubscriptionState, TopicState } from './model.ts';
import { BACKOFF } from './send-outcomes.ts';
import { isExpired, isHeld } from './subscriptions.ts';

export type TopicListState =
  | 'never_invited' // R4a
  | 'invited' //       R4b: invited, not accepted
  | 'subscribed' //    R4c
  | 'stopped' //       [D] the customer stopped: still held, so it stays under Sent until it expires
  | 'expired' //       R4d
  | 'used'; //         R4d: OTN used up

export interface TopicListItem {
  topicId: number;
  name: string;
  title: string;
  kind: TopicState['kind'];
  list: 'sent' | 'not_sent';
  state: TopicListState;
  lastSentAt: Date | null;
  optedInAt: Date | null;
  expiresAt: Date | null;
  /** Sent: the date shown as "can resend after" (R4b/c). Not sent: set only while Meta's 7-day rule still blocks. */
  resendAfter: Date | null;
  /** Time alone allows an invitation now (R4e); the 24-hour window (R2a) is checked by the send resolver. */
  resendableNow: boolean;
}

export interface TopicLists {
  sent: TopicListItem[];
  notSent: TopicListItem[];
}

/** R2c: Meta's same-title limit holds a new opt-in request until then. */
export function sameTitleUntil(sentAt: Date): Date {
  return new Date(sentAt.getTime() + BACKOFF.sameTitleOptInMs);
}

/** R4b: the product's own delay before an unanswered invitation may be resent. */
export function invitationResendAfter(sentAt: Date): Date {
  return new Date(sentAt.getTime() + BACKOFF.invitationResendMs);
}

function maxDate(dates: ReadonlyArray<Date | null>): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d && (!best || d > best)) best = d;
  return best;
}

export function topicListItem(
  topic: TopicState,
  invitations: readonly InvitationState[],
  subscriptions: readonly SubscriptionState[],
  now: Date,
): TopicListItem {
  const invs = invitations.filter((i) => i.topicId === topic.id);
  const subs = subscriptions.filter((s) => s.topicId === topic.id);
  const latestInv = invs.reduce<InvitationState | null>((a, i) => (!a || i.sentAt > a.sentAt ? i : a), null);
  const held = subs.filter((s) => isHeld(s, now));
  const titleBlock = latestInv ? sameTitleUntil(latestInv.sentAt) : null;
  const base = {
    topicId: topic.id,
    name: topic.name,
    title: topic.title,
    kind: topic.kind,
    lastSentAt: latestInv?.sentAt ?? null,
    optedInAt: maxDate(subs.map((s) => s.optedInAt)),
    expiresAt: maxDate(held.map((s) => s.expiresAt)),
  };
  const sent = (state: TopicListState, resendAfter: Date | null): TopicListItem => ({
    ...base,
    list: 'sent',
    state,
    resendAfter,
    resendableNow: resendAfter === null || now >= resendAfter,
  });
  const notSent = (state: TopicListState): TopicListItem => {
    // R2c: even back under "Not sent", Meta's 7-day same-title rule may still hold the resend.
    const resendAfter = titleBlock && titleBlock > now ? titleBlock : null;
    return { ...base, list: 'not_sent', state, resendAfter, resendableNow: resendAfter === null };
  };

  if (held.length > 0) {
    // R4c: can resend after the expiry (and never before Meta's 7 days).
    const resendAfter = maxDate([base.expiresAt, titleBlock]);
    return sent(held.every((s) => s.stoppedAt !== null) ? 'stopped' : 'subscribed', resendAfter);
  }
  if (latestInv && latestInv.acceptedAt === null) {
    // R4b, R4e: the product's resend delay, and never before Meta's same-title limit (R2c).
    return sent('invited', maxDate([invitationResendAfter(latestInv.sentAt), titleBlock]));
  }
  if (subs.length > 0) {
    // R4d: accepted before, nothing held now: used up (OTN) or expired.
    const anyUsed = subs.some((s) => s.usedAt !== null && !isExpired(s, now));
    return notSent(anyUsed ? 'used' : 'expired');
  }
  return notSent(latestInv ? 'expired' : 'never_invited');
}

/** R4: every active topic in exactly one list; inactive topics are in neither (R5b). */
export function topicLists(
  topics: readonly TopicState[],
  invitations: readonly InvitationState[],
  subscriptions: readonly SubscriptionState[],
  now: Date,
): TopicLists {
  const out: TopicLists = { sent: [], notSent: [] };
  const active = topics.filter((t) => t.active).sort((a, b) => a.name.localeCompare(b.name));
  for (const topic of active) {
    const item = topicListItem(topic, invitations, subscriptions, now);
    (item.list === 'sent' ? out.sent : out.notSent).push(item);
  }
  return out;
}
