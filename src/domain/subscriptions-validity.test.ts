// Pure subscription rules: one-time tokens (R7), recurring validity and cooldown (R8a, R8b), stop and
// resume (R8c), the 2026 profile's region rule.
import { describe, expect, it } from 'vitest';
import { page, topic } from '../../test/support/domain-fixtures.ts';
import type { SubscriptionState } from './model.ts';
import type { Frequency, Profile } from './platform.ts';
import {
  decideAcceptance,
  decideResume,
  decideStop,
  isExpired,
  isHeld,
  pickSubscription,
  recurringExpiry,
  subscriptionStatus,
  usePatch,
} from './subscriptions.ts';
import { apply, at, DAY, d, H, otnSub, otnTopic, sub, T0 } from './testing/subscription-fixtures.ts';

describe('R7 one-time notifications', () => {
  it('R7a: accepting gives one token valid exactly one year: valid 1 ms before, expired at the instant', () => {
    const decision = decideAcceptance({
      page: page(),
      topic: otnTopic(),
      invitation: { id: 3, acceptedAt: null },
      existing: [],
      event: { token: 'otn-1', at: T0 },
    });
    expect(decision.action).toBe('insert');
    if (decision.action !== 'insert') return;
    expect(decision.row).toMatchObject({ kind: 'one_time', token: 'otn-1', invitationId: 3, usedAt: null });
    const row: SubscriptionState = { id: 1, ...decision.row };
    const expiry = d('2027-03-02T03:00:00Z');
    expect(row.expiresAt).toEqual(expiry);
    const t = otnTopic();
    expect(subscriptionStatus(row, t, page(), new Date(expiry.getTime() - 1)).status).toBe('valid');
    expect(subscriptionStatus(row, t, page(), expiry).status).toBe('expired');
    expect(isExpired(row, expiry)).toBe(true);
    expect(isHeld(row, expiry)).toBe(false);
  });

  it('R7a: a used OTN token is never valid again; a new acceptance gives a new valid one', () => {
    const t = otnTopic();
    const row = otnSub();
    const patch = usePatch(row, page(), at(H));
    expect(patch).toEqual({ usedAt: at(H), lastSentAt: at(H), nextEligibleAt: null });
    const used = { ...row, ...patch };
    expect(subscriptionStatus(used, t, page(), at(2 * H)).status).toBe('used');
    expect(subscriptionStatus(used, t, page(), at(200 * DAY)).status).toBe('used');
    expect(isHeld(used, at(2 * H))).toBe(false);
    const again = decideAcceptance({
      page: page(),
      topic: t,
      invitation: null,
      existing: [used],
      event: { token: 'otn-2', at: at(3 * H) },
    });
    expect(again.action).toBe('insert');
    const rows = apply([used], again);
    expect(rows.map((r) => subscriptionStatus(r, t, page(), at(4 * H)).status)).toEqual(['used', 'valid']);
  });

  it('R7d: two acceptances stack into two tokens; the send uses the soonest-expiring valid one, then the other', () => {
    const t = otnTopic();
    let rows: SubscriptionState[] = [];
    rows = apply(
      rows,
      decideAcceptance({
        page: page(),
        topic: t,
        invitation: { id: 1, acceptedAt: null },
        existing: rows,
        event: { token: 'A', at: T0 },
      }),
    );
    rows = apply(
      rows,
      decideAcceptance({
        page: page(),
        topic: t,
        invitation: { id: 2, acceptedAt: null },
        existing: rows,
        event: { token: 'B', at: at(-DAY) }, // accepted earlier → expires sooner
      }),
    );
    expect(rows.map((r) => r.token)).toEqual(['A', 'B']);
    const now = at(H);
    const first = pickSubscription(rows, t, page(), now);
    expect(first?.sub.token).toBe('B');
    expect(first?.verdict.status).toBe('valid');
    rows = rows.map((r) => (r.token === 'B' ? { ...r, ...usePatch(r, page(), now) } : r));
    const second = pickSubscription(rows, t, page(), at(2 * H));
    expect(second?.sub.token).toBe('A');
    expect(second?.verdict.status).toBe('valid');
    rows = rows.map((r) => (r.token === 'A' ? { ...r, ...usePatch(r, page(), at(2 * H)) } : r));
    expect(pickSubscription(rows, t, page(), at(3 * H))?.verdict.status).toBe('used');
  });

  it('R7d: a used token is never picked over a valid one, even if it expires sooner', () => {
    const t = otnTopic();
    const rows = [
      otnSub({ id: 1, token: 'used', expiresAt: at(10 * DAY), usedAt: at(H) }),
      otnSub({ id: 2, token: 'later', expiresAt: at(300 * DAY) }),
    ];
    expect(pickSubscription(rows, t, page(), at(2 * H))?.sub.token).toBe('later');
    expect(pickSubscription([], t, page(), at(2 * H))).toBeNull();
  });
});

