// R12h/R14d: before a campaign starts, the route its messages would take on the page and, for paid
// messages, Meta's delivery and cost estimate for the budget — shown by the campaign wizard.
import { DomainError } from '../domain/errors.ts';
import {
  type DeliveryEstimate,
  type Money,
  marketingRouteApplies,
  unitCostUpperMinor,
} from '../domain/marketing-messages.ts';
import type { Bilingual } from '../domain/model.ts';
import { REASON_TEXT } from '../domain/reasons.ts';
import * as adAccounts from '../storage/ad-accounts.ts';
import * as campaigns from '../storage/campaigns.ts';
import type { Executor } from '../storage/db.ts';
import * as messageCampaigns from '../storage/message-campaigns.ts';
import * as pages from '../storage/pages.ts';
import type { MarketingContext } from './ad-accounts.ts';

export type RouteEstimate =
  | { route: 'recurring_token' }
  | { route: 'marketing_message'; closed: { reason: 'no_ad_account'; text: Bilingual } }
  | {
      route: 'marketing_message';
      currency: string;
      budgetMinor: number | null;
      estimate: DeliveryEstimate;
      /** The most one delivered message commits against the budget (R14d). */
      unitCostUpperMinor: number;
    }
  | { route: 'marketing_message'; estimateError: string };

export async function routeEstimate(
  ctx: MarketingContext,
  workspaceId: number,
  pageId: number,
  budgetMinor: number | null,
): Promise<RouteEstimate> {
  const page = await pages.findPage(ctx.db, workspaceId, pageId);
  if (!page) throw new DomainError('page_not_found', `No page ${pageId} in this workspace.`);
  if (!marketingRouteApplies(page)) return { route: 'recurring_token' };
  const account = await adAccounts.findAdAccount(ctx.db, workspaceId);
  if (!account) {
    return {
      route: 'marketing_message',
      closed: { reason: 'no_ad_account', text: REASON_TEXT.no_ad_account },
    };
  }
  if (!ctx.marketing)
    throw new DomainError('marketing_unavailable', 'Paid marketing messages are not configured.');
  const budget =
    budgetMinor ?? (account.default_budget_minor === null ? null : Number(account.default_budget_minor));
  const r = await ctx.marketing.deliveryEstimate(
    { adAccountId: account.ad_account_id, accessToken: adAccounts.adAccountToken(account) },
    { pageId: page.fb_page_id, lifetimeBudgetMinor: budget, lifetimeInDays: 30 },
  );
  if (!r.ok) return { route: 'marketing_message', estimateError: r.error.message };
  return {
    route: 'marketing_message',
    currency: account.currency,
    budgetMinor: budget,
    estimate: r.value,
    unitCostUpperMinor: unitCostUpperMinor(r.value),
  };
}

/**
 * R12h/R14d: the known price of one paid message on the page without asking Meta again — the price the
 * page's live notification message campaign commits per send (Meta's estimate when it was made). Null
 * until a paid message was sent once; the dry run asks Meta (routeEstimate) for a fresh estimate.
 */
export async function knownUnitPrice(db: Executor, pageId: number, currency: string): Promise<Money | null> {
  const live = await messageCampaigns.findLiveMessageCampaign(db, pageId, null);
  // A campaign made before anyone subscribed carries Meta's zero estimate until its first send prices it
  // again: that is "not known yet", not "free".
  const amount = live ? Number(live.unit_cost_minor) : 0;
  return amount > 0 ? { currency, amount } : null;
}

/** R14d: a campaign's budget, set while it is a draft (the dispatcher never passes it). */
export async function setCampaignBudget(
  ctx: MarketingContext,
  workspaceId: number,
  campaignId: number,
  budgetMinor: number | null,
): Promise<{ budgetMinor: number | null }> {
  if (budgetMinor !== null && (!Number.isSafeInteger(budgetMinor) || budgetMinor < 0)) {
    throw new DomainError('validation_failed', 'The budget is a whole amount in the smallest currency unit.');
  }
  const campaign = await campaigns.findCampaign(ctx.db, workspaceId, campaignId);
  if (!campaign) throw new DomainError('campaign_not_found', `No campaign ${campaignId} in this workspace.`);
  if (campaign.status !== 'draft' && campaign.status !== 'scheduled') {
    throw new DomainError(
      'campaign_state_conflict',
      'The budget can only change before the campaign starts.',
    );
  }
  await campaigns.setCampaignBudget(ctx.db, campaignId, budgetMinor, ctx.clock.now());
  return { budgetMinor };
}
