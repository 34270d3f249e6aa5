// R14c/d: a topic notification or a campaign message sent as a paid marketing message — on the
// customer's stored subscription token (never a guessed one), through a Meta message campaign made
// when needed, inside the 12-hour token limit, the conversation gap and the budget, each known before
// the call. The price is committed before the call, so concurrent sends never pass the budget.
import type { AdAccountCredentials, GraphFailure, MarketingApi, OutgoingMessage } from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import {
  budgetCheck,
  classifyMarketingError,
  MARKETING,
  type MarketingErrorClass,
  marketingCheck,
  marketingOutcome,
  marketingRouteApplies,
  marketingSetup,
  marketingToken,
  nextMarketingSendAt,
  syncedToken,
  unitCostUpperMinor,
} from '../domain/marketing-messages.ts';
import type { SenderKind } from '../domain/model.ts';
import { type ReasonCode, type Refusal, refuse } from '../domain/reasons.ts';
import { isHeld } from '../domain/subscriptions.ts';
import * as adAccounts from '../storage/ad-accounts.ts';
import * as campaigns from '../storage/campaigns.ts';
import { lockCustomersByPsid } from '../storage/customers.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import * as sends from '../storage/marketing-sends.ts';
import * as messageCampaigns from '../storage/message-campaigns.ts';
import * as messages from '../storage/messages.ts';
import * as metaSubscribers from '../storage/meta-subscribers.ts';
import { listPages } from '../storage/pages.ts';
import type { CustomerRow, PageRow } from '../storage/schema.ts';
import type { AdAccountRow, MessageCampaignRow } from '../storage/schema-marketing.ts';
import * as subscriptions from '../storage/subscriptions.ts';
import * as topics from '../storage/topics.ts';
import type { MarketingContext } from './ad-accounts.ts';
import { isUniqueViolation } from './context.ts';
import { loadConversation } from './sends.ts';

export interface PaidSendRequest {
  workspaceId: number;
  customerId: number;
  topicId: number;
  sender: SenderKind;
  message: OutgoingMessage;
  /** A product campaign: its own Meta message campaign and budget. Null: the page's notifications. */
  campaignId?: number | null;
}

export type PaidSendOutcome =
  | { ok: true; route: 'marketing_message'; trackingId: string | null; costMinor: number; sendId: number }
  | (Refusal & { stage: 'rules' })
  | {
      ok: false;
      stage: 'graph';
      reason: MarketingErrorClass | `graph_${string}`;
      error: GraphFailure;
      nextAt: Date | null;
    };

function rules(reason: ReasonCode, nextAt: Date | null = null): PaidSendOutcome {
  return { ...refuse(reason, nextAt), stage: 'rules' };
}

function api(ctx: MarketingContext): MarketingApi {
  if (!ctx.marketing)
    throw new DomainError('marketing_unavailable', 'Paid marketing messages are not configured.');
  return ctx.marketing;
}

const creds = (row: AdAccountRow): AdAccountCredentials => ({
  adAccountId: row.ad_account_id,
  accessToken: adAccounts.adAccountToken(row),
});

/**
 * The live Meta message campaign for this page's notifications or this product campaign, made when
 * there is none: Meta's estimate first (its cost bound is the price each send commits), then
 * `act_{id}/message_campaign` with the budget. Two racing makers: the loser uses the winner's row.
 */
