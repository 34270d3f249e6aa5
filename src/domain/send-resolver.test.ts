import { describe, expect, it } from 'vitest';
import { customer, page, topic } from '../../test/support/domain-fixtures.ts';
import type {
  CustomerState,
  InvitationState,
  PageState,
  SenderKind,
  SubscriptionState,
  TopicState,
} from './model.ts';
import { REASON_TEXT, type ReasonCode } from './reasons.ts';
import {
  type ComposerState,
  type ContentKind,
  composerState,
  type MessageIntent,
  type Resolution,
  resolveSend,
  windowState,
} from './send-resolver.ts';
import { usePatch } from './subscriptions.ts';
import { topicLists } from './topic-lists.ts';

const NOW = new Date('2026-03-02T03:00:00Z');
const MIN = 60_000;
const H = 3_600_000;
const DAY = 24 * H;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const later = (ms: number) => new Date(NOW.getTime() + ms);

const otnTopic = (o: Partial<TopicState> = {}) =>
  topic({
    id: 2,
    kind: 'one_time',
    name: 'Restock',
    title: 'Back in stock',
    frequency: null,
    ctaText: null,
    ...o,
  });
function inv(o: Partial<InvitationState> = {}): InvitationState {
  return {
    id: 1,
    topicId: 1,
    title: 'Daily deals',
    sentAt: ago(2 * DAY),
    acceptedAt: null,
    status: 'sent',
    ...o,
  };
}
function sub(o: Partial<SubscriptionState> = {}): SubscriptionState {
  return {
    id: 1,
    topicId: 1,
    kind: 'recurring',
    token: 'rn-1',
    invitationId: null,
    optedInAt: ago(30 * DAY),
    expiresAt: later(150 * DAY),
    stoppedAt: null,
    usedAt: null,
    frequency: 'DAILY',
    lastSentAt: null,
    nextEligibleAt: null,
    ...o,
  };
}
const otnSub = (o: Partial<SubscriptionState> = {}) =>
  sub({ id: 2, topicId: 2, kind: 'one_time', token: 'otn-1', frequency: null, ...o });

const ordinary: MessageIntent = { kind: 'ordinary' };

function refusal(r: Resolution): { reason: ReasonCode; nextAt: Date | null } | 'ok' {
  return r.ok ? 'ok' : { reason: r.reason, nextAt: r.nextAt };
}

