// The send resolver on notifications (R6, R7) and the composer state of a conversation (R6, R5b).
import { describe, expect, it } from 'vitest';
import { customer, page, topic } from '../../test/support/domain-fixtures.ts';
import {
  ago,
  DAY,
  H,
  inv,
  later,
  NOW,
  otnSub,
  otnTopic,
  refusal,
  sub,
} from '../../test/support/resolver-fixtures.ts';
import type { PageState, SenderKind, SubscriptionState, TopicState } from './model.ts';
import { REASON_TEXT, type ReasonCode } from './reasons.ts';
import { type ComposerState, type ContentKind, composerState, resolveSend } from './send-resolver.ts';
import { usePatch } from './subscriptions.ts';
import { topicLists } from './topic-lists.ts';

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
