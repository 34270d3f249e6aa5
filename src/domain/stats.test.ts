import { describe, expect, it } from 'vitest';
import { bucketIndex, dayBuckets, interactionRates, rate, subscribersAt, validIntervals } from './stats.ts';

const T = (s: string) => new Date(s);

describe('statistics arithmetic', () => {
  it('rates round to 4 decimals and are null over nothing', () => {
    expect(rate(2, 3)).toBe(0.6667);
    expect(rate(0, 0)).toBeNull();
    expect(interactionRates({ sent: 10, delivered: 8, read: 4, clicked: 1 })).toEqual({
      delivered: 0.8,
      read: 0.5,
      clicked: 0.25,
      overall: 0.125,
    });
  });

  it('days are calendar days of the page time zone, today ending now', () => {
    const now = T('2026-03-02T03:00:00Z'); // 10:00 in Ho Chi Minh City
    const b = dayBuckets(now, 3, 'Asia/Ho_Chi_Minh');
    expect(b.map((x) => x.date)).toEqual(['2026-02-28', '2026-03-01', '2026-03-02']);
    expect(b[0]!.start.toISOString()).toBe('2026-02-27T17:00:00.000Z');
    expect(b[2]!.end).toEqual(now);
    expect(bucketIndex(b, T('2026-03-01T16:59:59Z'))).toBe(1);
    expect(bucketIndex(b, T('2026-03-01T17:00:00Z'))).toBe(2);
    expect(bucketIndex(b, T('2026-02-27T16:59:59Z'))).toBe(-1);
    expect(bucketIndex(b, now)).toBe(-1);
    // a DST change makes a 23-hour day, not a skipped or doubled date
    const ny = dayBuckets(T('2026-03-09T15:00:00Z'), 3, 'America/New_York');
    expect(ny.map((x) => x.date)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(ny[1]!.end.getTime() - ny[1]!.start.getTime()).toBe(23 * 3_600_000);
  });

  const sub = (id: number, customerId: number, kind: 'recurring' | 'one_time', expiresAt: string) => ({
    id,
    customerId,
    kind,
    expiresAt: T(expiresAt),
  });

  it('R10b: a subscription is valid from acceptance to stop, from resume to expiry', () => {
    const s = sub(1, 1, 'recurring', '2026-06-01T00:00:00Z');
    const iv = validIntervals(s, [
      { subscriptionId: 1, event: 'accepted', at: T('2026-01-01T00:00:00Z') },
      { subscriptionId: 1, event: 'used', at: T('2026-01-02T00:00:00Z') }, // recurring use: a cooldown, still valid
      { subscriptionId: 1, event: 'stopped', at: T('2026-01-05T00:00:00Z') },
      { subscriptionId: 1, event: 'accepted_again', at: T('2026-01-06T00:00:00Z') },
      { subscriptionId: 1, event: 'resumed', at: T('2026-01-10T00:00:00Z') },
    ]);
    expect(iv).toEqual([
      { from: T('2026-01-01T00:00:00Z'), to: T('2026-01-05T00:00:00Z') },
      { from: T('2026-01-10T00:00:00Z'), to: T('2026-06-01T00:00:00Z') },
    ]);
  });

  it('R10b + R7a: an OTN token ends when used; a customer with two tokens counts once', () => {
    const subs = [
      sub(1, 7, 'one_time', '2027-01-01T00:00:00Z'),
      sub(2, 7, 'one_time', '2027-01-01T00:00:00Z'),
    ];
    const events = [
      { subscriptionId: 1, event: 'accepted' as const, at: T('2026-01-01T00:00:00Z') },
      { subscriptionId: 2, event: 'accepted' as const, at: T('2026-01-02T00:00:00Z') },
      { subscriptionId: 1, event: 'used' as const, at: T('2026-01-03T00:00:00Z') },
      { subscriptionId: 2, event: 'used' as const, at: T('2026-01-04T00:00:00Z') },
    ];
    const at = [
      '2025-12-31',
      '2026-01-01T12:00:00Z',
      '2026-01-02T12:00:00Z',
      '2026-01-03T12:00:00Z',
      '2026-01-05',
    ].map(T);
    expect(subscribersAt(subs, events, at)).toEqual([0, 1, 1, 1, 0]);
  });

  it('R10b + R3b: expiry ends validity even before the sweep records it; a newer acceptance renews it', () => {
    const s = sub(1, 1, 'recurring', '2026-09-01T00:00:00Z');
    const events = [
      { subscriptionId: 1, event: 'accepted' as const, at: T('2026-01-01T00:00:00Z') },
      { subscriptionId: 1, event: 'expired' as const, at: T('2026-02-01T00:00:00Z') },
      { subscriptionId: 1, event: 'accepted' as const, at: T('2026-03-01T00:00:00Z') },
    ];
    const at = ['2026-01-15', '2026-02-15', '2026-03-15', '2026-09-02'].map(T);
    expect(subscribersAt([s], events, at)).toEqual([1, 0, 1, 0]);
  });
});