describe('R1 messaging windows', () => {
  it.each([
    { id: 'R1a', age: 0, want: 'open' },
    { id: 'R1a', age: 24 * H - 1, want: 'open' },
    { id: 'R1b', age: 24 * H, want: 'human_agent' },
    { id: 'R1b', age: 7 * DAY - MIN, want: 'human_agent' },
    { id: 'R1b', age: 7 * DAY - 1, want: 'human_agent' },
    { id: 'R1c', age: 7 * DAY, want: 'closed' },
    { id: 'R1c', age: 400 * DAY, want: 'closed' },
  ])('$id: age $age ms → window $want', ({ age, want }) => {
    expect(windowState(ago(age), NOW)).toBe(want);
  });
  it('R1c: never interacted → no window', () => {
    expect(windowState(null, NOW)).toBe('none');
  });

  interface Row {
    id: string;
    what: string;
    age: number | null;
    sender: SenderKind;
    want: { messagingType: string; tag: string | null } | { reason: ReasonCode };
  }
  const rows: Row[] = [
    {
      id: 'R1a',
      what: 'agent at 23:59:59.999',
      age: 24 * H - 1,
      sender: 'agent',
      want: { messagingType: 'RESPONSE', tag: null },
    },
    {
      id: 'R1a',
      what: 'bot at 23:59:59.999',
      age: 24 * H - 1,
      sender: 'bot',
      want: { messagingType: 'RESPONSE', tag: null },
    },
    {
      id: 'R1d',
      what: 'campaign at 23:59:59.999 goes as UPDATE',
      age: 24 * H - 1,
      sender: 'campaign',
      want: { messagingType: 'UPDATE', tag: null },
    },
    {
      id: 'R1d',
      what: 'campaign just after the interaction goes as UPDATE',
      age: 0,
      sender: 'campaign',
      want: { messagingType: 'UPDATE', tag: null },
    },
    {
      id: 'R1b',
      what: 'agent at exactly 24:00 → HUMAN_AGENT',
      age: 24 * H,
      sender: 'agent',
      want: { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    },
    {
      id: 'R1b',
      what: 'bot at exactly 24:00 → refused',
      age: 24 * H,
      sender: 'bot',
      want: { reason: 'outside_24h_window' },
    },
    {
      id: 'R1b',
      what: 'campaign at exactly 24:00 → refused',
      age: 24 * H,
      sender: 'campaign',
      want: { reason: 'outside_24h_window' },
    },
    {
      id: 'R1b',
      what: 'agent at 6 d 23:59 → HUMAN_AGENT',
      age: 7 * DAY - MIN,
      sender: 'agent',
      want: { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    },
    {
      id: 'R1b',
      what: 'bot at 6 d 23:59 → refused',
      age: 7 * DAY - MIN,
      sender: 'bot',
      want: { reason: 'outside_24h_window' },
    },
    {
      id: 'R1c',
      what: 'agent at exactly 7 d → refused',
      age: 7 * DAY,
      sender: 'agent',
      want: { reason: 'outside_7d_window' },
    },
    {
      id: 'R1c',
      what: 'bot at exactly 7 d → refused',
      age: 7 * DAY,
      sender: 'bot',
      want: { reason: 'outside_7d_window' },
    },
    {
      id: 'R1c',
      what: 'campaign at 30 d → refused',
      age: 30 * DAY,
      sender: 'campaign',
      want: { reason: 'outside_7d_window' },
    },
    {
      id: 'R1c',
      what: 'agent, never interacted → refused',
      age: null,
      sender: 'agent',
      want: { reason: 'never_interacted' },
    },
    {
      id: 'R1c',
      what: 'campaign, never interacted → refused',
      age: null,
      sender: 'campaign',
      want: { reason: 'never_interacted' },
    },
  ];
  it.each(rows)('$id: ordinary message, $what', ({ age, sender, want }) => {
    const r = resolveSend({
      page: page(),
      customer: customer(age === null ? null : ago(age)),
      sender,
      intent: ordinary,
      now: NOW,
    });
    if ('reason' in want) {
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toBe(want.reason);
    } else {
      expect(r).toEqual({
        ok: true,
        plan: { ...want, recipient: { id: 'psid-1' }, subscriptionId: null },
      });
    }
  });

  it('R1c: at ≥ 7 days a notification on a valid recurring subscription goes with its token', () => {
    const r = resolveSend({
      page: page(),
      customer: customer(ago(30 * DAY)),
      sender: 'agent',
      intent: { kind: 'notification', topic: topic() },
      subscriptions: [sub()],
      now: NOW,
    });
    expect(r).toEqual({
      ok: true,
      plan: {
        messagingType: null,
        tag: null,
        recipient: { notification_messages_token: 'rn-1' },
        subscriptionId: 1,
      },
    });
  });

  it('R1c: at ≥ 7 days a notification on a valid OTN token goes with the OTN token', () => {
    const r = resolveSend({
      page: page(),
      customer: customer(ago(30 * DAY)),
      sender: 'agent',
      intent: { kind: 'notification', topic: otnTopic() },
      subscriptions: [otnSub()],
      now: NOW,
    });
    expect(r.ok && r.plan.recipient).toEqual({ one_time_notif_token: 'otn-1' });
  });

  it('R1d: a refusal carries its reason code, the Vietnamese and English text, and nextAt', () => {
    const r = resolveSend({
      page: page(),
      customer: customer(ago(DAY)),
      sender: 'bot',
      intent: ordinary,
      now: NOW,
    });
    expect(r).toEqual({
      ok: false,
      reason: 'outside_24h_window',
      text: REASON_TEXT.outside_24h_window,
      nextAt: null,
    });
    expect(!r.ok && r.text.vi).not.toBe(!r.ok && r.text.en);
    const cooling = resolveSend({
      page: page(),
      customer: customer(ago(30 * DAY)),
      sender: 'campaign',
      intent: { kind: 'notification', topic: topic() },
      subscriptions: [sub({ lastSentAt: ago(H), nextEligibleAt: later(23 * H) })],
      now: NOW,
    });
    expect(cooling).toEqual({
      ok: false,
      reason: 'cooldown',
      text: REASON_TEXT.cooldown,
      nextAt: later(23 * H),
    });
  });

  it('R1d: every reason has a non-empty Vietnamese and English text', () => {
    for (const [code, text] of Object.entries(REASON_TEXT)) {
      expect(text.vi.length, code).toBeGreaterThan(10);
      expect(text.en.length, code).toBeGreaterThan(10);
      expect(text.vi, code).not.toBe(text.en);
    }
  });

  it.each([
    {
      what: 'page restricted',
      p: page({ restrictedReason: 'blocked' }),
      c: customer(ago(H)),
      reason: 'page_restricted',
    },
    {
      what: 'customer unreachable',
      p: page(),
      c: customer(ago(H), { unreachableReason: 'blocked the page' }),
      reason: 'customer_unreachable',
    },
  ])('R1d: $what refuses every send, even inside 24 h', ({ p, c, reason }) => {
    for (const sender of ['bot', 'agent', 'campaign'] as const) {
      const r = resolveSend({ page: p, customer: c, sender, intent: ordinary, now: NOW });
      expect(refusal(r)).toEqual({ reason, nextAt: null });
    }
  });
});

describe('R11a policy safety', () => {
  it('R11a: no bot or campaign plan ever carries HUMAN_AGENT, at any age, for any intent', () => {
    const ages = [0, 24 * H - 1, 24 * H, 3 * DAY, 7 * DAY - 1, 7 * DAY, 90 * DAY];
    const intents: MessageIntent[] = [
      ordinary,
      { kind: 'invitation', topic: topic() },
      { kind: 'notification', topic: topic() },
      { kind: 'notification', topic: otnTopic() },
    ];
    let plans = 0;
    for (const sender of ['bot', 'campaign'] as const) {
      for (const age of ages) {
        for (const intent of intents) {
          const r = resolveSend({
            page: page(),
            customer: customer(ago(age)),
            sender,
            intent,
            subscriptions: [sub(), otnSub()],
            now: NOW,
          });
          if (r.ok) {
            plans++;
            expect(r.plan.tag).toBeNull();
            expect(r.plan.messagingType).not.toBe('MESSAGE_TAG');
          }
        }
      }
    }
    expect(plans).toBeGreaterThan(10); // the loop did see plans
  });
});

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

describe('R6 notification from a conversation', () => {
  const notify = (o: {
    t?: TopicState;
    subs?: SubscriptionState[];
    content?: ContentKind;
    sender?: SenderKind;
    p?: PageState;
    now?: Date;
  }) =>
    resolveSend({
      page: o.p ?? page(),
      customer: customer(ago(10 * DAY)),
      sender: o.sender ?? 'agent',
      intent: { kind: 'notification', topic: o.t ?? topic() },
      subscriptions: o.subs ?? [sub()],
      content: o.content,
      now: o.now ?? NOW,
    });

  it.each(['image', 'buttons', 'template', 'attachment'] as const)(
    'R6c: an agent notification with %s content is refused with content_not_allowed',
    (content) => {
      expect(refusal(notify({ content }))).toEqual({ reason: 'content_not_allowed', nextAt: null });
    },
  );
  it('R6c: text content (emoji included) is allowed', () => {
    expect(notify({ content: 'text' }).ok).toBe(true);
  });

  interface Row {
    what: string;
    t?: TopicState;
    subs: SubscriptionState[];
    p?: PageState;
    want: ReturnType<typeof refusal>;
  }
  const rows: Row[] = [
    { what: 'valid', subs: [sub()], want: 'ok' },
    {
      what: 'topic deactivated',
      t: topic({ active: false }),
      subs: [sub()],
      want: { reason: 'topic_inactive', nextAt: null },
    },
    {
      what: 'stopped',
      subs: [sub({ stoppedAt: ago(H) })],
      want: { reason: 'subscription_stopped', nextAt: null },
    },
    {
      what: 'expired (at the instant)',
      subs: [sub({ expiresAt: NOW })],
      want: { reason: 'subscription_expired', nextAt: null },
    },
    {
      what: 'OTN used',
      t: otnTopic(),
      subs: [otnSub({ usedAt: ago(H) })],
      want: { reason: 'token_used', nextAt: null },
    },
    {
      what: 'cooling down (1 ms left)',
      subs: [sub({ nextEligibleAt: later(1) })],
      want: { reason: 'cooldown', nextAt: later(1) },
    },
    { what: 'cooldown over (at the instant)', subs: [sub({ nextEligibleAt: NOW })], want: 'ok' },
    { what: 'no subscription', subs: [], want: { reason: 'no_subscription', nextAt: null } },
    {
      what: 'recurring under 2026 outside AU/EU/JP/KR/UK',
      subs: [sub()],
      p: page({ profile: '2026', region: 'VN' }),
      want: { reason: 'region_not_allowed', nextAt: null },
    },
    {
      what: 'recurring under 2026 in the EU',
      subs: [sub()],
      p: page({ profile: '2026', region: 'DE' }),
      want: 'ok',
    },
    {
      what: 'OTN under 2026 outside the regions',
      t: otnTopic(),
      subs: [otnSub()],
      p: page({ profile: '2026', region: 'VN' }),
      want: 'ok',
    },
  ];
  it.each(rows)('R6e: notification, subscription $what', ({ t, subs, p, want }) => {
    expect(refusal(notify({ t, subs, p }))).toEqual(want);
  });

  it('R7b: once one sender has used an OTN token, the second sender is refused token_used', () => {
    const t = otnTopic();
    const first = notify({ t, subs: [otnSub()] });
    expect(first.ok).toBe(true);
    const spent = { ...otnSub(), ...usePatch(otnSub(), page(), NOW) };
    expect(refusal(notify({ t, subs: [spent], sender: 'campaign', now: later(1) }))).toEqual({
      reason: 'token_used',
      nextAt: null,
    });
  });

  it('R7c: an OTN campaign goes only to holders of an unused, unexpired token', () => {
    const t = otnTopic();
    const camp = (subs: SubscriptionState[]) =>
      refusal(notify({ t, subs, sender: 'campaign', content: 'image' }));
    expect(camp([otnSub()])).toBe('ok');
    expect(camp([otnSub({ usedAt: ago(H) })])).toEqual({ reason: 'token_used', nextAt: null });
    expect(camp([otnSub({ expiresAt: NOW })])).toEqual({ reason: 'subscription_expired', nextAt: null });
    expect(camp([])).toEqual({ reason: 'no_subscription', nextAt: null });
  });

  it('R7d: with stacked OTN tokens the send uses the soonest-expiring valid one', () => {
    const t = otnTopic();
    const r = notify({
      t,
      subs: [
        otnSub({ id: 10, token: 'late', expiresAt: later(300 * DAY) }),
        otnSub({ id: 11, token: 'used-soon', expiresAt: later(DAY), usedAt: ago(H) }),
        otnSub({ id: 12, token: 'soon', expiresAt: later(100 * DAY) }),
      ],
    });
    expect(r.ok && r.plan).toMatchObject({ recipient: { one_time_notif_token: 'soon' }, subscriptionId: 12 });
  });
});

describe('R6 composer state', () => {
  const compose = (
    age: number | null,
    topics: TopicState[] = [],
    subscriptions: SubscriptionState[] = [],
    p = page(),
  ) =>
    composerState({
      page: p,
      customer: customer(age === null ? null : ago(age)),
      topics,
      subscriptions,
      now: NOW,
    });

  it.each([
    { age: 0, want: { mode: 'normal', windowClosesAt: later(24 * H) } },
    { age: 24 * H - 1, want: { mode: 'normal', windowClosesAt: later(1) } },
    { age: 24 * H, want: { mode: 'human_agent', windowClosesAt: later(6 * DAY) } },
    { age: 7 * DAY - 1, want: { mode: 'human_agent', windowClosesAt: later(1) } },
  ])('R6b: under 7 days (age $age ms) the normal / human-agent composer is used', ({ age, want }) => {
    expect(compose(age, [topic()], [sub()])).toEqual(want);
  });

  it('R6a: at exactly 7 days with valid subscriptions → notification frame listing only the valid topics', () => {
    const topics = [
      topic({ id: 1, name: 'Valid recurring' }),
      topic({ id: 2, name: 'Expired', title: 'E' }),
      topic({ id: 3, name: 'Deactivated', title: 'D', active: false }),
      topic({ id: 4, name: 'Stopped', title: 'S' }),
      otnTopic({ id: 5, name: 'A valid OTN' }),
      otnTopic({ id: 6, name: 'Used OTN', title: 'U' }),
      topic({ id: 7, name: 'Cooling', title: 'C' }),
      topic({ id: 8, name: 'Never subscribed', title: 'N' }),
    ];
    const subs = [
      sub({ id: 1, topicId: 1 }),
      sub({ id: 2, topicId: 2, token: 'b', expiresAt: ago(1) }),
      sub({ id: 3, topicId: 3, token: 'c' }),
      sub({ id: 4, topicId: 4, token: 'd', stoppedAt: ago(DAY) }),
      otnSub({ id: 5, topicId: 5, token: 'e' }),
      otnSub({ id: 6, topicId: 6, token: 'f', usedAt: ago(DAY) }),
      sub({ id: 7, topicId: 7, token: 'g', nextEligibleAt: later(H) }),
    ];
    expect(compose(7 * DAY, topics, subs)).toEqual({
      mode: 'notification',
      topics: [
        { topicId: 5, name: 'A valid OTN', kind: 'one_time' },
        { topicId: 1, name: 'Valid recurring', kind: 'recurring' },
      ],
    });
  });

  it('R6a: a topic with several tokens is listed once', () => {
    const t = otnTopic();
    const state = compose(8 * DAY, [t], [otnSub({ id: 1, token: 'a' }), otnSub({ id: 2, token: 'b' })]);
    expect(state).toEqual({
      mode: 'notification',
      topics: [{ topicId: 2, name: 'Restock', kind: 'one_time' }],
    });
  });

  const notice = (reason: ReasonCode, nextAt: Date | null = null): ComposerState => ({
    mode: 'policy_notice',
    reason,
    text: REASON_TEXT[reason],
    nextAt,
  });

  it("R6a: at ≥ 7 days with no subscription → Facebook's 7-day policy notice", () => {
    expect(compose(7 * DAY, [topic()], [])).toEqual(notice('outside_7d_window'));
  });
  it('R6a: only cooling-down tokens → cooldown notice with the soonest time one frees up', () => {
    const topics = [topic({ id: 1 }), topic({ id: 2, name: 'Other', title: 'O' })];
    const subs = [
      sub({ id: 1, topicId: 1, nextEligibleAt: later(5 * H) }),
      sub({ id: 2, topicId: 2, token: 'x', nextEligibleAt: later(2 * H) }),
    ];
    expect(compose(10 * DAY, topics, subs)).toEqual(notice('cooldown', later(2 * H)));
  });

  it.each([
    { what: 'the subscription expired', t: topic(), s: sub({ expiresAt: NOW }) },
    { what: 'the topic is deactivated', t: topic({ active: false }), s: sub() },
    { what: 'the only OTN token was used', t: otnTopic(), s: otnSub({ usedAt: ago(H) }) },
    { what: 'the subscription is stopped', t: topic(), s: sub({ stoppedAt: ago(H) }) },
    {
      what: 'the 2026 profile excludes the region',
      t: topic(),
      s: sub(),
      p: page({ profile: '2026', region: 'US' }),
    },
  ])('R6d: the composer is hidden (policy notice) when $what', ({ t, s, p }) => {
    expect(compose(10 * DAY, [t], [s], p ?? page())).toEqual(notice('outside_7d_window'));
  });

  it('R6d: a restricted page or unreachable customer shows that reason instead of a composer', () => {
    expect(compose(H, [topic()], [sub()], page({ restrictedReason: 'x' }))).toEqual(
      notice('page_restricted'),
    );
    const state = composerState({
      page: page(),
      customer: customer(ago(H), { unreachableReason: 'blocked' }),
      topics: [],
      subscriptions: [],
      now: NOW,
    });
    expect(state).toEqual(notice('customer_unreachable'));
  });
});

describe('R5b deactivation across lists, composer and resolver', () => {
  const t = topic();
  const s = sub({ expiresAt: later(20 * DAY) });
  const view = (active: boolean, now: Date) => {
    const tt = { ...t, active };
    const c = customer(new Date(now.getTime() - 10 * DAY));
    return {
      lists: topicLists([tt], [inv({ acceptedAt: ago(2 * DAY) })], [s], now),
      composer: composerState({ page: page(), customer: c, topics: [tt], subscriptions: [s], now }),
      send: refusal(
        resolveSend({
          page: page(),
          customer: c,
          sender: 'campaign',
          intent: { kind: 'notification', topic: tt },
          subscriptions: [s],
          now,
        }),
      ),
    };
  };

  it('R5b: a deactivated topic is in neither list, the composer hides it, and sends are refused topic_inactive', () => {
    const v = view(false, NOW);
    expect(v.lists).toEqual({ sent: [], notSent: [] });
    expect(v.composer).toMatchObject({ mode: 'policy_notice', reason: 'outside_7d_window' });
    expect(v.send).toEqual({ reason: 'topic_inactive', nextAt: null });
  });
  it('R5b: reactivated before expiry → listed as subscribed, offered by the composer, sendable', () => {
    const v = view(true, later(19 * DAY));
    expect(v.lists.sent.map((i) => i.state)).toEqual(['subscribed']);
    expect(v.composer).toEqual({
      mode: 'notification',
      topics: [{ topicId: 1, name: 'Deals', kind: 'recurring' }],
    });
    expect(v.send).toBe('ok');
  });
  it('R5b: reactivated after the expiry passed meanwhile → Not sent, composer notice, send refused expired', () => {
    const v = view(true, later(20 * DAY));
    expect(v.lists.notSent.map((i) => i.state)).toEqual(['expired']);
    expect(v.composer).toMatchObject({ mode: 'policy_notice', reason: 'outside_7d_window' });
    expect(v.send).toEqual({ reason: 'subscription_expired', nextAt: null });
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
