// Property-based tests of the pure rule engine (fast-check): topic lists (R4) and OTN tokens (R7a).
// Fixed time ranges, no system clock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InvitationState, SenderKind, SubscriptionState, TopicKind } from './model.ts';
import { resolveSend } from './send-resolver.ts';
import { decideAcceptance, isHeld, subscriptionStatus, usePatch } from './subscriptions.ts';
import { customer, DAY, page, profileArb, senderArb, T0, topic } from './testing/property-fixtures.ts';
import { topicLists } from './topic-lists.ts';

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
});
