// R10 statistics as pure arithmetic over loaded facts: rates, the page's calendar days, and the number
// of valid subscribers of a topic at any past moment, replayed from the consent history (R3c).
import { DateTime } from 'luxon';
import type { ConsentEvent, TopicKind } from './model.ts';

/** A share rounded to 4 decimals; null when there is nothing to divide by (no sends → no rate). */
export function rate(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 10_000) / 10_000;
}

export interface DayBucket {
  /** The calendar day in the page's time zone, YYYY-MM-DD. */
  date: string;
  start: Date;
  /** Exclusive; the last bucket ends at `now` (today so far). */
  end: Date;
}

/** The last `days` calendar days of the page's time zone, oldest first, today included. */
export function dayBuckets(now: Date, days: number, timeZone: string): DayBucket[] {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  const out: DayBucket[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const start = today.minus({ days: i });
    const end = i === 0 ? now : start.plus({ days: 1 }).toJSDate();
    out.push({ date: start.toISODate()!, start: start.toJSDate(), end });
  }
  return out;
}

/** Index of the bucket holding `at`, or -1 when it falls outside them all. */
export function bucketIndex(buckets: readonly DayBucket[], at: Date): number {
  const t = at.getTime();
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = buckets[mid]!;
    if (t < b.start.getTime()) hi = mid - 1;
    else if (t >= b.end.getTime()) lo = mid + 1;
    else return mid;
  }
  return -1;
}

export interface SubscriptionFacts {
  id: number;
  customerId: number;
  kind: TopicKind;
  /** The row's current expiry: bounds the latest acceptance even before the sweep records it. */
  expiresAt: Date;
}

export interface HistoryFact {
  subscriptionId: number;
  event: ConsentEvent;
  at: Date;
}

/** [from, to) while a subscription was valid: held (accepted, not used up, not expired) and not stopped. */
export type Interval = { from: Date; to: Date | null };

/**
 * Replays one subscription's history into the intervals it was valid. Cooldown (R8b) is pacing, not a
 * loss of consent, so it does not end an interval; a topic's deactivation (R5b) is not in the history
 * and is applied by the caller to "now" only. `events` must be in time order.
 */
export function validIntervals(sub: SubscriptionFacts, events: readonly HistoryFact[]): Interval[] {
  const out: Interval[] = [];
  let held = false;
  let stopped = false;
  let since: Date | null = null;
  const step = (at: Date) => {
    const valid = held && !stopped;
    if (valid && since === null) since = at;
    if (!valid && since !== null) {
      if (at > since) out.push({ from: since, to: at });
      since = null;
    }
  };
  for (const e of events) {
    switch (e.event) {
      case 'accepted': // R3b: a newer acceptance replaces the token, unstopped
        held = true;
        stopped = false;
        break;
      case 'stopped':
        stopped = true;
        break;
      case 'resumed':
        stopped = false;
        break;
      case 'used': // R7a: an OTN token is spent; a recurring use only starts a cooldown
        if (sub.kind === 'one_time') held = false;
        break;
      case 'expired':
        held = false;
        break;
      default: // accepted_again / accepted_stale change nothing (R3a)
        break;
    }
    step(e.at);
  }
  if (since !== null) {
    const open: Date = since;
    if (sub.expiresAt > open) out.push({ from: open, to: sub.expiresAt });
  }
  return out;
}

function covers(intervals: readonly Interval[], at: Date): boolean {
  return intervals.some((i) => i.from <= at && (i.to === null || at < i.to));
}

/**
 * R10b "valid subscribers over time": for each instant, the customers holding at least one valid
 * subscription of the topic (a customer with two OTN tokens counts once).
 */
export function subscribersAt(
  subs: readonly SubscriptionFacts[],
  events: readonly HistoryFact[],
  instants: readonly Date[],
): number[] {
  const bySub = new Map<number, HistoryFact[]>();
  for (const e of events) {
    const list = bySub.get(e.subscriptionId);
    if (list) list.push(e);
    else bySub.set(e.subscriptionId, [e]);
  }
  const perInstant = instants.map(() => new Set<number>());
  for (const sub of subs) {
    const intervals = validIntervals(sub, bySub.get(sub.id) ?? []);
    if (intervals.length === 0) continue;
    instants.forEach((at, i) => {
      if (covers(intervals, at)) perInstant[i]!.add(sub.customerId);
    });
  }
  return perInstant.map((s) => s.size);
}

/** R10a: the campaign funnel's step rates (delivered → read → clicked). */
export function interactionRates(c: { sent: number; delivered: number; read: number; clicked: number }) {
  return {
    delivered: rate(c.delivered, c.sent),
    read: rate(c.read, c.delivered),
    clicked: rate(c.clicked, c.read),
    /** Clicks over deliveries: the campaign's overall interaction rate. */
    overall: rate(c.clicked, c.delivered),
  };
}

