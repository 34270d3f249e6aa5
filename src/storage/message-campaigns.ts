// Meta message campaigns the product created (R14c): one live per product campaign, and one live per
// page for topic notifications (campaign_id null). A dropped one is kept for the sends that name it.
import type { Executor } from './db.ts';
import type { MessageCampaignRow } from './schema-marketing.ts';

export async function findLiveMessageCampaign(
  db: Executor,
  pageId: number,
  campaignId: number | null,
): Promise<MessageCampaignRow | undefined> {
  let q = db
    .selectFrom('message_campaigns')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('dropped_at', 'is', null);
  q = campaignId === null ? q.where('campaign_id', 'is', null) : q.where('campaign_id', '=', campaignId);
  return q.executeTakeFirst();
}

export async function insertMessageCampaign(
  db: Executor,
  c: {
    workspaceId: number;
    pageId: number;
    campaignId: number | null;
    metaCampaignId: string;
    budgetMinor: number | null;
    unitCostMinor: number;
    now: Date;
  },
): Promise<MessageCampaignRow> {
  return db
    .insertInto('message_campaigns')
    .values({
      workspace_id: c.workspaceId,
      page_id: c.pageId,
      campaign_id: c.campaignId,
      meta_campaign_id: c.metaCampaignId,
      budget_minor: c.budgetMinor,
      unit_cost_minor: c.unitCostMinor,
      created_at: c.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The per-message price from a newer estimate (the first one may have seen no subscriber yet). */
export async function setUnitCost(
  db: Executor,
  id: number,
  unitCostMinor: number,
): Promise<MessageCampaignRow> {
  return db
    .updateTable('message_campaigns')
    .set({ unit_cost_minor: unitCostMinor })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Meta said the campaign is inactive, unknown or another page's: the next send makes a new one. */
export async function dropMessageCampaign(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('message_campaigns')
    .set({ dropped_at: now })
    .where('id', '=', id)
    .where('dropped_at', 'is', null)
    .execute();
}

/** Locks the live row: paid sends of one message campaign commit their price one at a time (R14d). */
export async function lockMessageCampaign(db: Executor, id: number): Promise<MessageCampaignRow | undefined> {
  return db
    .selectFrom('message_campaigns')
    .selectAll()
    .where('id', '=', id)
    .where('dropped_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}
