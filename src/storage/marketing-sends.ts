// One row per paid marketing message (R14c/d): written before the Graph call with the price it commits
// against the budget, completed with Meta's tracking id, then walked through the funnel by the
// marketing_message_* webhooks. The 12-hour limit and the budget are read from here.
import { sql } from 'kysely';
import type { PaidFunnel } from '../domain/marketing-messages.ts';
import type { Executor } from './db.ts';
import type { MarketingSendRow } from './schema-marketing.ts';
import { lookupHash } from './secrets.ts';

export async function insertMarketingSend(
  db: Executor,
  s: {
    workspaceId: number;
    pageId: number;
    customerId: number;
    topicId: number | null;
    campaignId: number | null;
    subscriptionId: number | null;
    messageCampaignId: number;
    token: string;
    costMinor: number;
    now: Date;
  },
): Promise<number> {
  const row = await db
    .insertInto('marketing_sends')
    .values({
      workspace_id: s.workspaceId,
      page_id: s.pageId,
      customer_id: s.customerId,
      topic_id: s.topicId,
      campaign_id: s.campaignId,
      subscription_id: s.subscriptionId,
      message_campaign_id: s.messageCampaignId,
      token_hash: lookupHash(s.token),
      sent_at: s.now,
      cost_minor: s.costMinor,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function markMarketingSendAccepted(db: Executor, id: number, trackingId: string | null) {
  await db.updateTable('marketing_sends').set({ tracking_id: trackingId }).where('id', '=', id).execute();
}

/** Meta refused the call or reported the delivery failed: nothing is charged, the budget is freed. */
export async function markMarketingSendFailed(db: Executor, id: number, failure: string, at: Date) {
  await db
    .updateTable('marketing_sends')
    .set({ failed_at: at, failure, cost_minor: 0 })
    .where('id', '=', id)
    .where('delivered_at', 'is', null)
    .execute();
}

/** Meta refused the call itself: the row never reached Meta and must not count for the 12 h limit. */
export async function deleteRefusedMarketingSend(db: Executor, id: number) {
  await db.deleteFrom('marketing_sends').where('id', '=', id).where('tracking_id', 'is', null).execute();
}

/** R12g: the last paid message to this customer (one Meta token per customer and page), any topic. */
export async function lastPaidSendAt(db: Executor, customerId: number): Promise<Date | null> {
  const row = await db
    .selectFrom('marketing_sends')
    .select((eb) => eb.fn.max('sent_at').as('at'))
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row?.at ? new Date(row.at as Date | string) : null;
}

/** R14d: what a Meta message campaign has committed (sent and not failed), to hold its budget. */
export async function committedCostMinor(db: Executor, messageCampaignId: number): Promise<number> {
  const row = await db
    .selectFrom('marketing_sends')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('cost_minor'), sql<number>`0`).as('c'))
    .where('message_campaign_id', '=', messageCampaignId)
    .where('failed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.c);
}

export type FunnelStep = 'delivered' | 'read' | 'clicked' | 'failed';

/**
 * Finds the send a marketing webhook names, within the page's workspace only: by tracking id when
 * Meta gives it, else the latest send on that token under that Meta message campaign.
 */
export async function findMarketingSendForEvent(
  db: Executor,
  e: {
    workspaceId: number;
    pageId: number;
    trackingId: string | null;
    token: string | null;
    messageId: string | null;
  },
): Promise<MarketingSendRow | undefined> {
  if (e.trackingId) {
    const byTracking = await db
      .selectFrom('marketing_sends')
      .selectAll()
      .where('tracking_id', '=', e.trackingId)
      .where('workspace_id', '=', e.workspaceId)
      .where('page_id', '=', e.pageId)
      .executeTakeFirst();
    if (byTracking) return byTracking;
  }
  if (!e.token) return undefined;
  let q = db
    .selectFrom('marketing_sends as s')
    .innerJoin('message_campaigns as m', 'm.id', 's.message_campaign_id')
    .selectAll('s')
    .where('s.workspace_id', '=', e.workspaceId)
    .where('s.page_id', '=', e.pageId)
    .where('s.token_hash', '=', lookupHash(e.token));
  if (e.messageId) q = q.where('m.meta_campaign_id', '=', e.messageId);
  return q.orderBy('s.sent_at', 'desc').orderBy('s.id', 'desc').limit(1).executeTakeFirst();
}

/** Records a funnel step once (the first webhook wins; a retried webhook changes nothing). */
export async function recordFunnelStep(
  db: Executor,
  id: number,
  step: FunnelStep,
  at: Date,
  failure?: string,
) {
  if (step === 'failed') return markMarketingSendFailed(db, id, failure ?? 'delivery_failed', at);
  const col = step === 'delivered' ? 'delivered_at' : step === 'read' ? 'read_at' : 'clicked_at';
  const set: Record<string, Date> = { [col]: at };
  await db.updateTable('marketing_sends').set(set).where('id', '=', id).where(col, 'is', null).execute();
  // A read or click proves delivery, even when Meta's delivery webhook is late or lost.
  if (step !== 'delivered') {
    await db
      .updateTable('marketing_sends')
      .set({ delivered_at: at, failed_at: null, failure: null })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }
}

/** Funnel and cost of the paid messages of one workspace, per campaign or per topic (R14d). */
export async function paidFunnel(
  db: Executor,
  workspaceId: number,
  by: { campaignId: number } | { topicId: number },
): Promise<PaidFunnel> {
  let q = db
    .selectFrom('marketing_sends')
    .select((eb) => [
      eb.fn.countAll<number>().as('sent'),
      eb.fn.count<number>('delivered_at').as('delivered'),
      eb.fn.count<number>('read_at').as('read'),
      eb.fn.count<number>('clicked_at').as('clicked'),
      eb.fn.count<number>('failed_at').as('failed'),
      sql<number>`coalesce(sum(cost_minor) filter (where delivered_at is not null), 0)`.as('cost'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('tracking_id', 'is not', null);
  q = 'campaignId' in by ? q.where('campaign_id', '=', by.campaignId) : q.where('topic_id', '=', by.topicId);
  const r = await q.executeTakeFirstOrThrow();
  return {
    sent: Number(r.sent),
    delivered: Number(r.delivered),
    read: Number(r.read),
    clicked: Number(r.clicked),
    failed: Number(r.failed),
    costMinor: Number(r.cost),
  };
}

/** A campaign's paid message to a customer that reached Meta: a resent claim must not send it twice. */
export async function findCampaignSend(
  db: Executor,
  campaignId: number,
  customerId: number,
): Promise<MarketingSendRow | undefined> {
  return db
    .selectFrom('marketing_sends')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('customer_id', '=', customerId)
    .where('tracking_id', 'is not', null)
    .executeTakeFirst();
}