async function messageCampaignFor(
  ctx: MarketingContext,
  page: PageRow,
  account: AdAccountRow,
  campaignId: number | null,
): Promise<{ ok: true; row: MessageCampaignRow } | { ok: false; error: GraphFailure }> {
  const live = await messageCampaigns.findLiveMessageCampaign(ctx.db, page.id, campaignId);
  if (live && Number(live.unit_cost_minor) > 0) return { ok: true, row: live };
  if (live) {
    // Made before anyone subscribed (at the ad account's connection): Meta's estimate had no audience
    // to price, so the price is asked again now that there is one.
    const again = await api(ctx).deliveryEstimate(creds(account), {
      pageId: page.fb_page_id,
      lifetimeBudgetMinor: live.budget_minor === null ? null : Number(live.budget_minor),
      lifetimeInDays: 30,
    });
    const unit = again.ok ? unitCostUpperMinor(again.value) : 0;
    return { ok: true, row: unit > 0 ? await messageCampaigns.setUnitCost(ctx.db, live.id, unit) : live };
  }
  const campaign =
    campaignId === null ? null : await campaigns.findCampaign(ctx.db, page.workspace_id, campaignId);
  const budget =
    campaign?.budget_minor ??
    (account.default_budget_minor === null ? null : Number(account.default_budget_minor));
  const estimate = await api(ctx).deliveryEstimate(creds(account), {
    pageId: page.fb_page_id,
    lifetimeBudgetMinor: budget,
    lifetimeInDays: 30,
  });
  if (!estimate.ok) return estimate;
  const now = ctx.clock.now();
  const made = await api(ctx).createMessageCampaign(creds(account), {
    name: campaign ? `renotify: ${campaign.name}` : `renotify: ${page.name} notifications`,
    pageId: page.fb_page_id,
    lifetimeBudgetMinor: budget,
    startTime: now,
  });
  if (!made.ok) return made;
  try {
    const row = await messageCampaigns.insertMessageCampaign(ctx.db, {
      workspaceId: page.workspace_id,
      pageId: page.id,
      campaignId,
      metaCampaignId: made.value.id,
      budgetMinor: budget,
      unitCostMinor: unitCostUpperMinor(estimate.value),
      now,
    });
    return { ok: true, row };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const winner = await messageCampaigns.findLiveMessageCampaign(ctx.db, page.id, campaignId);
    if (!winner) throw e;
    return { ok: true, row: winner };
  }
}

type Reservation =
  | { ok: true; sendId: number; cost: number }
  | { ok: false; reason: 'budget_exhausted' | 'marketing_token_limit'; nextAt: Date | null }
  | { ok: false; reason: 'campaign_dropped' };

/**
 * In one transaction, with the message campaign and the customer locked: the 12-hour limit is read
 * again (a concurrent send may have just gone) and the price is committed only if the budget holds.
 */
function reserve(
  db: Executor,
  r: {
    page: PageRow;
    customer: CustomerRow;
    mc: MessageCampaignRow;
    req: PaidSendRequest;
    subscriptionId: number;
    token: string;
    now: Date;
  },
): Promise<Reservation> {
  return inTransaction(db, async (tx) => {
    const mc = await messageCampaigns.lockMessageCampaign(tx, r.mc.id);
    // Dropped by a concurrent send that met Meta's 2300000–2: the caller takes the new one.
    if (!mc) return { ok: false, reason: 'campaign_dropped' };
    await lockCustomersByPsid(tx, r.page.id, [r.customer.psid]);
    // R14c: the same 12-hour rule as before the call (marketing-messages.ts), read under the lock.
    const freeAt = nextMarketingSendAt(await sends.lastPaidSendAt(tx, r.customer.id));
    if (freeAt && r.now < freeAt) return { ok: false, reason: 'marketing_token_limit', nextAt: freeAt };
    const cost = Number(mc.unit_cost_minor);
    const committed = await sends.committedCostMinor(tx, mc.id);
    // R14d: one currency per ad account: the budget, the committed spend and the price are all in it.
    const money = (amount: number) => ({ currency: 'account', amount });
    const budget = budgetCheck({
      budget: mc.budget_minor === null ? null : money(Number(mc.budget_minor)),
      spent: money(committed),
      estimate: money(cost),
    });
    if (!budget.ok) return { ok: false, reason: 'budget_exhausted', nextAt: null };
    const sendId = await sends.insertMarketingSend(tx, {
      workspaceId: r.page.workspace_id,
      pageId: r.page.id,
      customerId: r.customer.id,
      topicId: r.req.topicId,
      campaignId: r.req.campaignId ?? null,
      subscriptionId: r.subscriptionId,
      messageCampaignId: mc.id,
      token: r.token,
      costMinor: cost,
      now: r.now,
    });
    return { ok: true, sendId, cost };
  });
}

