// The send resolver on invitations: R2 (window, feature, same title), R4 resends, and the opt-in back-off.
import { describe, expect, it } from 'vitest';
import { customer, page, topic } from '../../test/support/domain-fixtures.ts';
import { ago, DAY, H, inv, later, NOW, refusal, sub } from '../../test/support/resolver-fixtures.ts';
import type { CustomerState, InvitationState, PageState, SubscriptionState, TopicState } from './model.ts';
import { REASON_TEXT } from './reasons.ts';
import { resolveSend } from './send-resolver.ts';

describe('R2 sending an invitation', () => {
  const invite = (o: {
    age?: number | null;
    p?: PageState;
    t?: TopicState;
    invitations?: InvitationState[];
    subscriptions?: SubscriptionState[];
    now?: Date;
  }) =>
    resolveSend({
      page: o.p ?? page(),
      customer: customer(o.age === null ? null : ago(o.age ?? H)),
      sender: 'agent',
      intent: { kind: 'invitation', topic: o.t ?? topic() },
      invitations: o.invitations ?? [],
      subscriptions: o.subscriptions ?? [],
      now: o.now ?? NOW,
    });

  it('R2a: inside 24 h (23:59:59.999) an invitation goes as RESPONSE to the PSID', () => {
    expect(invite({ age: 24 * H - 1 })).toEqual({
      ok: true,
      plan: { messagingType: 'RESPONSE', tag: null, recipient: { id: 'psid-1' }, subscriptionId: null },
    });
  });
  it.each([
    { age: 24 * H, reason: 'invitation_outside_window' },
    { age: 3 * DAY, reason: 'invitation_outside_window' },
    { age: 7 * DAY, reason: 'invitation_outside_window' },
    { age: null, reason: 'never_interacted' },
  ])('R2a: at age $age ms an invitation is refused with $reason', ({ age, reason }) => {
    expect(refusal(invite({ age }))).toEqual({ reason, nextAt: null });
  });
  it('R2a: even a bot or campaign cannot send an invitation outside 24 h', () => {
    for (const sender of ['bot', 'campaign'] as const) {
      const r = resolveSend({
        page: page(),
        customer: customer(ago(24 * H)),
        sender,
        intent: { kind: 'invitation', topic: topic() },
        now: NOW,
      });
      expect(refusal(r)).toEqual({ reason: 'invitation_outside_window', nextAt: null });
    }
  });

  it('R2b: feature disabled → refused with feature_disabled, even inside 24 h', () => {
    expect(refusal(invite({ p: page({ optInFeatureEnabled: false }) }))).toEqual({
      reason: 'feature_disabled',
      nextAt: null,
    });
  });
  it('R2b: a refusal changes no state (inputs untouched)', () => {
    const invitations = Object.freeze([inv({ sentAt: ago(30 * DAY) })]) as unknown as InvitationState[];
    const before = JSON.stringify(invitations);
    invite({ p: page({ optInFeatureEnabled: false }), invitations });
    expect(JSON.stringify(invitations)).toBe(before);
  });
  it('R2: an invitation on a deactivated topic is refused with topic_inactive', () => {
    expect(refusal(invite({ t: topic({ active: false }) }))).toEqual({
      reason: 'topic_inactive',
      nextAt: null,
    });
  });

  it('R2c: the same topic sent within 7 days is refused with the date it can go', () => {
    const sentAt = ago(7 * DAY - 1);
    expect(refusal(invite({ invitations: [inv({ sentAt })] }))).toEqual({
      reason: 'invitation_too_soon',
      nextAt: new Date(sentAt.getTime() + 7 * DAY),
    });
  });
  it('R2c: another topic with the same title sent within 7 days blocks too', () => {
    const other = inv({ id: 9, topicId: 5, title: 'Daily deals', sentAt: ago(3 * DAY) });
    expect(refusal(invite({ invitations: [other] }))).toEqual({
      reason: 'invitation_too_soon',
      nextAt: later(4 * DAY),
    });
  });
  it('R2c: a refused (duplicate) invitation of the same title still blocks', () => {
    const other = inv({ id: 9, topicId: 5, sentAt: ago(DAY), status: 'refused' });
    expect(refusal(invite({ invitations: [other] }))).toMatchObject({ reason: 'invitation_too_soon' });
  });
  it('R2c: another topic with a different title does not block', () => {
    const other = inv({ id: 9, topicId: 5, title: 'Weekly digest', sentAt: ago(DAY) });
    expect(invite({ invitations: [other] }).ok).toBe(true);
  });
  it('R2c: exactly 7 days later the same title is allowed again (same topic and another topic)', () => {
    expect(invite({ invitations: [inv({ sentAt: ago(7 * DAY) })] }).ok).toBe(true);
    expect(invite({ invitations: [inv({ id: 9, topicId: 5, sentAt: ago(7 * DAY) })] }).ok).toBe(true);
  });
});