describe('R8a recurring validity', () => {
  it.each([
    { f: 'DAILY' as Frequency, months: null, want: '2026-09-02T03:00:00Z' },
    { f: 'WEEKLY' as Frequency, months: null, want: '2026-12-02T03:00:00Z' },
    { f: 'MONTHLY' as Frequency, months: null, want: '2027-03-02T03:00:00Z' },
    { f: 'DAILY' as Frequency, months: 3, want: '2026-06-02T03:00:00Z' },
    { f: 'MONTHLY' as Frequency, months: 24, want: '2028-03-02T03:00:00Z' },
  ])('R8a: no expiry from Meta: $f topic, validityMonths $months → expires $want', ({ f, months, want }) => {
    expect(recurringExpiry({ frequency: f, validityMonths: months }, T0, null)).toEqual(d(want));
  });

  it("R8a: Meta's expiry, when the opt-in carries one, wins over the topic's validity", () => {
    const meta = d('2026-04-01T00:00:00Z');
    expect(recurringExpiry({ frequency: 'MONTHLY', validityMonths: 12 }, T0, meta)).toEqual(meta);
    const decision = decideAcceptance({
      page: page(),
      topic: topic({ frequency: 'MONTHLY' }),
      invitation: null,
      existing: [],
      event: { token: 't', at: T0, metaExpiry: meta, frequency: 'MONTHLY' },
    });
    expect(decision.action === 'insert' && decision.row.expiresAt).toEqual(meta);
  });

  it.each([
    {
      profile: 'legacy-2022' as Profile,
      topicF: 'WEEKLY' as Frequency,
      tokenF: 'WEEKLY',
      exp: '2026-12-02T03:00:00Z',
    },
    {
      profile: '2023' as Profile,
      topicF: 'WEEKLY' as Frequency,
      tokenF: 'DAILY',
      exp: '2026-12-02T03:00:00Z',
    },
    {
      profile: '2025' as Profile,
      topicF: 'MONTHLY' as Frequency,
      tokenF: 'DAILY',
      exp: '2027-03-02T03:00:00Z',
    },
  ])(
    "R8a: under $profile a $topicF topic's new token is $tokenF and keeps the topic's validity",
    ({ profile, topicF, tokenF, exp }) => {
      const decision = decideAcceptance({
        page: page({ profile }),
        topic: topic({ frequency: topicF }),
        invitation: null,
        existing: [],
        event: { token: 't', at: T0 },
      });
      expect(decision.action).toBe('insert');
      if (decision.action !== 'insert') return;
      expect(decision.row.frequency).toBe(tokenF);
      expect(decision.row.expiresAt).toEqual(d(exp));
    },
  );

  it('R8a: a recurring subscription is valid 1 ms before its expiry and expired at the instant', () => {
    const s = sub({ expiresAt: at(30 * DAY) });
    expect(subscriptionStatus(s, topic(), page(), at(30 * DAY - 1)).status).toBe('valid');
    expect(subscriptionStatus(s, topic(), page(), at(30 * DAY)).status).toBe('expired');
  });
});

