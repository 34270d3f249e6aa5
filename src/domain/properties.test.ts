// Property-based tests of the pure rule engine (fast-check). Fixed time ranges, no system clock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  CustomerState,
  InvitationState,
  PageState,
  SenderKind,
  SubscriptionState,
  TopicKind,
  TopicState,
} from './model.ts';
import { type Frequency, PROFILES, type Profile } from './platform.ts';
import { resolveSend } from './send-resolver.ts';
import { decideAcceptance, isHeld, subscriptionStatus, usePatch } from './subscriptions.ts';
import { topicLists } from './topic-lists.ts';

const T0 = new Date('2026-03-02T03:00:00Z').getTime();
const H = 3_600_000;
const DAY = 24 * H;
const FAR = new Date('2035-01-01T00:00:00Z');

const ZONES = [
  'UTC',
  'Asia/Ho_Chi_Minh',
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kathmandu',
  'America/Sao_Paulo',
  'America/Santiago',
  'Asia/Tehran',
  'Pacific/Chatham',
] as const;

const senderArb = fc.constantFrom<SenderKind>('bot', 'agent', 'campaign');
const profileArb = fc.constantFrom<Profile>(...PROFILES);
const frequencyArb = fc.constantFrom<Frequency>('DAILY', 'WEEKLY', 'MONTHLY');

function page(o: Partial<PageState> = {}): PageState {
  return {
    id: 1,
    profile: 'legacy-2022',
    timeZone: 'UTC',
    region: 'JP',
    optInFeatureEnabled: true,
    restrictedReason: null,
    ...o,
  };
}
const customer = (lastInteractionAt: Date | null): CustomerState => ({
  id: 1,
  psid: 'psid-1',
  lastInteractionAt,
  unreachableReason: null,
});
function topic(id: number, kind: TopicKind, active = true): TopicState {
  return {
    id,
    name: `Topic ${id}`,
    kind,
    title: `Title ${id}`,
    active,
    frequency: kind === 'recurring' ? 'DAILY' : null,
    ctaText: kind === 'recurring' ? 'GET_UPDATES' : null,
    imageUrl: null,
    validityMonths: null,
  };
}

// --- Independent calendar oracle (Intl, not luxon) for R8b ------------------------------------------
const formatters = new Map<string, Intl.DateTimeFormat>();
function localDate(t: Date, zone: string): { y: number; m: number; d: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day) };
}
/** Day number (since epoch) of the Monday of t's local ISO week. */
function weekKey(t: Date, zone: string): number {
  const { y, m, d } = localDate(t, zone);
  const day = Date.UTC(y, m - 1, d) / DAY;
  const dow = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  return day - dow;
}
function monthKey(t: Date, zone: string): number {
  const { y, m } = localDate(t, zone);
  return y * 12 + m;
}
const DAILY_HOURS: Record<Profile, number> = { 'legacy-2022': 24, '2023': 24, '2025': 48, '2026': 48 };
/** R8b, stated independently: may a token last used at `sent` carry a message at `t`? */
function cooldownOver(profile: Profile, f: Frequency, zone: string, sent: Date, t: Date): boolean {
  if (f === 'DAILY') return t.getTime() - sent.getTime() >= DAILY_HOURS[profile] * H;
  if (f === 'WEEKLY') return weekKey(t, zone) !== weekKey(sent, zone);
  return monthKey(t, zone) !== monthKey(sent, zone);
}

