// R14 paid marketing messages: the route, the limits known before sending, the budget, Meta's errors.
import { describe, expect, it } from 'vitest';
import { page } from '../../test/support/domain-fixtures.ts';
import {
  type AdAccountState,
  budgetAllows,
  checkMarketingSend,
  classifyMarketingError,
  MARKETING,
  marketingOutcome,
  marketingRouteApplies,
  paidCosts,
  unitCostUpperMinor,
} from './marketing-messages.ts';

const H = 3_600_000;
const now = new Date('2026-11-30T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const account: AdAccountState = {
  adAccountId: '123',
  minConversationGapSeconds: 86_400,
  defaultBudgetMinor: 500_000,
  currency: 'VND',
};

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
    expect(r.reason).toBe('ad_account_missing');
    expect(r.text.en).toMatch(/ad account ID and a system-user token/);
    expect(r.text.vi).toMatch(/tài khoản quảng cáo/);
  });

  it('R14c: a customer last seen 8 days ago with no paid message yet may get one, with the gap sent along', () => {
    const r = checkMarketingSend({
      adAccount: account,
      customer: { lastInteractionAt: ago(8 * 24 * H) },
      lastPaidSendAt: null,
      now,
    });
    expect(r).toEqual({ ok: true, minConversationGapSeconds: 86_400 });
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
      reason: 'marketing_conversation_gap',
      nextAt: new Date(now.getTime() + 18 * H),
    });
  });

  it('R14c: when both limits hold, the refusal shows the later of the two times', () => {
    const r = checkMarketingSend({
      adAccount: { ...account, minConversationGapSeconds: 2 * 86_400 },
      customer: { lastInteractionAt: ago(30 * H) },
      lastPaidSendAt: ago(H),
      now,
    });
    expect(r).toMatchObject({ reason: 'marketing_token_limit', nextAt: new Date(now.getTime() + 18 * H) });
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
      expect(budgetAllows({ budgetMinor: budget, committedMinor: committed, unitCostMinor: unit })).toBe(ok);
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

  it('R14c: other Graph errors are left to the Send API table', () => {
    expect(classifyMarketingError({ code: 100 })).toBeNull();
    expect(classifyMarketingError({ code: 10, error_subcode: 2018278 })).toBeNull();
    expect(classifyMarketingError(null)).toBeNull();
  });
});