describe('R8b cooldown per token (usePatch + subscriptionStatus)', () => {
  interface Row {
    what: string;
    profile: Profile;
    frequency: Frequency;
    zone: string;
    sent: string;
    /** first instant the token is valid again */
    next: string;
  }
  const rows: Row[] = [
    {
      what: 'DAILY legacy-2022: 24 h',
      profile: 'legacy-2022',
      frequency: 'DAILY',
      zone: 'UTC',
      sent: '2026-03-02T03:00:00Z',
      next: '2026-03-03T03:00:00Z',
    },
    {
      what: 'DAILY 2023: 24 h',
      profile: '2023',
      frequency: 'DAILY',
      zone: 'Asia/Ho_Chi_Minh',
      sent: '2026-03-02T03:00:00Z',
      next: '2026-03-03T03:00:00Z',
    },
    {
      what: 'DAILY 2025: 48 h',
      profile: '2025',
      frequency: 'DAILY',
      zone: 'Asia/Ho_Chi_Minh',
      sent: '2026-03-02T03:00:00Z',
      next: '2026-03-04T03:00:00Z',
    },
    {
      what: 'DAILY 2026: 48 h',
      profile: '2026',
      frequency: 'DAILY',
      zone: 'UTC',
      sent: '2026-03-02T03:00:00Z',
      next: '2026-03-04T03:00:00Z',
    },
    {
      what: 'WEEKLY Ho Chi Minh: Sunday 23:30 local → Monday 00:00 local = Sunday 17:00 UTC',
      profile: 'legacy-2022',
      frequency: 'WEEKLY',
      zone: 'Asia/Ho_Chi_Minh',
      sent: '2026-03-08T16:30:00Z',
      next: '2026-03-08T17:00:00Z',
    },
    {
      what: 'WEEKLY New York across DST: Monday 00:00 EDT',
      profile: 'legacy-2022',
      frequency: 'WEEKLY',
      zone: 'America/New_York',
      sent: '2026-03-04T17:00:00Z',
      next: '2026-03-09T04:00:00Z',
    },
    {
      what: 'MONTHLY Ho Chi Minh: Jan 31 23:00 local → Feb 1 00:00 local',
      profile: 'legacy-2022',
      frequency: 'MONTHLY',
      zone: 'Asia/Ho_Chi_Minh',
      sent: '2026-01-31T16:00:00Z',
      next: '2026-01-31T17:00:00Z',
    },
    {
      what: 'MONTHLY UTC: Jan 31 → Feb 1, not Feb 28',
      profile: 'legacy-2022',
      frequency: 'MONTHLY',
      zone: 'UTC',
      sent: '2026-01-31T10:00:00Z',
      next: '2026-02-01T00:00:00Z',
    },
  ];
  it.each(rows)(
    'R8b: $what — cooldown until 1 ms before, valid at the instant',
    ({ profile, frequency, zone, sent, next }) => {
      const p = page({ profile, timeZone: zone, region: 'JP' });
      const s0 = sub({ frequency, expiresAt: d('2027-12-31T00:00:00Z') });
      const patch = usePatch(s0, p, d(sent));
      expect(patch).toEqual({ usedAt: null, lastSentAt: d(sent), nextEligibleAt: d(next) });
      const s1 = { ...s0, ...patch };
      const justBefore = new Date(d(next).getTime() - 1);
      expect(subscriptionStatus(s1, topic(), p, justBefore)).toEqual({ status: 'cooldown', nextAt: d(next) });
      expect(subscriptionStatus(s1, topic(), p, d(next))).toEqual({ status: 'valid', nextAt: null });
    },
  );

  it('R8b: a recurring use never marks the token used (it is reusable after the cooldown)', () => {
    const s1 = { ...sub(), ...usePatch(sub(), page(), T0) };
    expect(s1.usedAt).toBeNull();
    expect(isHeld(s1, at(H))).toBe(true);
  });
});

describe('R8c stop and resume', () => {
  it('R8c: stop is idempotent and a stopped subscription is not valid', () => {
    const s = sub();
    const change = decideStop(s, at(H));
    expect(change).toEqual({ stoppedAt: at(H) });
    const stopped = { ...s, ...change };
    expect(decideStop(stopped, at(2 * H))).toBeNull();
    expect(subscriptionStatus(stopped, topic(), page(), at(2 * H)).status).toBe('stopped');
  });
  it('R8c: resume is idempotent and makes the subscription valid again', () => {
    const stopped = sub({ stoppedAt: at(H) });
    const change = decideResume(stopped);
    expect(change).toEqual({ stoppedAt: null });
    const resumed = { ...stopped, ...change };
    expect(decideResume(resumed)).toBeNull();
    expect(subscriptionStatus(resumed, topic(), page(), at(2 * H)).status).toBe('valid');
  });
  it('R8c: resuming an expired subscription does not make it valid', () => {
    const resumed = { ...sub({ stoppedAt: at(H), expiresAt: at(DAY) }), stoppedAt: null };
    expect(subscriptionStatus(resumed, topic(), page(), at(DAY)).status).toBe('expired');
  });
});

describe('2026 profile region rule', () => {
  it.each([
    ['VN', 'region_not_allowed'],
    ['US', 'region_not_allowed'],
    [null, 'region_not_allowed'],
    ['AU', 'valid'],
    ['IT', 'valid'],
    ['JP', 'valid'],
    ['KR', 'valid'],
    ['UK', 'valid'],
  ] as const)('R8b: 2026 profile, recurring token, region %s → %s', (region, status) => {
    expect(subscriptionStatus(sub(), topic(), page({ profile: '2026', region }), at(H)).status).toBe(status);
  });
  it('R8b: 2026 profile leaves OTN unchanged outside the allowed regions', () => {
    expect(
      subscriptionStatus(otnSub(), otnTopic(), page({ profile: '2026', region: 'VN' }), at(H)).status,
    ).toBe('valid');
  });
  it('R8b: the region rule applies only from the 2026 profile', () => {
    expect(subscriptionStatus(sub(), topic(), page({ profile: '2025', region: 'VN' }), at(H)).status).toBe(
      'valid',
    );
  });
});
