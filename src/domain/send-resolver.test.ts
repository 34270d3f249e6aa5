// R1d, the send resolver: the messaging windows (R1) and policy safety (R11a), for every sender.
import { describe, expect, it } from 'vitest';
import { customer, page, topic } from '../../test/support/domain-fixtures.ts';
import {
  ago,
  DAY,
  H,
  later,
  MIN,
  NOW,
  ordinary,
  otnSub,
  otnTopic,
  refusal,
  sub,
} from '../../test/support/resolver-fixtures.ts';
import type { SenderKind } from './model.ts';
import { REASON_TEXT, type ReasonCode } from './reasons.ts';
import { type MessageIntent, resolveSend, windowState } from './send-resolver.ts';

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
