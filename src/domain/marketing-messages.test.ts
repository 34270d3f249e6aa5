// R14 paid marketing messages: the route, the limits known before sending, the budget, Meta's errors.
// R12e/R14 paid marketing messages, one module of rules: where the route applies, the ad account
// (R14a), the token (R14b), the limits known before sending (R14c), the budget (R14d), a stop at Meta
// (R14e) and Meta's errors. The send path, the dispatcher and the resolver all use these functions.
import { describe, expect, it } from 'vitest';
import { customer, page, topic } from '../../test/support/domain-fixtures.ts';
import { ago, DAY, H, later, NOW, sub } from '../../test/support/resolver-fixtures.ts';
import {
  type AdAccountState,
  budgetCheck,
  classifyMarketingError,
  MARKETING,
  MARKETING_TOKEN_INTERVAL_MS,
  type MarketingTokenState,
  marketingAllowedInRegion,
  marketingCheck,
  marketingOutcome,
  marketingRouteApplies,
  marketingSetup,
  marketingToken,
  nextMarketingSendAt,
  paidCosts,
  paidWaitRefusal,
  stopEffects,
  syncedToken,
  unitCostUpperMinor,
} from './marketing-messages.ts';
import { REASON_TEXT } from './reasons.ts';
import { classifySendError, MARKETING_ERRORS } from './send-errors.ts';
import { resolveRoute } from './send-routes.ts';

const now = NOW;
const account: AdAccountState = {
  adAccountId: '123',
  minConversationGapSeconds: 86_400,
  defaultBudgetMinor: 500_000,
  currency: 'VND',
};
/** The send path's check: the account's setup, the customer's token and the last paid send to it. */
const checkMarketingSend = (i: {
  adAccount: AdAccountState | null;
  customer: { lastInteractionAt: Date | null };
  lastPaidSendAt: Date | null;
  now: Date;
}) =>
  marketingCheck({
    setup: marketingSetup(i.adAccount),
    customer: i.customer,
    token: marketingToken(null, 'opt-in-token', i.lastPaidSendAt),
    now: i.now,
  });

describe('R12e/R14 which pages send paid marketing messages', () => {
  it.each([
    ['2026', 'VN', true],
    ['2026', 'US', true],
    ['2026', null, true],
    ['2026', 'FR', false],
    ['2026', 'EU', false],
    ['2026', 'JP', false],
    ['2026', 'UK', false],
    ['2025', 'VN', false],
    ['2023', 'VN', false],
    ['legacy-2022', 'VN', false],
  ] as const)('R12e: profile %s, region %s → marketing route %s', (profile, region, want) => {
    expect(marketingRouteApplies(page({ profile, region }))).toBe(want);
  });
});

