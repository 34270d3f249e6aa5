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