// --- one meaning per number ------------------------------------------------------------------------

export interface Statistic {
  /** What the console shows, in each language; every screen uses this label for this number. */
  label: { vi: string; en: string };
  /** How it is counted (shown as the label's hint). */
  definition: { vi: string; en: string };
}

/**
 * Every statistic the product shows, defined once. The server computes each one in one place
 * (storage/stats.ts counts, this module divides) and the console labels it from here.
 */
export const STATISTICS = {
  validSubscribers: {
    label: { vi: 'Người đăng ký hợp lệ', en: 'Valid subscribers' },
    definition: {
      vi: 'Khách hàng đang giữ ít nhất một đăng ký chưa dừng, chưa hết hạn (OTN: chưa dùng) của chủ đề đang bật. Khách đang chờ giãn cách vẫn được tính.',
      en: 'Customers holding at least one subscription of the (active) topic that is not stopped, not expired and (OTN) not used. Customers in a cooldown still count.',
    },
  },
  suspendedSubscribers: {
    label: { vi: 'Người đăng ký bị tạm ngưng', en: 'Suspended subscribers' },
    definition: {
      vi: 'Những người đăng ký hợp lệ của một chủ đề đang tắt: được giữ lại nhưng không gửi được (R5b).',
      en: 'The valid subscribers of a deactivated topic: kept, not sendable (R5b).',
    },
  },
  invitationsSent: {
    label: { vi: 'Lời mời đã gửi', en: 'Invitations sent' },
    definition: {
      vi: 'Thẻ đăng ký Meta đã nhận gửi đi (không tính thẻ bị từ chối vì trùng).',
      en: 'Opt-in cards Meta accepted to deliver (duplicates Meta refused are not counted).',
    },
  },
  acceptanceRate: {
    label: { vi: 'Tỉ lệ đồng ý', en: 'Acceptance rate' },
    definition: {
      vi: 'Lời mời được chấp nhận / lời mời đã gửi.',
      en: 'Accepted invitations / invitations sent.',
    },
  },
  acceptances: {
    label: { vi: 'Lượt đồng ý', en: 'Acceptances' },
    definition: {
      vi: 'Các lần khách bấm đăng ký (kể cả nhập từ ngoài) trong lịch sử đồng ý.',
      en: 'Opt-ins recorded in the consent history (imports and outside opt-ins included).',
    },
  },
  stops: {
    label: { vi: 'Dừng nhận', en: 'Stops' },
    definition: {
      vi: 'Các lần khách bấm “Dừng nhận thông báo”.',
      en: 'Times customers tapped “Stop notifications”.',
    },
  },
  sends: {
    label: { vi: 'Thông báo đã gửi', en: 'Notifications sent' },
    definition: {
      vi: 'Thông báo đã gửi trên chủ đề (mỗi lần dùng một mã đăng ký), cả gửi lẻ và chiến dịch.',
      en: 'Notifications sent on the topic (one token use each), single sends and campaigns alike.',
    },
  },
  delivered: {
    label: { vi: 'Đã nhận', en: 'Delivered' },
    definition: { vi: 'Tin Meta báo đã đến máy khách.', en: 'Messages Meta reported delivered.' },
  },
  read: {
    label: { vi: 'Đã xem', en: 'Read' },
    definition: { vi: 'Tin Meta báo khách đã xem.', en: 'Messages Meta reported read.' },
  },
  clicked: {
    label: { vi: 'Đã nhấn', en: 'Clicked' },
    definition: {
      vi: 'Người nhận đã bấm một nút của tin (liên kết hoặc nút trả lời).',
      en: 'Recipients who tapped a button of the message (link or postback).',
    },
  },
  interactionRate: {
    label: { vi: 'Tỉ lệ tương tác', en: 'Interaction rate' },
    definition: {
      vi: 'Đã bấm / đã nhận, trên các thông báo gửi trong kỳ.',
      en: 'Clicked / delivered, over the notifications sent in the period.',
    },
  },
  waitingForReply: {
    label: { vi: 'Hội thoại chờ trả lời', en: 'Conversations waiting for a reply' },
    definition: {
      vi: 'Khách nhắn sau tin trả lời cuối cùng của trang, trong 7 ngày qua (còn trả lời được).',
      en: 'Customers who wrote after the page last answered, within the last 7 days (still answerable).',
    },
  },
} as const satisfies Record<string, Statistic>;

export type StatisticKey = keyof typeof STATISTICS;

/** The periods the console offers for rates over time (days, the page's calendar days). */
export const STAT_PERIODS = [7, 30, 90] as const;

export interface Funnel {
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
}

/** A topic's notifications in a period as a funnel with its rates (the same arithmetic as a campaign's). */
export function topicInteraction(f: Funnel) {
  return { ...f, rates: interactionRates(f) };
}
