// R12: the route the resolver chooses for every message under the 2026 profile, and the same resolver
// under the legacy profiles (labelled, otherwise unchanged). One row per rule where it can be a row.
import { describe, expect, it } from 'vitest';
import { customer, page, topic } from '../../test/support/domain-fixtures.ts';
import { ago, DAY, H, later, NOW, otnSub, otnTopic, sub } from '../../test/support/resolver-fixtures.ts';
import type { MarketingSetup } from './marketing-messages.ts';
import type { PageState } from './model.ts';
import { PROFILES } from './platform.ts';
import { REASON_TEXT } from './reasons.ts';
import { resolveSend } from './send-resolver.ts';
import {
  type RouteInput,
  type RouteResolution,
  type RouteSender,
  resolveRoute,
  routeOfPlan,
} from './send-routes.ts';
import type { TemplateState } from './utility-templates.ts';

const p26 = (o: Partial<PageState> = {}) => page({ profile: '2026', region: 'VN', ...o });
const AD: MarketingSetup = { adAccountConnected: true, minConversationGapSeconds: null };
const template = (o: Partial<TemplateState> = {}): TemplateState => ({
  id: 1,
  name: 'order_shipped_vi',
  language: 'vi',
  category: 'UTILITY',
  status: 'APPROVED',
  header: null,
  body: 'Đơn #{{order_id}} đã được giao cho đơn vị vận chuyển.',
  ...o,
});

function route(o: Partial<RouteInput> & { age?: number | null }): RouteResolution {
  const { age, ...rest } = o;
  return resolveRoute({
    page: p26(),
    customer: customer(age === null ? null : ago(age ?? 10 * DAY)),
    sender: 'campaign',
    intent: { kind: 'notification', topic: topic() },
    subscriptions: [sub()],
    marketing: AD,
    now: NOW,
    ...rest,
  });
}
/** The route taken, or `refused:<reason>` — one comparable word per answer. */
const word = (r: RouteResolution) => (r.ok ? r.route : `refused:${r.reason}`);

