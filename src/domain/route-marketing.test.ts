// R14: paid marketing messages — ad account (R14a), token source (R14b), the 12 h per-token limit and
// the minimum conversation gap (R14c), the budget (R14d) and the stop that unsubscribes at Meta (R14e).
import { describe, expect, it } from 'vitest';
import { customer, page, topic } from '../../test/support/domain-fixtures.ts';
import { ago, DAY, H, later, NOW, sub } from '../../test/support/resolver-fixtures.ts';
import { REASON_TEXT } from './reasons.ts';
import {
  budgetCheck,
  MARKETING_TOKEN_INTERVAL_MS,
  type MarketingTokenState,
  marketingAllowedInRegion,
  marketingCheck,
  marketingToken,
  nextMarketingSendAt,
  stopEffects,
} from './route-marketing.ts';
import { resolveRoute } from './send-routes.ts';

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

describe('R14c the 12-hour limit and the minimum gap', () => {
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

describe('R14d budget', () => {
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
