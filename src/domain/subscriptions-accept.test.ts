// Pure subscription rules: accepting invitations (R3) and a topic's deactivation (R5b).
import { describe, expect, it } from 'vitest';
import { page, topic } from '../../test/support/domain-fixtures.ts';
import { decideAcceptance, isHeld, subscriptionStatus } from './subscriptions.ts';
import { apply, at, DAY, d, H, otnSub, otnTopic, sub, T0 } from './testing/subscription-fixtures.ts';

describe('R3 accepting', () => {
  it('R3a: the same OTN invitation accepted twice is counted once and keeps the first acceptance time', () => {
    const t = otnTopic();
    const first = decideAcceptance({
      page: page(),
      topic: t,
      invitation: { id: 7, acceptedAt: null },
      existing: [],
      event: { token: 'otn-A', at: at(H) },
    });
    expect(first).toMatchObject({ action: 'insert', history: 'accepted' });
    const rows = apply([], first);
    expect(rows[0]?.optedInAt).toEqual(at(H));
    // The customer taps the same button again; Meta may even send a fresh token.
    const again = decideAcceptance({
      page: page(),
      topic: t,
      invitation: { id: 7, acceptedAt: at(H) },
      existing: rows,
      event: { token: 'otn-B', at: at(2 * H) },
    });
    expect(again).toEqual({ action: 'ignore', history: 'accepted_again', subscriptionId: 1 });
    expect(apply(rows, again)).toEqual(rows);
    expect(apply(rows, again)[0]?.optedInAt).toEqual(at(H));
  });

  it('R3a: the same recurring invitation accepted twice is counted once', () => {
    const existing = [sub({ invitationId: 7, optedInAt: at(H) })];
    const again = decideAcceptance({
      page: page(),
      topic: topic(),
      invitation: { id: 7, acceptedAt: at(H) },
      existing,
      event: { token: 'tok-1', at: at(3 * H) },
    });
    expect(again).toEqual({ action: 'ignore', history: 'accepted_again', subscriptionId: 1 });
  });

  it('R3a: a redelivered opt-in with a token already held (no invitation) is counted once', () => {
    const existing = [otnSub({ token: 'otn-A', optedInAt: at(H) })];
    const again = decideAcceptance({
      page: page(),
      topic: otnTopic(),
      invitation: null,
      existing,
      event: { token: 'otn-A', at: at(H) },
    });
    expect(again).toMatchObject({ action: 'ignore', history: 'accepted_again' });
  });

  it('R3b: a newer invitation accepted → token, opt-in time and validity move to it; the cooldown restarts with the new token', () => {
    const existing = [
      sub({
        invitationId: 7,
        token: 'tok-old',
        optedInAt: T0,
        expiresAt: at(10 * DAY),
        stoppedAt: at(DAY),
        lastSentAt: at(2 * DAY),
        nextEligibleAt: at(3 * DAY),
      }),
    ];
    const later = at(2 * DAY + H);
    const decision = decideAcceptance({
      page: page(),
      topic: topic({ frequency: 'WEEKLY' }),
      invitation: { id: 8, acceptedAt: null },
      existing,
      event: { token: 'tok-new', at: later },
    });
    expect(decision.action).toBe('update');
    if (decision.action !== 'update') return;
    expect(decision.subscriptionId).toBe(1);
    expect(decision.row).toMatchObject({
      token: 'tok-new',
      invitationId: 8,
      optedInAt: later,
      expiresAt: d('2026-12-04T04:00:00Z'), // + 9 months (WEEKLY)
      stoppedAt: null,
      frequency: 'WEEKLY',
      lastSentAt: null,
      nextEligibleAt: null,
    });
  });

  it('R3b: a newer invitation accepted with the same token Meta reuses → time and validity still move to it; the token keeps its cooldown', () => {
    const existing = [
      sub({
        invitationId: 7,
        token: 'tok-1',
        optedInAt: T0,
        expiresAt: at(10 * DAY),
        lastSentAt: at(2 * DAY),
        nextEligibleAt: at(3 * DAY),
      }),
    ];
    const later = at(2 * DAY + H);
    const decision = decideAcceptance({
      page: page({ profile: '2023' }),
      topic: topic({ validityMonths: 3 }),
      invitation: { id: 8, acceptedAt: null },
      existing,
      event: { token: 'tok-1', at: later },
    });
    expect(decision.action).toBe('update');
    if (decision.action !== 'update') return;
    expect(decision.row).toMatchObject({
      token: 'tok-1',
      invitationId: 8,
      optedInAt: later,
      expiresAt: d('2026-06-04T04:00:00Z'),
      lastSentAt: at(2 * DAY),
      nextEligibleAt: at(3 * DAY),
    });
  });

  it('R3b: a stale acceptance of an older invitation, arriving late, is ignored (history only)', () => {
    const existing = [sub({ invitationId: 8, token: 'tok-new', optedInAt: at(2 * DAY) })];
    const decision = decideAcceptance({
      page: page(),
      topic: topic(),
      invitation: { id: 7, acceptedAt: null },
      existing,
      event: { token: 'tok-old', at: at(DAY) },
    });
    expect(decision).toEqual({ action: 'ignore', history: 'accepted_stale', subscriptionId: 1 });
  });

  it('R3c: every acceptance decision names the history row it writes', () => {
    const histories = [
      decideAcceptance({
        page: page(),
        topic: topic(),
        invitation: null,
        existing: [],
        event: { token: 'a', at: T0 },
      }),
      decideAcceptance({
        page: page(),
        topic: topic(),
        invitation: { id: 1, acceptedAt: T0 },
        existing: [sub({ invitationId: 1 })],
        event: { token: 'tok-1', at: at(H) },
      }),
      decideAcceptance({
        page: page(),
        topic: topic(),
        invitation: null,
        existing: [sub({ optedInAt: at(DAY) })],
        event: { token: 'z', at: T0 },
      }),
    ].map((x) => x.history);
    expect(histories).toEqual(['accepted', 'accepted_again', 'accepted_stale']);
  });
});

describe('R5b deactivation suspends, reactivation restores what has not expired', () => {
  const s = sub({ expiresAt: at(10 * DAY) });
  it('R5b: a subscription of a deactivated topic is suspended, not valid', () => {
    expect(subscriptionStatus(s, { active: false, kind: 'recurring' }, page(), at(DAY)).status).toBe(
      'suspended',
    );
    expect(isHeld(s, at(DAY))).toBe(true); // kept
  });
  it('R5b: reactivated before expiry → valid again', () => {
    expect(subscriptionStatus(s, { active: true, kind: 'recurring' }, page(), at(9 * DAY)).status).toBe(
      'valid',
    );
  });
  it('R5b: reactivated after the expiry passed meanwhile → expired (expiry kept running)', () => {
    expect(subscriptionStatus(s, { active: true, kind: 'recurring' }, page(), at(10 * DAY)).status).toBe(
      'expired',
    );
  });
});