describe('R14a/R14c checks before a paid send', () => {
  it('R14a: without an ad account the route is closed, and the reason says what to connect', () => {
    const r = checkMarketingSend({
      adAccount: null,
      customer: { lastInteractionAt: ago(8 * 24 * H) },
      lastPaidSendAt: null,
      now,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('no_ad_account');
    expect(r.text.en).toMatch(/connect an ad account \(system-user token/);
    expect(r.text.vi).toMatch(/tài khoản quảng cáo/);
  });

  it('R14c: a customer last seen 8 days ago with no paid message yet may get one, with the gap sent along', () => {
    const r = checkMarketingSend({
      adAccount: account,
      customer: { lastInteractionAt: ago(8 * 24 * H) },
      lastPaidSendAt: null,
      now,
    });
    expect(r).toEqual({
      ok: true,
      token: { token: 'opt-in-token', status: 'active', lastSentAt: null },
    });
  });

  it('R14c/R12g: a second paid message inside 12 h is refused with the time it may go', () => {
    const r = checkMarketingSend({
      adAccount: account,
      customer: { lastInteractionAt: ago(8 * 24 * H) },
      lastPaidSendAt: ago(3 * H),
      now,
    });
    expect(r).toMatchObject({
      ok: false,
      reason: 'marketing_token_limit',
      nextAt: new Date(now.getTime() + 9 * H),
    });
  });

  it('R14c: exactly 12 h after the last paid message it may go again', () => {
    const r = checkMarketingSend({
      adAccount: account,
      customer: { lastInteractionAt: ago(8 * 24 * H) },
      lastPaidSendAt: ago(MARKETING.perTokenIntervalMs),
      now,
    });
    expect(r.ok).toBe(true);
  });

  it('R14c: inside min_conversation_gap_seconds after a conversation it is refused until the gap ends', () => {
    const r = checkMarketingSend({
      adAccount: { ...account, minConversationGapSeconds: 2 * 86_400 },
      customer: { lastInteractionAt: ago(30 * H) },
      lastPaidSendAt: null,
      now,
    });
    expect(r).toMatchObject({
      ok: false,
      reason: 'conversation_gap',
      nextAt: new Date(now.getTime() + 18 * H),
    });
  });

  it('R14c: when both limits hold, the refusal shows the later of the two times, and its reason', () => {
    const r = checkMarketingSend({
      adAccount: { ...account, minConversationGapSeconds: 2 * 86_400 },
      customer: { lastInteractionAt: ago(30 * H) },
      lastPaidSendAt: ago(H),
      now,
    });
    expect(r).toMatchObject({ reason: 'conversation_gap', nextAt: new Date(now.getTime() + 18 * H) });
  });
});

describe('R14d budget and cost', () => {
  it.each([
    { budget: null, committed: 10_000_000, unit: 900, ok: true },
    { budget: 3000, committed: 2000, unit: 1000, ok: true },
    { budget: 3000, committed: 2001, unit: 1000, ok: false },
    { budget: 0, committed: 0, unit: 1, ok: false },
  ])(
    'R14d: budget $budget, committed $committed, next $unit → allowed $ok',
    ({ budget, committed, unit, ok }) => {
      const vnd = (amount: number) => ({ currency: 'VND', amount });
      const r = budgetCheck({
        budget: budget === null ? null : vnd(budget),
        spent: vnd(committed),
        estimate: vnd(unit),
      });
      expect(r.ok).toBe(ok);
    },
  );

  it('R14d: the committed price of one message is the estimate’s highest cost over its lowest delivery, rounded up', () => {
    expect(
      unitCostUpperMinor({
        deliveryLower: 30,
        deliveryUpper: 40,
        costLowerMinor: 20_000,
        costUpperMinor: 31_000,
      }),
    ).toBe(1034);
    expect(
      unitCostUpperMinor({ deliveryLower: 0, deliveryUpper: 0, costLowerMinor: 0, costUpperMinor: 500 }),
    ).toBe(500);
  });

  it('R14d: cost per delivered, per read and per click; none where nothing was counted', () => {
    expect(paidCosts({ sent: 10, delivered: 8, read: 4, clicked: 0, failed: 2, costMinor: 8000 })).toEqual({
      perDeliveredMinor: 1000,
      perReadMinor: 2000,
      perClickMinor: null,
    });
  });
});

describe('R14c Meta MARKETING_MESSAGES_DIRECT errors', () => {
  it.each([
    [2300000, 'mm_campaign_inactive', 'retry', true, false],
    [2300001, 'mm_invalid_message_id', 'retry', true, false],
    [2300002, 'mm_message_set_inactive', 'retry', true, false],
    [2300003, 'mm_message_not_active', 'retry', false, false],
    [2300004, 'mm_invalid_subscription_token', 'failed', false, true],
    [2300005, 'mm_page_id_mismatch', 'retry', true, false],
    [2300052, 'mm_conversation_gap', 'skipped', false, false],
  ] as const)('R14c: %i → %s (%s)', (code, cls, status, drop, expire) => {
    expect(classifyMarketingError({ code })).toBe(cls);
    expect(classifyMarketingError({ code: 100, error_subcode: code })).toBe(cls);
    const o = marketingOutcome(cls, 3600);
    expect(o).toMatchObject({ status, reason: cls, dropMessageCampaign: drop, expireSubscription: expire });
  });

  it('R14c: 2300003 waits for activation; 2300052 waits the gap', () => {
    expect(marketingOutcome('mm_message_not_active', 3600).retryAfterMs).toBe(MARKETING.activationRetryMs);
    expect(marketingOutcome('mm_conversation_gap', 3600).retryAfterMs).toBe(3_600_000);
  });

  it('R14c: 2300000–2300005 and 2300052 are one table, read alike by the Send API classification and the paid route', () => {
    const codes = [2300000, 2300001, 2300002, 2300003, 2300004, 2300005, 2300052];
    expect(Object.keys(MARKETING_ERRORS).map(Number).sort()).toEqual(codes);
    for (const code of codes) {
      const row = MARKETING_ERRORS[code as keyof typeof MARKETING_ERRORS];
      expect(classifySendError({ code })).toBe(row.class);
      expect(classifySendError({ code: 100, error_subcode: code })).toBe(row.class);
      expect(classifyMarketingError({ code })).toBe(row.reason);
    }
  });

  it('R14c: a single paid notification Meta holds back is refused with its time; other errors are failures', () => {
    const now = new Date('2026-11-30T10:00:00Z');
    const at = (ms: number) => new Date(now.getTime() + ms);
    expect(paidWaitRefusal({ code: 2300003 }, now, 3600)).toMatchObject({
      reason: 'marketing_not_active',
      nextAt: at(MARKETING.activationRetryMs),
    });
    expect(paidWaitRefusal({ code: 100, error_subcode: 2300052 }, now, 3600)).toMatchObject({
      reason: 'conversation_gap',
      nextAt: at(3_600_000),
    });
    expect(paidWaitRefusal({ code: 4, error_subcode: 2018354 }, now, 3600)).toMatchObject({
      reason: 'marketing_token_limit',
      nextAt: at(MARKETING_TOKEN_INTERVAL_MS),
    });
    for (const code of [2300000, 2300001, 2300002, 2300004, 2300005, 100, 2]) {
      expect(paidWaitRefusal({ code }, now, 3600)).toBeNull();
    }
  });

  it('R14b: a token Meta’s list says unsubscribed is refused, whatever the opt-in card gave', () => {
    const setup = marketingSetup({ minConversationGapSeconds: 0 });
    const token = marketingToken(syncedToken({ token: 'mm-9', unsubscribed: true }), 'card-token');
    expect(token).toMatchObject({ token: 'mm-9', status: 'unsubscribed' });
    expect(marketingCheck({ setup, customer: { lastInteractionAt: null }, token, now: NOW })).toMatchObject({
      ok: false,
      reason: 'marketing_unsubscribed',
    });
    expect(syncedToken(null)).toBeNull();
  });

  it('R14c: other Graph errors are left to the Send API table', () => {
    expect(classifyMarketingError({ code: 100 })).toBeNull();
    expect(classifyMarketingError({ code: 10, error_subcode: 2018278 })).toBeNull();
    expect(classifyMarketingError(null)).toBeNull();
  });
});

const tok = (o: Partial<MarketingTokenState> = {}): MarketingTokenState => ({
  token: 'mm-1',
  status: 'active',
  lastSentAt: null,
  ...o,
});
const setup = (gap: number | null = null) => ({ adAccountConnected: true, minConversationGapSeconds: gap });
const check = (o: {
  token?: MarketingTokenState | null;
  gap?: number | null;
  age?: number;
  connected?: boolean;
}) =>
  marketingCheck({
    setup: { ...setup(o.gap ?? null), adAccountConnected: o.connected ?? true },
    customer: customer(ago(o.age ?? 10 * DAY)),
    token: o.token === undefined ? tok() : o.token,
    now: NOW,
  });

describe('R14a ad account', () => {
  it('R14a: without an ad account the paid route is closed, with a reason that says what to connect', () => {
    expect(check({ connected: false })).toEqual({
      ok: false,
      reason: 'no_ad_account',
      text: REASON_TEXT.no_ad_account,
      nextAt: null,
    });
    expect(REASON_TEXT.no_ad_account.en).toMatch(/connect an ad account/);
    expect(REASON_TEXT.no_ad_account.vi).toMatch(/kết nối/);
  });
  it('R14a: through the resolver (2026, VN, 8 days) no ad account → refused on marketing_message', () => {
    const r = resolveRoute({
      page: page({ profile: '2026', region: 'VN' }),
      customer: customer(ago(8 * DAY)),
      sender: 'campaign',
      intent: { kind: 'notification', topic: topic() },
      subscriptions: [sub()],
      now: NOW,
    });
    expect(r).toMatchObject({ ok: false, route: 'marketing_message', reason: 'no_ad_account' });
  });
});

describe('R14b where the token comes from', () => {
  it('R14b: Meta’s synchronised token first, else the opt-in card’s token, never a guess', () => {
    expect(marketingToken(tok({ token: 'synced' }), 'optin')).toMatchObject({ token: 'synced' });
    expect(marketingToken(null, 'optin')).toEqual({ token: 'optin', status: 'active', lastSentAt: null });
    expect(marketingToken(null, null)).toBeNull();
    expect(check({ token: null })).toMatchObject({ ok: false, reason: 'no_marketing_token' });
  });
  it('R14b: a token unsubscribed at Meta is refused', () => {
    expect(check({ token: tok({ status: 'unsubscribed' }) })).toMatchObject({
      reason: 'marketing_unsubscribed',
    });
  });
  it('R14b: recipients in AU, the EU, JP, KR or UK cannot get paid messages; VN and US can', () => {
    for (const r of ['AU', 'FR', 'JP', 'KR', 'UK', 'GB']) expect(marketingAllowedInRegion(r), r).toBe(false);
    for (const r of ['VN', 'US', 'TH', null]) expect(marketingAllowedInRegion(r), String(r)).toBe(true);
  });
});

describe('R14c the 12-hour limit and the minimum gap (the resolver’s view)', () => {
  it('R14c: one message per token per 12 h — refused until exactly 12 h after the last, with that time', () => {
    expect(MARKETING_TOKEN_INTERVAL_MS).toBe(12 * H);
    expect(check({ token: tok({ lastSentAt: ago(12 * H - 1) }) })).toEqual({
      ok: false,
      reason: 'marketing_token_limit',
      text: REASON_TEXT.marketing_token_limit,
      nextAt: later(1),
    });
    expect(check({ token: tok({ lastSentAt: ago(12 * H) }) }).ok).toBe(true);
    expect(nextMarketingSendAt(null)).toBeNull();
  });
  it('R14c: min_conversation_gap_seconds after the customer’s last interaction, with the time it ends', () => {
    expect(check({ gap: 2 * 86_400, age: 30 * H })).toMatchObject({
      reason: 'conversation_gap',
      nextAt: later(18 * H),
    });
    expect(check({ gap: 2 * 86_400, age: 48 * H }).ok).toBe(true);
    expect(check({ gap: null, age: 30 * H }).ok).toBe(true);
  });
  it('R14c: both limits at once → the one that ends later is the reason and the time', () => {
    const token = tok({ lastSentAt: ago(2 * H) }); // free again in 10 h
    expect(check({ token, gap: 2 * 86_400, age: 30 * H })).toMatchObject({
      reason: 'conversation_gap',
      nextAt: later(18 * H),
    });
    expect(check({ token, gap: 86_400 + 3600, age: 24 * H })).toMatchObject({
      reason: 'marketing_token_limit',
      nextAt: later(10 * H),
    });
  });
});

describe('R14d budget in money', () => {
  const vnd = (amount: number) => ({ currency: 'VND', amount });
  it.each([
    { spent: 0, estimate: 400, want: true },
    { spent: 9_600, estimate: 400, want: true },
    { spent: 9_601, estimate: 400, want: false },
    { spent: 10_000, estimate: 0, want: false },
  ])(
    'R14d: budget 10 000, spent $spent, next costs $estimate → allowed $want',
    ({ spent, estimate, want }) => {
      const r = budgetCheck({ budget: vnd(10_000), spent: vnd(spent), estimate: vnd(estimate) });
      expect(r.ok).toBe(want);
      if (!r.ok) expect(r.reason).toBe('budget_exhausted');
      else expect(r.remaining).toBe(10_000 - spent - estimate);
    },
  );
  it('R14d: no budget → no cap of ours; another currency is refused, not converted', () => {
    expect(budgetCheck({ budget: null, spent: vnd(1e9), estimate: vnd(1) })).toEqual({
      ok: true,
      remaining: null,
    });
    expect(
      budgetCheck({ budget: vnd(10_000), spent: null, estimate: { currency: 'USD', amount: 1 } }).ok,
    ).toBe(false);
  });
});

describe('R14e a stop unsubscribes at Meta', () => {
  it('R14e: an active marketing token is unsubscribed at Meta too, and both are in the history', () => {
    expect(stopEffects(tok())).toEqual({
      history: ['stopped', 'meta_unsubscribed'],
      unsubscribeAtMeta: 'mm-1',
    });
  });
  it('R14e: without a token (or already unsubscribed) only the product’s stop is recorded', () => {
    expect(stopEffects(null)).toEqual({ history: ['stopped'], unsubscribeAtMeta: null });
    expect(stopEffects(tok({ status: 'unsubscribed' }))).toEqual({
      history: ['stopped'],
      unsubscribeAtMeta: null,
    });
  });
});
