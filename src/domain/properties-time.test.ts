// Property-based tests of the pure rule engine (fast-check): cooldowns (R8b) and expiry (R8a/R7a) as
// the clock moves. Fixed time ranges, no system clock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SubscriptionState, TopicKind } from './model.ts';
import { resolveSend } from './send-resolver.ts';
import { isHeld, subscriptionStatus, usePatch } from './subscriptions.ts';
import {
  cooldownOver,
  customer,
  DAILY_HOURS,
  DAY,
  FAR,
  frequencyArb,
  H,
  page,
  profileArb,
  senderArb,
  T0,
  topic,
  ZONES,
} from './testing/property-fixtures.ts';

describe('properties', () => {
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
