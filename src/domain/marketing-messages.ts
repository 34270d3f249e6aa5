// Paid marketing messages (R14): when the route applies, what Meta allows before a send (R14c), the
// campaign budget (R14d), Meta's MARKETING_MESSAGES_DIRECT errors (R14c) and cost per result (R14d).
// Pure: the app's send path, the dispatcher's paid branch and the statistics all read these rules.
import type { Bilingual, CustomerState, PageState } from './model.ts';
import { recurringAllowedInRegion } from './platform.ts';
import type { GraphErrorBody } from './send-errors.ts';

const HOUR_MS = 3_600_000;

export const MARKETING = {
  /** Meta: "one message every 12 hours per subscription_token" (notes §1.3), across all topics (R12g). */
  perTokenIntervalMs: 12 * HOUR_MS,
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

/**
 * R12e / R14: a topic notification or campaign goes as a paid marketing message where the recurring
 * route is closed — the 2026 profile outside AU/EU/JP/KR/UK. Elsewhere the recurring token is used.
 */
export function marketingRouteApplies(page: Pick<PageState, 'profile' | 'region'>): boolean {
  return page.profile === '2026' && !recurringAllowedInRegion(page.profile, page.region);
}

/** A workspace's connected ad account, as the rules need it (R14a). */
export interface AdAccountState {
  adAccountId: string;
  minConversationGapSeconds: number;
  /** Budget a new campaign gets unless it names its own, in the account's smallest currency unit. */
  defaultBudgetMinor: number | null;
  currency: string;
}

export const MARKETING_REASON_TEXT = {
  ad_account_missing: {
    vi: 'Chưa kết nối tài khoản quảng cáo: vào Cài đặt → Tài khoản quảng cáo, nhập ID tài khoản quảng cáo và mã truy cập của người dùng hệ thống để gửi tin nhắn quảng cáo trả phí.',
    en: 'No ad account connected: in Settings → Ad account, enter the ad account ID and a system-user token to send paid marketing messages.',
  },
  marketing_token_limit: {
    vi: 'Facebook chỉ cho phép một tin nhắn quảng cáo mỗi 12 giờ cho mỗi khách hàng (mọi chủ đề); có thể gửi sau thời điểm hiển thị.',
    en: 'Facebook allows one marketing message per customer every 12 hours (all topics together); it can go after the time shown.',
  },
  marketing_conversation_gap: {
    vi: 'Khách hàng vừa trò chuyện với Fanpage; tin nhắn quảng cáo chỉ được gửi sau khoảng cách tối thiểu, vào thời điểm hiển thị.',
    en: 'The customer talked with the page recently; a marketing message may go only after the minimum gap, at the time shown.',
  },
  budget_exhausted: {
    vi: 'Ngân sách của chiến dịch đã hết; tin nhắn không được gửi.',
    en: "The campaign's budget is spent; the message was not sent.",
  },
} as const satisfies Record<string, Bilingual>;

export type MarketingReason = keyof typeof MARKETING_REASON_TEXT;

export interface MarketingRefusal {
  ok: false;
  reason: MarketingReason;
  text: Bilingual;
  nextAt: Date | null;
}

function refuseMarketing(reason: MarketingReason, nextAt: Date | null = null): MarketingRefusal {
  return { ok: false, reason, text: MARKETING_REASON_TEXT[reason], nextAt };
}

export interface MarketingCheckInput {
  adAccount: AdAccountState | null;
  customer: Pick<CustomerState, 'lastInteractionAt'>;
  /** The last paid message to this customer on this page, any topic, any campaign (R12g). */
  lastPaidSendAt: Date | null;
  now: Date;
}

/**
 * R14a, R14c: may a paid message go now? Refuses without an ad account (saying what to connect),
 * inside 12 h of the last paid message to the same token, and inside the minimum conversation gap,
 * each with the time it may go. The latest of the two times is the one shown.
 */
export function checkMarketingSend(
  input: MarketingCheckInput,
): { ok: true; minConversationGapSeconds: number } | MarketingRefusal {
  const { adAccount, customer, lastPaidSendAt, now } = input;
  if (!adAccount) return refuseMarketing('ad_account_missing');
  const tokenFreeAt = lastPaidSendAt ? lastPaidSendAt.getTime() + MARKETING.perTokenIntervalMs : 0;
  const gapMs = adAccount.minConversationGapSeconds * 1000;
  const gapFreeAt = customer.lastInteractionAt ? customer.lastInteractionAt.getTime() + gapMs : 0;
  const t = now.getTime();
  if (tokenFreeAt > t) {
    return refuseMarketing('marketing_token_limit', new Date(Math.max(tokenFreeAt, gapFreeAt)));
  }
  if (gapFreeAt > t) return refuseMarketing('marketing_conversation_gap', new Date(gapFreeAt));
  return { ok: true, minConversationGapSeconds: adAccount.minConversationGapSeconds };
}

/**
 * R14d: the dispatcher never exceeds a campaign's budget. Each paid send commits its price before the
 * call (the estimate's upper bound per delivered message), so even if every message is delivered the
 * spend stays inside the budget. No budget: no cap of ours (Meta may still cap, notes §1.3).
 */
export function budgetAllows(input: {
  budgetMinor: number | null;
  committedMinor: number;
  unitCostMinor: number;
}): boolean {
  if (input.budgetMinor === null) return true;
  return input.committedMinor + input.unitCostMinor <= input.budgetMinor;
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

/** Meta's MARKETING_MESSAGES_DIRECT errors (notes §2.2), codes kept exactly as Meta's. */
export const MARKETING_ERROR_CODES = {
  2300000: 'mm_campaign_inactive',
  2300001: 'mm_invalid_message_id',
  2300002: 'mm_message_set_inactive',
  2300003: 'mm_message_not_active',
  2300004: 'mm_invalid_subscription_token',
  2300005: 'mm_page_id_mismatch',
  2300052: 'mm_conversation_gap',
} as const;

export type MarketingErrorClass = (typeof MARKETING_ERROR_CODES)[keyof typeof MARKETING_ERROR_CODES];

/** Where the 23000xx value sits is not shown by Meta (notes §6.3): `code` first, then `error_subcode`. */
export function classifyMarketingError(err: GraphErrorBody | null | undefined): MarketingErrorClass | null {
  for (const v of [err?.code, err?.error_subcode]) {
    if (v !== undefined && v in MARKETING_ERROR_CODES) {
      return MARKETING_ERROR_CODES[v as keyof typeof MARKETING_ERROR_CODES];
    }
  }
  return null;
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