describe('R4 through the resolver', () => {
  it('R4b: resending an invited, unaccepted topic before sent_at + 7 days is refused', () => {
    const r = resolveSend({
      page: page(),
      customer: customer(ago(H)),
      sender: 'agent',
      intent: { kind: 'invitation', topic: topic() },
      invitations: [inv({ sentAt: ago(DAY) })],
      now: NOW,
    });
    expect(refusal(r)).toEqual({ reason: 'invitation_too_soon', nextAt: later(6 * DAY) });
  });
  it('R4e: an agent may resend from the Sent list once its date has passed', () => {
    const r = resolveSend({
      page: page(),
      customer: customer(ago(H)),
      sender: 'agent',
      intent: { kind: 'invitation', topic: topic() },
      invitations: [inv({ sentAt: ago(8 * DAY) })],
      now: NOW,
    });
    expect(r.ok).toBe(true);
  });
  it('R4f: picking a topic the customer already holds is refused with already_subscribed and its expiry', () => {
    const r = resolveSend({
      page: page(),
      customer: customer(ago(H)),
      sender: 'agent',
      intent: { kind: 'invitation', topic: topic() },
      invitations: [inv({ sentAt: ago(30 * DAY), acceptedAt: ago(30 * DAY) })],
      subscriptions: [sub()],
      now: NOW,
    });
    expect(r).toEqual({
      ok: false,
      reason: 'already_subscribed',
      text: REASON_TEXT.already_subscribed,
      nextAt: later(150 * DAY),
    });
  });
  it('R4d: an expired subscription no longer blocks a new invitation', () => {
    const r = resolveSend({
      page: page(),
      customer: customer(ago(H)),
      sender: 'agent',
      intent: { kind: 'invitation', topic: topic() },
      invitations: [inv({ sentAt: ago(200 * DAY), acceptedAt: ago(200 * DAY) })],
      subscriptions: [sub({ expiresAt: NOW })],
      now: NOW,
    });
    expect(r.ok).toBe(true);
  });
});

describe('opt-in back-off after Meta 9/2018352', () => {
  const page: PageState = {
    id: 1,
    profile: '2025',
    timeZone: 'Asia/Ho_Chi_Minh',
    region: 'VN',
    optInFeatureEnabled: true,
    restrictedReason: null,
  };
  const topic: TopicState = {
    id: 7,
    name: 'Deals',
    kind: 'recurring',
    title: 'Deals',
    active: true,
    frequency: 'DAILY',
    ctaText: 'GET_UPDATES',
    imageUrl: null,
    validityMonths: null,
  };
  const now = new Date('2026-03-02T03:00:00Z');
  const until = new Date('2026-03-03T03:00:00Z');
  // The customer wrote an hour before each attempt, so only the back-off decides.
  const customer =
    (backoff: Date | null) =>
    (at: Date): CustomerState => ({
      id: 1,
      psid: 'p',
      lastInteractionAt: new Date(at.getTime() - 3_600_000),
      optInBackoffUntil: backoff,
    });
  const invite = (c: (at: Date) => CustomerState, at: Date) =>
    resolveSend({
      page,
      customer: c(at),
      sender: 'agent',
      intent: { kind: 'invitation', topic },
      now: at,
      invitations: [],
      subscriptions: [],
    });

  it('R2c: while the back-off holds, invitations are refused with optin_limit and the end of the pause', () => {
    expect(invite(customer(until), now)).toMatchObject({ ok: false, reason: 'optin_limit', nextAt: until });
    expect(invite(customer(until), new Date(until.getTime() - 1))).toMatchObject({
      ok: false,
      reason: 'optin_limit',
    });
  });

  it('R2c: at the end of the back-off (and without one) invitations go again', () => {
    expect(invite(customer(until), until).ok).toBe(true);
    expect(invite(customer(null), now).ok).toBe(true);
  });
});
