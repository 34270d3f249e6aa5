// Paid marketing messages (R14), one function per rule: where the route applies (R12e), the ad account
// (R14a), the token (R14b), Meta's 12-hour per-token limit and the minimum gap after a conversation
// (R14c, across all topics: R12g), the campaign budget (R14d), a stop told to Meta (R14e), Meta's
// MARKETING_MESSAGES_DIRECT errors and cost per result. Pure: the resolver (send-routes.ts), the app's
// send path, the dispatcher's paid branch and the statistics all read these rules, and only these.
import type { CustomerState, PageState } from './model.ts';
import { inRecurringRegion } from './platform.ts';
import { type Refusal, refuse } from './reasons.ts';
import {
  type GraphErrorBody,
  MARKETING_ERRORS,
  type MarketingErrorCode,
  marketingErrorCode,
} from './send-errors.ts';

const HOUR_MS = 3_600_000;

/** Meta: "one message every 12 hours per subscription_token" [M26 §1.3], across all topics (R12g). */
export const MARKETING_TOKEN_INTERVAL_MS = 12 * HOUR_MS;

export const MARKETING = {
  /** Meta: "one message every 12 hours per subscription_token" (notes §1.3), across all topics (R12g). */
  perTokenIntervalMs: MARKETING_TOKEN_INTERVAL_MS,
  /** Meta's default we send unless the workspace chose another (notes §2.2 shows 86400). */
  defaultMinConversationGapSeconds: 86_400,
  /**
   * After creating a message campaign Meta answers 2300003 until it is active. The FAQ says wait 60
   * min before sending and 10 min after activation; the product waits and retries, never guesses.
   */
  activationRetryMs: 10 * 60_000,
  /** Text and button template text limit (notes §1.3). */
  textMax: 640,
} as const;

/** Marketing messages may be delivered to recipients anywhere except AU, EU, JP, KR and UK [M26 §1.3]. */
export function marketingAllowedInRegion(region: string | null | undefined): boolean {
  return !inRecurringRegion(region);
}

/**
 * R12e / R14: a topic notification or campaign goes as a paid marketing message where the recurring
 * route is closed — the 2026 profile outside AU/EU/JP/KR/UK. Elsewhere the recurring token is used.
 * The resolver, the app's send path and the dispatcher all ask this one function.
 */
export function marketingRouteApplies(page: Pick<PageState, 'profile' | 'region'>): boolean {
  return page.profile === '2026' && marketingAllowedInRegion(page.region);
}

/** A workspace's connected ad account, as the rules need it (R14a). */
export interface AdAccountState {
  adAccountId: string;
  minConversationGapSeconds: number;
  /** Budget a new campaign gets unless it names its own, in the account's smallest currency unit. */
  defaultBudgetMinor: number | null;
  currency: string;
}

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

/** R14a: the setup an ad account gives (none connected: the route is closed). */
export function marketingSetup(
  account: Pick<AdAccountState, 'minConversationGapSeconds'> | null,
): MarketingSetup {
  return account
    ? { adAccountConnected: true, minConversationGapSeconds: account.minConversationGapSeconds }
    : { adAccountConnected: false, minConversationGapSeconds: null };
}

/**
 * R14b: the token a paid message uses — the one synchronised from Meta's list when there is one (Meta
 * subscribes people from click-to-Messenger ads too), else the opt-in card's token (the same token:
 * "existing subscribers carry over"). Never made up: no token, no paid message. `lastPaidSendAt` is
 * the last paid send to this customer on the page (R12g: one token per customer and page).
 */
export function marketingToken(
  synced: MarketingTokenState | null,
  optInToken: string | null,
  lastPaidSendAt: Date | null = null,
): MarketingTokenState | null {
  const latest = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
  if (synced) return { ...synced, lastSentAt: latest(synced.lastSentAt, lastPaidSendAt) };
  return optInToken ? { token: optInToken, status: 'active', lastSentAt: lastPaidSendAt } : null;
}

/** R14b: a token of Meta's synchronised list as the rules read it (`unsubscribed` when Meta's list says so). */
export function syncedToken(
  row: { token: string; unsubscribed: boolean } | null,
  lastSentAt: Date | null = null,
): MarketingTokenState | null {
  return row ? { token: row.token, status: row.unsubscribed ? 'unsubscribed' : 'active', lastSentAt } : null;
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
 * them: connect an ad account, the customer's token, then the time limits — when both hold, the one
 * that ends later is the reason, with its time (the earlier one alone would promise a time that fails).
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
  if (limit && now < limit && (!gap || gap <= limit)) return refuse('marketing_token_limit', limit);
  if (gap && now < gap) return refuse('conversation_gap', gap);
  if (limit && now < limit) return refuse('marketing_token_limit', limit);
  return { ok: true, token };
}