/**
 * Meta accepts no send on a message campaign until a while after creating it (2300003, the FAQ's
 * wait). So the campaign a page's topic notifications go on is made when the ad account is
 * connected, not at the first notification. Best effort: a page left out gets one at its first send.
 */
export async function prepareNotificationCampaigns(
  ctx: MarketingContext,
  workspaceId: number,
): Promise<void> {
  const account = await adAccounts.findAdAccount(ctx.db, workspaceId);
  if (!account || !ctx.marketing) return;
  for (const page of await listPages(ctx.db, workspaceId)) {
    if (marketingRouteApplies(page)) await messageCampaignFor(ctx, page, account, null);
  }
}

/** R14c: one paid marketing message to one customer on a topic they hold. */
export async function sendPaidMessage(ctx: MarketingContext, req: PaidSendRequest): Promise<PaidSendOutcome> {
  const { page, customer } = await loadConversation(ctx.db, req.workspaceId, req.customerId);
  const topic = await topics.findTopic(ctx.db, req.workspaceId, req.topicId);
  if (!topic || topic.page_id !== page.id)
    throw new DomainError('topic_not_found', `No topic ${req.topicId} on this page.`);
  if (
    'text' in req.message &&
    typeof req.message.text === 'string' &&
    req.message.text.length > MARKETING.textMax
  ) {
    throw new DomainError(
      'validation_failed',
      `A marketing message text is at most ${MARKETING.textMax} characters.`,
    );
  }
  const now = ctx.clock.now();
  if (!topic.active) return rules('topic_inactive');
  if (customer.unreachable_reason) return rules('customer_unreachable');
  // R14b: the only tokens are the ones Meta gave us (opt-in card or Meta's list), held on this topic.
  const held = (await subscriptions.customerSubscriptions(ctx.db, customer.id, { topicId: topic.id }))
    .map(subscriptions.toSubscriptionState)
    .filter((s) => s.kind === 'recurring' && isHeld(s, now));
  const sub = held.find((s) => s.stoppedAt === null);
  if (!sub) return rules(held.length > 0 ? 'subscription_stopped' : 'no_subscription');
  const account = await adAccounts.findAdAccount(ctx.db, req.workspaceId);
  // R14a–c: the resolver's own check (marketing-messages.ts), on the token this send will use.
  const setup = marketingSetup(account ? adAccounts.adAccountState(account) : null);
  const [synced, lastPaid] = await Promise.all([
    metaSubscribers.tokenOfPsid(ctx.db, page.id, customer.psid),
    sends.lastPaidSendAt(ctx.db, customer.id),
  ]);
  const check = marketingCheck({
    setup,
    customer: { lastInteractionAt: customer.last_interaction_at },
    // R14b: Meta's synchronised token first, else the opt-in card's — the token the resolver shows.
    token: marketingToken(syncedToken(synced), sub.token, lastPaid),
    now,
  });
  if (!check.ok) return rules(check.reason, check.nextAt);
  const acct = account!;
  const gapSeconds = setup.minConversationGapSeconds ?? 0;
  // A campaign Meta calls unusable (inactive, unknown, another page's) is replaced once.
  for (let attempt = 0; ; attempt++) {
    const mc = await messageCampaignFor(ctx, page, acct, req.campaignId ?? null);
    if (!mc.ok)
      return { ok: false, stage: 'graph', reason: `graph_${mc.error.class}`, error: mc.error, nextAt: null };
    const held = await reserve(ctx.db, {
      page,
      customer,
      mc: mc.row,
      req,
      subscriptionId: sub.id,
      token: check.token.token,
      now,
    });
    if (!held.ok) {
      if (held.reason === 'campaign_dropped' && attempt === 0) continue;
      return held.reason === 'campaign_dropped' ? rules('budget_exhausted') : rules(held.reason, held.nextAt);
    }
    const result = await api(ctx).send(creds(acct), {
      messageCampaignId: mc.row.meta_campaign_id,
      subscriptionToken: check.token.token,
      message: req.message,
      minConversationGapSeconds: gapSeconds,
    });
    if (result.ok) {
      await sends.markMarketingSendAccepted(ctx.db, held.sendId, result.value.trackingId);
      await messages.insertMessage(ctx.db, {
        workspaceId: page.workspace_id,
        pageId: page.id,
        customerId: customer.id,
        direction: 'out',
        senderKind: req.sender,
        kind: 'marketing_message',
        mid: null,
        text: 'text' in req.message ? (req.message.text ?? null) : null,
        payload: req.message,
        at: now,
      });
      return {
        ok: true,
        route: 'marketing_message',
        trackingId: result.value.trackingId,
        costMinor: held.cost,
        sendId: held.sendId,
      };
    }
    // The call was refused: nothing reached the customer, so the row must not hold the token or budget.
    await sends.deleteRefusedMarketingSend(ctx.db, held.sendId);
    const cls = classifyMarketingError({ code: result.error.code, error_subcode: result.error.subcode });
    if (!cls)
      return {
        ok: false,
        stage: 'graph',
        reason: `graph_${result.error.class}`,
        error: result.error,
        nextAt: null,
      };
    const outcome = marketingOutcome(cls, gapSeconds);
    // 2300004: the token is dead at Meta — its subscriptions expire and Meta's list row is unsubscribed.
    if (outcome.expireSubscription)
      await metaSubscribers.markTokenDead(ctx.db, page.id, check.token.token, now);
    if (outcome.dropMessageCampaign) await messageCampaigns.dropMessageCampaign(ctx.db, mc.row.id, now);
    if (outcome.dropMessageCampaign && attempt === 0) continue;
    const nextAt = outcome.retryAfterMs === null ? null : new Date(now.getTime() + outcome.retryAfterMs);
    return { ok: false, stage: 'graph', reason: cls, error: result.error, nextAt };
  }
}