describe('R12 routes under the 2026 profile', () => {
  it.each([
    ['agent', 'RESPONSE'],
    ['bot', 'RESPONSE'],
    ['campaign', 'UPDATE'],
    ['order_event', 'UPDATE'],
  ] as const)('R12a: inside 24 h free text from %s goes as a response (%s)', (sender, type) => {
    const r = route({ sender, intent: { kind: 'free_text' }, age: 24 * H - 1 });
    expect(r).toMatchObject({ ok: true, route: 'response', plan: { messagingType: type, tag: null } });
  });
  it('R12a: inside 24 h a topic notification goes free as a response; no token is spent', () => {
    const r = route({ age: H });
    expect(r).toEqual({
      ok: true,
      route: 'response',
      plan: { messagingType: 'UPDATE', tag: null, recipient: { id: 'psid-1' }, subscriptionId: null },
    });
  });
  it('R12a: inside 24 h an opt-in card still goes (it gathers marketing subscribers), region VN included', () => {
    expect(
      word(
        route({ sender: 'agent', intent: { kind: 'invitation', topic: topic() }, subscriptions: [], age: H }),
      ),
    ).toBe('response');
  });

  it.each([
    { sender: 'agent', age: 24 * H, want: 'human_agent' },
    { sender: 'agent', age: 7 * DAY - 1, want: 'human_agent' },
    { sender: 'bot', age: 24 * H, want: 'refused:outside_24h_window' },
    { sender: 'campaign', age: 3 * DAY, want: 'refused:outside_24h_window' },
    { sender: 'order_event', age: 3 * DAY, want: 'refused:outside_24h_window' },
    { sender: 'agent', age: 7 * DAY, want: 'refused:outside_7d_window' },
  ] as const)('R12b: free text from $sender at age $age → $want', ({ sender, age, want }) => {
    const r = route({ sender: sender as RouteSender, intent: { kind: 'free_text' }, age });
    expect(word(r)).toBe(want);
    if (r.ok) expect(r.plan).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });
  it('R12b: a topic notification is never sent under HUMAN_AGENT, even by an agent at 3 days', () => {
    for (const sender of ['agent', 'bot', 'campaign'] as const) {
      const r = route({ sender, age: 3 * DAY });
      expect(r.ok && r.route).toBe('marketing_message');
    }
  });

  const utility = (o: Partial<RouteInput> & { age?: number | null }, t: TemplateState | null = template()) =>
    route({ sender: 'order_event', intent: { kind: 'utility_event', template: t }, ...o });
  it.each([
    { age: 24 * H, sender: 'order_event' },
    { age: 30 * DAY, sender: 'order_event' },
    { age: 3 * DAY, sender: 'agent' },
    { age: 400 * DAY, sender: 'agent' },
  ] as const)(
    'R12c: a utility event at age $age from $sender goes as the APPROVED template',
    ({ age, sender }) => {
      const r = utility({ age, sender });
      expect(r).toEqual({
        ok: true,
        route: 'utility',
        plan: { messagingType: 'UTILITY', tag: null, recipient: { id: 'psid-1' }, subscriptionId: null },
        template: template(),
      });
    },
  );
  it('R13c/R13d: the chat assistant is not a utility trigger (only an agent or an order event): refused', () => {
    for (const age of [H, 400 * DAY]) {
      expect(utility({ age, sender: 'bot' })).toMatchObject({
        ok: false,
        route: 'utility',
        reason: 'marketing_on_utility',
      });
    }
  });
  it('R12c: inside 24 h the same event goes as ordinary text with the template to fill in', () => {
    const r = utility({ age: H });
    expect(r).toMatchObject({ ok: true, route: 'response', plan: { messagingType: 'UPDATE' } });
    expect(r.ok && r.template?.name).toBe('order_shipped_vi');
  });
  it('R12c: an event for a customer who never wrote is refused, never dropped', () => {
    expect(word(utility({ age: null }))).toBe('refused:never_interacted');
  });
  it('R12c: no template mapped → refused template_missing, inside or outside 24 h', () => {
    expect(word(utility({ age: H }, null))).toBe('refused:template_missing');
    expect(word(utility({ age: 3 * DAY }, null))).toBe('refused:template_missing');
  });

  it.each(['AU', 'FR', 'DE', 'IE', 'JP', 'KR', 'UK', 'GB', 'EU'])(
    'R12d: a recurring topic notification in %s goes on the recurring token',
    (region) => {
      const r = route({ page: p26({ region }) });
      expect(r).toMatchObject({
        ok: true,
        route: 'recurring_token',
        plan: { messagingType: null, recipient: { notification_messages_token: 'rn-1' }, subscriptionId: 1 },
      });
    },
  );
  it.each(['VN', 'US', 'TH', 'CH', 'NO'])(
    'R12d/e: in %s the recurring route is closed → marketing message',
    (region) => {
      expect(word(route({ page: p26({ region }) }))).toBe('marketing_message');
    },
  );
  it('R12d: the recurring token keeps its 48 h cooldown; the refusal says when', () => {
    const r = route({ page: p26({ region: 'FR' }), subscriptions: [sub({ nextEligibleAt: later(5 * H) })] });
    expect(r).toEqual({
      ok: false,
      route: 'recurring_token',
      reason: 'cooldown',
      text: REASON_TEXT.cooldown,
      nextAt: later(5 * H),
    });
  });

  it('R12e: the paid route carries the token, the subscription it is sent under and the gap', () => {
    const r = route({ marketing: { adAccountConnected: true, minConversationGapSeconds: 86_400 } });
    expect(r).toEqual({
      ok: true,
      route: 'marketing_message',
      plan: null,
      marketing: { subscriptionToken: 'rn-1', subscriptionId: 1, minConversationGapSeconds: 86_400 },
    });
  });
  it('R12e: the estimate is carried when known, absent otherwise', () => {
    const estimate = { currency: 'VND', amount: 350 };
    expect(route({ estimate })).toMatchObject({ route: 'marketing_message', estimate });
    expect(route({}).ok && 'estimate' in route({})).toBe(false);
  });
  it('R12e: the recurring token cooldown does not bind the paid route (Meta counts 12 h instead)', () => {
    expect(word(route({ subscriptions: [sub({ nextEligibleAt: later(40 * H) })] }))).toBe(
      'marketing_message',
    );
  });

  it('R12f: an OTN notification after 24 h goes on the OTN token, in every region', () => {
    for (const region of ['VN', 'FR', null]) {
      const r = route({
        page: p26({ region }),
        intent: { kind: 'notification', topic: otnTopic() },
        subscriptions: [otnSub()],
      });
      expect(r).toMatchObject({
        ok: true,
        route: 'otn_token',
        plan: { recipient: { one_time_notif_token: 'otn-1' } },
      });
    }
  });
  it('R12f: once Meta said OTN is unavailable for the page, the route is closed for it', () => {
    const r = route({
      intent: { kind: 'notification', topic: otnTopic() },
      subscriptions: [otnSub()],
      otnClosed: true,
    });
    expect(r).toMatchObject({ ok: false, route: 'otn_token', reason: 'otn_closed', nextAt: null });
  });

  it.each([
    { what: 'never subscribed', subs: [], want: 'refused:no_subscription' },
    { what: 'stopped', subs: [sub({ stoppedAt: ago(H) })], want: 'refused:subscription_stopped' },
    { what: 'expired', subs: [sub({ expiresAt: NOW })], want: 'refused:subscription_expired' },
    { what: 'another topic only', subs: [sub({ topicId: 9 })], want: 'refused:no_subscription' },
  ])('R12g: the product sends only on a topic the customer holds ($what)', ({ subs, want }) => {
    expect(word(route({ subscriptions: subs, page: p26({ region: 'VN' }) }))).toBe(want);
    expect(word(route({ subscriptions: subs, page: p26({ region: 'FR' }) }))).toBe(want);
  });
  it('R12g: a deactivated topic is refused whatever the route', () => {
    expect(word(route({ intent: { kind: 'notification', topic: topic({ active: false }) } }))).toBe(
      'refused:topic_inactive',
    );
  });
  it('R12g: the recurring 48 h limit is the token’s, across topics: a send on another topic counts', () => {
    const other = sub({ id: 7, topicId: 5, token: 'rn-1', nextEligibleAt: later(20 * H) });
    const r = route({
      page: p26({ region: 'DE' }),
      subscriptions: [sub()],
      pageSubscriptions: [sub(), other],
    });
    expect(r).toMatchObject({
      ok: false,
      route: 'recurring_token',
      reason: 'cooldown',
      nextAt: later(20 * H),
    });
  });
  it('R12g: the paid 12 h limit is the token’s, across topics (last paid send on any topic)', () => {
    const r = route({ marketingToken: { token: 'mm-1', status: 'active', lastSentAt: ago(2 * H) } });
    expect(r).toMatchObject({
      ok: false,
      route: 'marketing_message',
      reason: 'marketing_token_limit',
      nextAt: later(10 * H),
    });
  });

  it('R12h: every answer names its route or its reason, with vi and en text and the next time', () => {
    const answers = [
      route({}),
      route({ age: H }),
      route({ marketing: undefined }),
      route({ sender: 'agent', intent: { kind: 'free_text' }, age: 3 * DAY }),
      route({
        sender: 'order_event',
        intent: { kind: 'utility_event', template: template({ status: 'REJECTED' }) },
      }),
    ];
    for (const r of answers) {
      if (r.ok) expect(['response', 'human_agent', 'utility', 'marketing_message']).toContain(r.route);
      else {
        expect(r.text.vi.length).toBeGreaterThan(10);
        expect(r.text.en.length).toBeGreaterThan(10);
        expect(r).toHaveProperty('nextAt');
      }
    }
    expect(answers.map(word)).toEqual([
      'marketing_message',
      'response',
      'refused:no_ad_account',
      'human_agent',
      'refused:template_not_approved',
    ]);
  });
  it('R12h / R1d: a restricted page or unreachable customer refuses every route', () => {
    expect(word(route({ page: p26({ restrictedReason: 'x' }) }))).toBe('refused:page_restricted');
    expect(word(route({ customer: customer(ago(H), { unreachableReason: 'blocked' }) }))).toBe(
      'refused:customer_unreachable',
    );
  });
});