/**
 * R14d: would this send exceed the campaign's budget, given what was committed so far and the price of
 * one message? No budget = no cap of ours (Meta may still apply its own). Amounts in the smallest unit;
 * a budget in another currency than the price is refused rather than converted. The dispatcher commits
 * each paid send's price before the call (the estimate's upper bound per delivered message), so even if
 * every message is delivered the spend stays inside the budget.
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

/** Meta's delivery and cost estimate (`message_delivery_estimate`), costs in the smallest unit. */
export interface DeliveryEstimate {
  deliveryLower: number;
  deliveryUpper: number;
  costLowerMinor: number;
  costUpperMinor: number;
}

/**
 * The price a send commits against the budget: the estimate's highest cost over its lowest delivery
 * count, rounded up — the most one delivered message can cost by Meta's own estimate.
 */
export function unitCostUpperMinor(est: DeliveryEstimate): number {
  if (est.costUpperMinor <= 0) return 0;
  return Math.ceil(est.costUpperMinor / Math.max(1, est.deliveryLower));
}

/** Meta's MARKETING_MESSAGES_DIRECT errors as the paid route names them (one table: send-errors.ts). */
export type MarketingErrorClass = (typeof MARKETING_ERRORS)[MarketingErrorCode]['reason'];

/** Where the 23000xx value sits is not shown by Meta (notes §6.3): `code` first, then `error_subcode`. */
export function classifyMarketingError(err: GraphErrorBody | null | undefined): MarketingErrorClass | null {
  const code = marketingErrorCode(err);
  return code === null ? null : MARKETING_ERRORS[code].reason;
}

/** What one MM error changes: the recipient's end, the token, the message campaign, a retry time. */
export interface MarketingOutcome {
  status: 'failed' | 'skipped' | 'retry';
  reason: MarketingErrorClass;
  /** The subscription token is dead (2300004): the subscription expires now. */
  expireSubscription: boolean;
  /** The stored message campaign is unusable (inactive, unknown, another page's): make a new one. */
  dropMessageCampaign: boolean;
  /** When the same send may be tried again (activation wait, conversation gap). */
  retryAfterMs: number | null;
}

export function marketingOutcome(
  cls: MarketingErrorClass,
  minConversationGapSeconds: number,
): MarketingOutcome {
  const base = { reason: cls, expireSubscription: false, dropMessageCampaign: false, retryAfterMs: null };
  switch (cls) {
    case 'mm_campaign_inactive':
    case 'mm_invalid_message_id':
    case 'mm_message_set_inactive':
    case 'mm_page_id_mismatch':
      return { ...base, status: 'retry', dropMessageCampaign: true, retryAfterMs: 0 };
    case 'mm_message_not_active':
      return { ...base, status: 'retry', retryAfterMs: MARKETING.activationRetryMs };
    case 'mm_invalid_subscription_token':
      return { ...base, status: 'failed', expireSubscription: true };
    case 'mm_conversation_gap':
      return { ...base, status: 'skipped', retryAfterMs: minConversationGapSeconds * 1000 };
  }
}

/**
 * A single paid notification (not a campaign recipient) that Meta refused for a while, not for good,
 * is answered refused with the time it may go, as the resolver's own refusals are: 2300003 (the
 * campaign's activation wait), 2300052 (the conversation gap) and Meta's 12-hour token limit, which
 * Meta prints without a code (the Send API's cooldown row, 4/2018354, is where it is read). Null: a
 * failure, not a wait.
 */
export function paidWaitRefusal(
  err: GraphErrorBody,
  now: Date,
  minConversationGapSeconds: number,
): Refusal | null {
  const at = (ms: number) => new Date(now.getTime() + ms);
  switch (classifyMarketingError(err)) {
    case 'mm_message_not_active':
      return refuse('marketing_not_active', at(MARKETING.activationRetryMs));
    case 'mm_conversation_gap':
      return refuse('conversation_gap', at(minConversationGapSeconds * 1000));
    case null:
      // Meta did not say when the last message on the token went: 12 h from now is the latest it may be.
      return err.code === 4 && err.error_subcode === 2018354
        ? refuse('marketing_token_limit', at(MARKETING_TOKEN_INTERVAL_MS))
        : null;
    default:
      return null;
  }
}

/** Funnel counts of paid messages and what they cost, per campaign or per topic (R10a, R14d). */
export interface PaidFunnel {
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
  costMinor: number;
}

export interface PaidCosts {
  perDeliveredMinor: number | null;
  perReadMinor: number | null;
  perClickMinor: number | null;
}

/** R14d: cost per delivered, read and clicked message; null where nothing was counted yet. */
export function paidCosts(f: PaidFunnel): PaidCosts {
  const per = (n: number) => (n > 0 ? Math.round(f.costMinor / n) : null);
  return { perDeliveredMinor: per(f.delivered), perReadMinor: per(f.read), perClickMinor: per(f.clicked) };
}