/** How one campaign recipient ended on the paid route (the dispatcher's delivery row takes it as is). */
export type PaidDeliveryAnswer =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped' | 'failed'; reason: string }
  /** Meta's campaign is not active yet (2300003): the recipient waits for it. */
  | { status: 'deferred'; reason: string; until: Date };

/**
 * R14c/d for a campaign recipient (the dispatcher's paid branch, through the composition root): once
 * per campaign and customer — a claim resent after a crash finds the earlier send — and every refusal
 * ends the recipient `skipped` with its reason (`budget_exhausted` once the budget is spent).
 */
export async function sendCampaignMessagePaid(
  ctx: MarketingContext,
  req: {
    workspaceId: number;
    campaignId: number;
    customerId: number;
    topicId: number;
    message: OutgoingMessage;
  },
): Promise<PaidDeliveryAnswer> {
  const earlier = await sends.findCampaignSend(ctx.db, req.campaignId, req.customerId);
  if (earlier) return { status: 'sent', messageId: earlier.tracking_id ?? `marketing:${earlier.id}` };
  const r = await sendPaidMessage(ctx, { ...req, sender: 'campaign' });
  if (r.ok) return { status: 'sent', messageId: r.trackingId ?? `marketing:${r.sendId}` };
  if (r.stage === 'rules' || r.reason === 'mm_conversation_gap')
    return { status: 'skipped', reason: r.reason };
  if (r.reason === 'mm_message_not_active' && r.nextAt) {
    return { status: 'deferred', reason: r.reason, until: r.nextAt };
  }
  return { status: 'failed', reason: r.reason };
}