describe('properties', () => {
  it('R4: every active topic is in exactly one of the two lists; inactive topics in none', () => {
    const topicsArb = fc
      .array(fc.record({ kind: fc.constantFrom<TopicKind>('recurring', 'one_time'), active: fc.boolean() }), {
        maxLength: 6,
      })
      .map((ts) => ts.map((t, i) => topic(i + 1, t.kind, t.active)));
    const invArb = fc
      .record({
        topicId: fc.integer({ min: 1, max: 8 }),
        sentOffset: fc.integer({ min: -400 * DAY, max: 0 }),
        acceptedAfter: fc.option(fc.integer({ min: 0, max: 10 * DAY })),
        refused: fc.boolean(),
      })
      .map(
        (r): InvitationState => ({
          id: 0,
          topicId: r.topicId,
          title: `Title ${r.topicId}`,
          sentAt: new Date(T0 + r.sentOffset),
          acceptedAt: r.acceptedAfter === null ? null : new Date(T0 + r.sentOffset + r.acceptedAfter),
          status: r.refused ? 'refused' : 'sent',
        }),
      );
    const subArb = fc
      .record({
        topicId: fc.integer({ min: 1, max: 8 }),
        kind: fc.constantFrom<TopicKind>('recurring', 'one_time'),
        optedOffset: fc.integer({ min: -400 * DAY, max: 0 }),
        life: fc.integer({ min: 0, max: 400 * DAY }),
        stopped: fc.boolean(),
        used: fc.boolean(),
      })
      .map(
        (r): SubscriptionState => ({
          id: 0,
          topicId: r.topicId,
          kind: r.kind,
          token: `t${r.topicId}`,
          invitationId: null,
          optedInAt: new Date(T0 + r.optedOffset),
          expiresAt: new Date(T0 + r.optedOffset + r.life),
          stoppedAt: r.stopped ? new Date(T0 + r.optedOffset) : null,
          usedAt: r.used && r.kind === 'one_time' ? new Date(T0 + r.optedOffset + 1) : null,
          frequency: r.kind === 'recurring' ? 'DAILY' : null,
          lastSentAt: null,
          nextEligibleAt: null,
        }),
      );
    fc.assert(
      fc.property(
        topicsArb,
        fc.array(invArb, { maxLength: 10 }),
        fc.array(subArb, { maxLength: 10 }),
        fc.integer({ min: -10 * DAY, max: 500 * DAY }),
        (topics, invitations, subscriptions, nowOffset) => {
          const now = new Date(T0 + nowOffset);
          const lists = topicLists(topics, invitations, subscriptions, now);
          const ids = [...lists.sent, ...lists.notSent].map((i) => i.topicId);
          for (const t of topics) {
            expect(ids.filter((id) => id === t.id)).toHaveLength(t.active ? 1 : 0);
          }
          expect(ids).toHaveLength(topics.filter((t) => t.active).length);
          for (const item of lists.sent) {
            expect(item.list).toBe('sent');
            expect(['invited', 'subscribed', 'stopped']).toContain(item.state);
          }
          for (const item of lists.notSent) {
            expect(item.list).toBe('not_sent');
            expect(['never_invited', 'expired', 'used']).toContain(item.state);
          }
          for (const item of [...lists.sent, ...lists.notSent]) {
            expect(item.resendableNow).toBe(item.resendAfter === null || now >= item.resendAfter);
            // R4c/d: a topic with a held subscription is under Sent; without one, never "subscribed".
            const held = subscriptions.some((s) => s.topicId === item.topicId && isHeld(s, now));
            expect(item.state === 'subscribed' || item.state === 'stopped').toBe(held);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('R7a: an OTN token is never consumed twice (accept / use / advance clock, in any order)', () => {
    type Op =
      | { op: 'invite' }
      | { op: 'accept'; inv: number; reuseToken: number | null; fresh: boolean }
      | { op: 'use'; sender: SenderKind; dt: number }
      | { op: 'advance'; dt: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.constant<Op>({ op: 'invite' }),
      fc.record({
        op: fc.constant('accept' as const),
        inv: fc.nat({ max: 5 }),
        reuseToken: fc.option(fc.nat({ max: 5 })),
        fresh: fc.boolean(),
      }),
      fc.record({ op: fc.constant('use' as const), sender: senderArb, dt: fc.integer({ min: 0, max: DAY }) }),
      fc.record({ op: fc.constant('advance' as const), dt: fc.integer({ min: 0, max: 200 * DAY }) }),
    );
    const t = topic(1, 'one_time');
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), profileArb, (ops, profile) => {
        const p = page({ profile, region: 'VN' });
        let now = T0;
        let rows: SubscriptionState[] = [];
        const invitations: Array<{ id: number; acceptedAt: Date | null }> = [];
        const consumed: string[] = [];
        let tokenSeq = 0;
        for (const o of ops) {
          if (o.op === 'invite') invitations.push({ id: invitations.length + 1, acceptedAt: null });
          else if (o.op === 'advance') now += o.dt;
          else if (o.op === 'accept') {
            const invitation = o.fresh ? null : (invitations[o.inv] ?? null);
            const reused = o.reuseToken === null ? undefined : rows[o.reuseToken];
            const token = reused ? reused.token : `otn-${++tokenSeq}`;
            const at = new Date(now);
            const decision = decideAcceptance({
              page: p,
              topic: t,
              invitation,
              existing: rows,
              event: { token, at },
            });
            if (decision.action === 'insert') {
              expect(rows.some((r) => r.token === decision.row.token)).toBe(false);
              rows = [...rows, { id: rows.length + 1, ...decision.row }];
              if (invitation) invitation.acceptedAt = at;
            } else {
              expect(decision.action).toBe('ignore'); // OTN rows are never rewritten
            }
          } else {
            now += o.dt;
            const at = new Date(now);
            const r = resolveSend({
              page: p,
              customer: customer(new Date(T0)),
              sender: o.sender,
              intent: { kind: 'notification', topic: t },
              subscriptions: rows,
              now: at,
            });
            if (r.ok) {
              const row = rows.find((x) => x.id === r.plan.subscriptionId);
              expect(row).toBeDefined();
              if (!row) return;
              expect(row.usedAt).toBeNull();
              expect(r.plan.recipient).toEqual({ one_time_notif_token: row.token });
              consumed.push(row.token);
              rows = rows.map((x) => (x.id === row.id ? { ...x, ...usePatch(x, p, at) } : x));
            }
          }
          // Invariants after every step.
          expect(new Set(consumed).size).toBe(consumed.length);
          expect(consumed.length).toBeLessThanOrEqual(rows.length);
          for (const row of rows) {
            if (row.usedAt !== null) {
              expect(subscriptionStatus(row, t, p, new Date(now)).status).toBe('used');
              expect(consumed).toContain(row.token);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('R8b: no notification is ever allowed inside a token cooldown; the first allowed instant is the cooldown bound', () => {
    fc.assert(
      fc.property(
        profileArb,
        frequencyArb,
        fc.constantFrom(...ZONES),
        fc.date({
          min: new Date('2018-01-01T00:00:00Z'),
          max: new Date('2028-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.array(fc.integer({ min: 0, max: 40 * DAY }), { minLength: 1, maxLength: 12 }),
        senderArb,
        (profile, frequency, zone, sentAt, offsets, sender) => {
          const p = page({ profile, timeZone: zone, region: 'JP' });
          const t = topic(1, 'recurring');
          const s0: SubscriptionState = {
            id: 1,
            topicId: 1,
            kind: 'recurring',
            token: 'rn',
            invitationId: null,
            optedInAt: new Date(sentAt.getTime() - DAY),
            expiresAt: FAR,
            stoppedAt: null,
            usedAt: null,
            frequency,
            lastSentAt: null,
            nextEligibleAt: null,
          };
          const s1 = { ...s0, ...usePatch(s0, p, sentAt) };
          const next = s1.nextEligibleAt;
          expect(next).not.toBeNull();
          if (!next) return;
          // The first allowed instant is exactly where the independent rule says the cooldown ends.
          expect(next.getTime()).toBeGreaterThan(sentAt.getTime());
          expect(cooldownOver(profile, frequency, zone, sentAt, next)).toBe(true);
          expect(cooldownOver(profile, frequency, zone, sentAt, new Date(next.getTime() - 1))).toBe(false);
          if (frequency === 'DAILY') expect(next.getTime()).toBe(sentAt.getTime() + DAILY_HOURS[profile] * H);
          const probes = [
            ...offsets.map((o) => new Date(sentAt.getTime() + o)),
            new Date(next.getTime() - 1),
            next,
          ];
          for (const at of probes) {
            const r = resolveSend({
              page: p,
              customer: customer(new Date(sentAt.getTime() - 30 * DAY)),
              sender,
              intent: { kind: 'notification', topic: t },
              subscriptions: [s1],
              now: at,
            });
            const allowed = cooldownOver(profile, frequency, zone, sentAt, at);
            expect(r.ok).toBe(allowed);
            if (!r.ok) {
              expect(at.getTime()).toBeLessThan(next.getTime());
              expect(r.reason).toBe('cooldown');
              expect(r.nextAt).toEqual(next);
            }
          }
        },
      ),
      {
        numRuns: 500,
        examples: [
          // Tehran, 2021: Monday 22 March 00:00 did not exist (clocks went 23:59:59 → 01:00).
          [
            'legacy-2022',
            'WEEKLY',
            'Asia/Tehran',
            new Date('2021-03-17T08:00:00Z'),
            [5 * DAY - 1, 5 * DAY],
            'bot',
          ],
          // Ho Chi Minh: Sunday 23:30 local → Monday 00:00 local.
          [
            'legacy-2022',
            'WEEKLY',
            'Asia/Ho_Chi_Minh',
            new Date('2026-03-08T16:30:00Z'),
            [H / 2, H / 2 - 1],
            'campaign',
          ],
          // New York across the March DST change.
          ['legacy-2022', 'WEEKLY', 'America/New_York', new Date('2026-03-04T17:00:00Z'), [4 * DAY], 'agent'],
          [
            'legacy-2022',
            'MONTHLY',
            'America/New_York',
            new Date('2026-01-31T23:00:00Z'),
            [DAY, 30 * DAY],
            'bot',
          ],
        ],
      },
    );
  });

  it('R8a/R7a: moving the clock forward never makes an expired subscription valid again without a new acceptance', () => {
    type Op =
      | { op: 'advance'; dt: number }
      | { op: 'stop' }
      | { op: 'resume' }
      | { op: 'toggleTopic' }
      | { op: 'use' };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('advance' as const), dt: fc.integer({ min: 0, max: 120 * DAY }) }),
      fc.constant<Op>({ op: 'stop' }),
      fc.constant<Op>({ op: 'resume' }),
      fc.constant<Op>({ op: 'toggleTopic' }),
      fc.constant<Op>({ op: 'use' }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom<TopicKind>('recurring', 'one_time'),
        frequencyArb,
        profileArb,
        fc.constantFrom('JP', 'VN', null),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 1, max: 400 * DAY }),
        fc.array(opArb, { maxLength: 30 }),
        (kind, frequency, profile, region, zone, life, ops) => {
          const p = page({ profile, region, timeZone: zone });
          let active = true;
          let now = T0;
          let s: SubscriptionState = {
            id: 1,
            topicId: 1,
            kind,
            token: 'tok',
            invitationId: null,
            optedInAt: new Date(T0),
            expiresAt: new Date(T0 + life),
            stoppedAt: null,
            usedAt: null,
            frequency: kind === 'recurring' ? frequency : null,
            lastSentAt: null,
            nextEligibleAt: null,
          };
          let seenExpired = false;
          for (const o of ops) {
            if (o.op === 'advance') now += o.dt;
            else if (o.op === 'stop') s = s.stoppedAt ? s : { ...s, stoppedAt: new Date(now) };
            else if (o.op === 'resume') s = { ...s, stoppedAt: null };
            else if (o.op === 'toggleTopic') active = !active;
            else if (subscriptionStatus(s, { active, kind }, p, new Date(now)).status === 'valid') {
              s = { ...s, ...usePatch(s, p, new Date(now)) };
            }
            const at = new Date(now);
            const status = subscriptionStatus(s, { active, kind }, p, at).status;
            if (status === 'expired' || at >= s.expiresAt) seenExpired = true;
            if (seenExpired) {
              expect(status).not.toBe('valid');
              expect(isHeld(s, at)).toBe(false);
              const r = resolveSend({
                page: p,
                customer: customer(new Date(T0)),
                sender: 'campaign',
                intent: { kind: 'notification', topic: { ...topic(1, kind), active } },
                subscriptions: [s],
                now: at,
              });
              expect(r.ok).toBe(false);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