describe('R12 route table: profile × region', () => {
  // A recurring-topic notification 8 days after the customer's last message, with an ad account.
  const WANT: Record<string, Record<string, string>> = {
    'legacy-2022': {
      VN: 'recurring_token',
      FR: 'recurring_token',
      JP: 'recurring_token',
      US: 'recurring_token',
      none: 'recurring_token',
    },
    '2023': {
      VN: 'recurring_token',
      FR: 'recurring_token',
      JP: 'recurring_token',
      US: 'recurring_token',
      none: 'recurring_token',
    },
    '2025': {
      VN: 'recurring_token',
      FR: 'recurring_token',
      JP: 'recurring_token',
      US: 'recurring_token',
      none: 'recurring_token',
    },
    '2026': {
      VN: 'marketing_message',
      FR: 'recurring_token',
      JP: 'recurring_token',
      US: 'marketing_message',
      none: 'marketing_message',
    },
  };
  const rows = PROFILES.flatMap((profile) =>
    ['VN', 'FR', 'JP', 'US', 'none'].map((region) => ({ profile, region, want: WANT[profile]![region]! })),
  );
  it.each(rows)('R12d/e: $profile × $region → $want', ({ profile, region, want }) => {
    const r = route({ page: page({ profile, region: region === 'none' ? null : region }), age: 8 * DAY });
    expect(word(r)).toBe(want);
  });

  it.each(rows)(
    'R12: $profile × $region, OTN at 8 days → otn_token; free text at 1 h → response',
    ({ profile, region }) => {
      const p = page({ profile, region: region === 'none' ? null : region });
      const otn = route({
        page: p,
        intent: { kind: 'notification', topic: otnTopic() },
        subscriptions: [otnSub()],
        age: 8 * DAY,
      });
      expect(word(otn)).toBe('otn_token');
      expect(word(route({ page: p, intent: { kind: 'free_text' }, age: H }))).toBe('response');
    },
  );

  it('R1d: under the legacy profiles the plan is exactly the legacy resolver’s, labelled with its route', () => {
    for (const profile of ['legacy-2022', '2023', '2025'] as const) {
      for (const age of [H, 3 * DAY, 8 * DAY]) {
        for (const sender of ['agent', 'bot', 'campaign'] as const) {
          for (const intent of [
            { kind: 'ordinary' as const },
            { kind: 'notification' as const, topic: topic() },
          ]) {
            const input = {
              page: page({ profile }),
              customer: customer(ago(age)),
              sender,
              now: NOW,
              subscriptions: [sub()],
            };
            const legacy = resolveSend({ ...input, intent });
            const routed = resolveRoute({
              ...input,
              intent: intent.kind === 'ordinary' ? { kind: 'free_text' } : intent,
            });
            if (legacy.ok)
              expect(routed).toEqual({ ok: true, route: routeOfPlan(legacy.plan), plan: legacy.plan });
            else expect(routed).toEqual({ ...legacy, route: null });
          }
        }
      }
    }
  });
  it('R1d: under a legacy profile a utility event is an ordinary message (24 h, then HUMAN_AGENT for a person)', () => {
    const ev = (sender: RouteSender, age: number) =>
      word(
        route({
          page: page({ profile: '2025' }),
          sender,
          intent: { kind: 'utility_event', template: template() },
          age,
        }),
      );
    expect(ev('order_event', H)).toBe('response');
    expect(ev('order_event', 3 * DAY)).toBe('refused:outside_24h_window');
    expect(ev('agent', 3 * DAY)).toBe('human_agent');
  });
});
