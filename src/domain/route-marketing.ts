// R14: paid marketing messages as the rules see them — the ad account (R14a), where the token comes
// from (R14b), Meta's per-token 12-hour limit and the minimum gap after a conversation (R14c, across all
// topics: R12g), the campaign budget (R14d) and what a stop does at Meta (R14e). Pure.
import type { CustomerState } from './model.ts';
import { inRecurringRegion } from './platform.ts';
import { type Refusal, refuse } from './reasons.ts';

const HOUR_MS = 3_600_000;

/** Meta: "one message every 12 hours per subscription_token" [M26 §1.3]. */
export const MARKETING_TOKEN_INTERVAL_MS = 12 * HOUR_MS;

/** An amount in the currency's smallest unit, as Meta's budgets and estimates are [M26 §1.3]. */
export interface Money {
  currency: string;
  amount: number;
}

/**
 * The customer's one marketing subscription on the page (Meta keeps one token per person and page,
 * whatever the topic: R12g). `lastSentAt` is the last paid send on it from any topic or campaign.
 */
export interface MarketingTokenState {
  token: string;
  /** `unsubscribed`: the customer left at Meta (the "Stop these messages" link) or in the product (R14e). */
  status: 'active' | 'unsubscribed';
  lastSentAt: Date | null;
}

/** What the workspace and page have connected for paid messages. */
export interface MarketingSetup {
  /** R14a: an ad account with a system-user token is connected. */
  adAccountConnected: boolean;
  /** `min_conversation_gap_seconds` the page sends with each message; null = none. */
  minConversationGapSeconds: number | null;
}

/** Marketing messages may be delivered to recipients anywhere except AU, EU, JP, KR and UK [M26 §1.3]. */
export function marketingAllowedInRegion(region: string | null | undefined): boolean {
  return !inRecurringRegion(region);
}

/**
 * R14b: the token a paid message uses — the one synchronised from Meta's list when there is one (Meta
 * subscribes people from click-to-Messenger ads too), else the opt-in card's token (the same token:
 * "existing subscribers carry over"). Never made up: no token, no paid message.
 */
export function marketingToken(
  synced: MarketingTokenState | null,
  optInToken: string | null,
): MarketingTokenState | null {
  if (synced) return synced;
  return optInToken ? { token: optInToken, status: 'active', lastSentAt: null } : null;
}

/** R14c: when the token may carry its next paid message (null: now). */
export function nextMarketingSendAt(lastSentAt: Date | null): Date | null {
  return lastSentAt ? new Date(lastSentAt.getTime() + MARKETING_TOKEN_INTERVAL_MS) : null;
}

/** R14c: Meta refuses a paid message this soon after the customer's own last interaction. */
export function conversationGapEndsAt(
  customer: Pick<CustomerState, 'lastInteractionAt'>,
  minGapSeconds: number | null,
): Date | null {
  if (!minGapSeconds || minGapSeconds <= 0 || !customer.lastInteractionAt) return null;
  return new Date(customer.lastInteractionAt.getTime() + minGapSeconds * 1000);
}

/**
 * R14a–c: may a paid message go to this customer now? The reasons in the order a shop can act on
 * them: connect an ad account, the customer's token, then the time limits with the time each ends.
 */
export function marketingCheck(input: {
  setup: MarketingSetup;
  customer: Pick<CustomerState, 'lastInteractionAt'>;
  token: MarketingTokenState | null;
  now: Date;
}): { ok: true; token: MarketingTokenState } | Refusal {
  const { setup, customer, token, now } = input;
  if (!setup.adAccountConnected) return refuse('no_ad_account');
  if (!token) return refuse('no_marketing_token');
  if (token.status === 'unsubscribed') return refuse('marketing_unsubscribed');
  const limit = nextMarketingSendAt(token.lastSentAt);
  const gap = conversationGapEndsAt(customer, setup.minConversationGapSeconds);
  // Both limits hold at once: the later of the two is when it could go.
  if (limit && now < limit && (!gap || gap <= limit)) return refuse('marketing_token_limit', limit);
  if (gap && now < gap) return refuse('conversation_gap', gap);
  if (limit && now < limit) return refuse('marketing_token_limit', limit);
  return { ok: true, token };
}

/**
 * R14d: would this send exceed the campaign's budget, given what was spent so far and the estimated
 * price of one message? No budget = no cap of ours (Meta may still apply its own). Amounts in the
 * smallest unit; a budget in another currency than the estimate is refused rather than converted.
 */
export function budgetCheck(input: {
  budget: Money | null;
  spent: Money | null;
  estimate: Money | null;
}): { ok: true; remaining: number | null } | Refusal {
  const { budget, spent, estimate } = input;
  if (!budget) return { ok: true, remaining: null };
  const foreign = (m: Money | null) => m !== null && m.currency !== budget.currency;
  if (foreign(spent) || foreign(estimate)) return refuse('budget_exhausted');
  const spentAmount = spent?.amount ?? 0;
  const next = spentAmount + (estimate?.amount ?? 0);
  if (next > budget.amount || spentAmount >= budget.amount) return refuse('budget_exhausted');
  return { ok: true, remaining: budget.amount - next };
}

/**
 * R14e: a customer who stops notifications in the product is also unsubscribed at Meta, since Meta
 * sends no opt-out webhook for marketing tokens; both are recorded in the consent history.
 */
export function stopEffects(token: MarketingTokenState | null): {
  history: Array<'stopped' | 'meta_unsubscribed'>;
  unsubscribeAtMeta: string | null;
} {
  if (!token || token.status === 'unsubscribed') return { history: ['stopped'], unsubscribeAtMeta: null };
  return { history: ['stopped', 'meta_unsubscribed'], unsubscribeAtMeta: token.token };
}
