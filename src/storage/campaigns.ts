// Campaign rows, their audience (R9a filters as SQL, read in keyset pages of customers.id) and
// progress counts. The per-recipient delivery rows and their set-based updates are in
// campaign-deliveries.ts.
import { type ExpressionBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { AudienceFilters, CampaignContent } from '../domain/campaigns.ts';
import type { Executor } from './db.ts';
import type { CampaignRow, CampaignStatus, CustomerRow, Database, SubscriptionRow } from './schema.ts';

export interface NewCampaign {
  workspaceId: number;
  pageId: number;
  topicId: number;
  name: string;
  content: CampaignContent;
  audience: AudienceFilters;
  allowDefer: boolean;
  linkSecret: string;
}

export async function insertCampaign(db: Executor, c: NewCampaign, now: Date): Promise<CampaignRow> {
  return db
    .insertInto('campaigns')
    .values({
      workspace_id: c.workspaceId,
      page_id: c.pageId,
      topic_id: c.topicId,
      name: c.name,
      status: 'draft',
      pause_reason: null,
      audience: JSON.stringify(c.audience),
      content: JSON.stringify(c.content),
      allow_defer: c.allowDefer,
      link_secret: c.linkSecret,
      scheduled_at: null,
      started_at: null,
      finished_at: null,
      checkpoint_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A campaign is read with its own counters plus the tallies its batches appended since the last fold
 * (campaign-deliveries.ts), summed in the same statement so the sum is one snapshot, and in one read of
 * those rows (one per batch of 500: 2,000 by the end of a 1M campaign; four scalar subqueries read them
 * four times).
 */
const TALLIES = sql<{
  tally_sent: string;
  tally_failed: string;
  tally_skipped: string;
  tally_at: Date | null;
}>`(
  SELECT coalesce(sum(t.sent), 0) AS tally_sent, coalesce(sum(t.failed), 0) AS tally_failed,
         coalesce(sum(t.skipped), 0) AS tally_skipped, max(t.at) AS tally_at
  FROM campaign_tallies t WHERE t.campaign_id = campaigns.id)`.as('tallies');

/** `campaigns` with its tallies (an aggregate: one row per campaign), every column. */
function campaignsWithTallies(db: Executor) {
  return db
    .selectFrom('campaigns')
    .innerJoinLateral(TALLIES, (join) => join.onTrue())
    .selectAll('campaigns')
    .select(['tallies.tally_sent', 'tallies.tally_failed', 'tallies.tally_skipped', 'tallies.tally_at']);
}

type WithTallies = CampaignRow & {
  tally_sent: string;
  tally_failed: string;
  tally_skipped: string;
  tally_at: Date | null;
};

function counted({ tally_sent, tally_failed, tally_skipped, tally_at, ...c }: WithTallies): CampaignRow {
  return {
    ...c,
    sent_count: c.sent_count + Number(tally_sent),
    failed_count: c.failed_count + Number(tally_failed),
    skipped_count: c.skipped_count + Number(tally_skipped),
    checkpoint_at: tally_at && (!c.checkpoint_at || tally_at > c.checkpoint_at) ? tally_at : c.checkpoint_at,
  };
}

/**
 * Adds the campaign's tallies to its counters and deletes them, in one statement. Called by the
 * life-cycle step, which already holds the campaign row (the lock order in campaign-deliveries.ts).
 */
export async function foldTallies(tx: Executor, campaignId: number): Promise<void> {
  await sql`
    WITH t AS (DELETE FROM campaign_tallies WHERE campaign_id = ${campaignId} RETURNING sent, failed, skipped, at)
    UPDATE campaigns SET
      sent_count = sent_count + (SELECT coalesce(sum(sent), 0) FROM t),
      failed_count = failed_count + (SELECT coalesce(sum(failed), 0) FROM t),
      skipped_count = skipped_count + (SELECT coalesce(sum(skipped), 0) FROM t),
      checkpoint_at = greatest(checkpoint_at, (SELECT max(at) FROM t))
    WHERE id = ${campaignId} AND EXISTS (SELECT 1 FROM t)`.execute(tx);
}

/** `findCampaign`'s read, compiled (a plan test looks at it). */
export function campaignReadStatement(db: Executor, id: number) {
  return campaignsWithTallies(db).where('campaigns.id', '=', id).compile();
}

export async function findCampaign(
  db: Executor,
  workspaceId: number | null,
  id: number,
  opts: { forUpdate?: boolean } = {},
): Promise<CampaignRow | undefined> {
  let q = campaignsWithTallies(db).where('campaigns.id', '=', id);
  if (workspaceId !== null) q = q.where('campaigns.workspace_id', '=', workspaceId);
  // The campaign row only: the tallies are an aggregate.
  if (opts.forUpdate) q = q.forUpdate('campaigns');
  const row = await q.executeTakeFirst();
  return row && counted(row);
}

export async function listCampaigns(
  db: Executor,
  workspaceId: number,
  filter: { pageId?: number; status?: CampaignStatus } = {},
): Promise<CampaignRow[]> {
  let q = campaignsWithTallies(db).where('campaigns.workspace_id', '=', workspaceId);
  if (filter.pageId !== undefined) q = q.where('campaigns.page_id', '=', filter.pageId);
  if (filter.status !== undefined) q = q.where('campaigns.status', '=', filter.status);
  return (await q.orderBy('campaigns.id', 'desc').limit(500).execute()).map(counted);
}

/** The page's latest campaigns, newest first (statistics). */
export async function latestCampaigns(db: Executor, pageId: number, limit: number): Promise<CampaignRow[]> {
  const rows = await campaignsWithTallies(db)
    .where('campaigns.page_id', '=', pageId)
    .orderBy('campaigns.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(counted);
}

export interface DraftPatch {
  topicId: number;
  name: string;
  content: CampaignContent;
  audience: AudienceFilters;
  allowDefer: boolean;
}

/** Rewrites a draft's definition; a campaign that left draft (started meanwhile) is not touched. */
export async function updateDraft(
  db: Executor,
  id: number,
  d: DraftPatch,
  now: Date,
): Promise<CampaignRow | undefined> {
  return db
    .updateTable('campaigns')
    .set({
      topic_id: d.topicId,
      name: d.name,
      content: JSON.stringify(d.content),
      audience: JSON.stringify(d.audience),
      allow_defer: d.allowDefer,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .returningAll()
    .executeTakeFirst();
}

/** Deletes a draft (it has no recipients yet: the audience is materialised at start). */
export async function deleteDraft(db: Executor, id: number): Promise<boolean> {
  const res = await db
    .deleteFrom('campaigns')
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}

export type CampaignPatch = Partial<
  Pick<CampaignRow, 'status' | 'pause_reason' | 'scheduled_at' | 'started_at' | 'finished_at'>
>;

/**
 * Conditional on the status the decision was taken from: a concurrent change (the dispatcher
 * auto-pausing while an admin cancels) makes this return false instead of overwriting it.
 */
export async function updateCampaignIf(
  db: Executor,
  id: number,
  fromStatus: CampaignStatus,
  patch: CampaignPatch,
  now: Date,
): Promise<boolean> {
  const res = await db
    .updateTable('campaigns')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', fromStatus)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Campaigns the dispatcher has work for: running ones, and scheduled ones that are due. */
export async function activeCampaigns(db: Executor, now: Date): Promise<CampaignRow[]> {
  return db
    .selectFrom('campaigns')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('status', '=', 'running'),
        eb.and([eb('status', '=', 'scheduled'), eb('scheduled_at', '<=', now)]),
      ]),
    )
    .orderBy('id')
    .execute();
}

/** The materialising worker holds the campaign row; another worker skips it rather than waits. */
export async function lockCampaign(db: Executor, id: number): Promise<CampaignRow | undefined> {
  return db
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export interface AudienceScope {
  pageId: number;
  topicId: number;
  filters: AudienceFilters;
}

/** R9a: subscribers of the topic (any token, held or not — the rest are skipped with a reason), filtered. */
function audience(
  db: Executor,
  scope: AudienceScope,
  afterId: number,
  limit: number,
): SelectQueryBuilder<Database, 'customers', object> {
  const f = scope.filters;
  let q = db
    .selectFrom('customers')
    .where('customers.page_id', '=', scope.pageId)
    .where('customers.id', '>', afterId)
    .where((eb: ExpressionBuilder<Database, 'customers'>) => {
      let s = eb
        .selectFrom('subscriptions')
        .select(sql`1`.as('one'))
        .whereRef('subscriptions.customer_id', '=', 'customers.id')
        .where('subscriptions.topic_id', '=', scope.topicId);
      if (f.optedInFrom) s = s.where('subscriptions.opted_in_at', '>=', f.optedInFrom);
      if (f.optedInTo) s = s.where('subscriptions.opted_in_at', '<=', f.optedInTo);
      // OFFSET 0 keeps the check a lookup per customer, walked in id order from the cursor on the page's
      // keyset index (migration 036) and stopped at the page's end. Joined instead, the plans read the
      // topic's tokens from the first customer on (PostgreSQL does not carry the cursor across the join),
      // or every customer and token after the cursor, sorted: for every page (a quadratic copy).
      return eb.exists(s.offset(0));
    });
  if (f.labels?.length) q = q.where(sql<boolean>`customers.labels @> ${f.labels}::text[]`);
  if (f.attributes && Object.keys(f.attributes).length) {
    q = q.where(sql<boolean>`customers.attributes @> ${JSON.stringify(f.attributes)}::jsonb`);
  }
  if (f.lastInteractionFrom) q = q.where('customers.last_interaction_at', '>=', f.lastInteractionFrom);
  if (f.lastInteractionTo) q = q.where('customers.last_interaction_at', '<=', f.lastInteractionTo);
  return q.orderBy('customers.id').limit(limit);
}

/** One keyset page of the audience's customer ids, compiled (the plan tests look at it). */
export function audienceIdsStatement(db: Executor, scope: AudienceScope, afterId: number, limit: number) {
  return audience(db, scope, afterId, limit).select('customers.id').compile();
}

/** One keyset page of the audience, with each customer's tokens on the topic (the dry run's input). */
export async function audiencePage(
  db: Executor,
  scope: AudienceScope,
  afterId: number,
  limit: number,
): Promise<{ customers: CustomerRow[]; subscriptions: SubscriptionRow[] }> {
  const rows = (await audience(db, scope, afterId, limit).selectAll('customers').execute()) as CustomerRow[];
  if (rows.length === 0) return { customers: [], subscriptions: [] };
  const subscriptions = await subscriptionsOf(
    db,
    scope.topicId,
    rows.map((r) => r.id),
  );
  return { customers: rows, subscriptions };
}

export async function customersByIds(db: Executor, ids: readonly number[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', sql<number>`any(${ids as number[]}::int[])`)
    .execute();
}

/** The customers' tokens on the topic, by id (a campaign's claimed batch, a page of the dry run). */
export async function subscriptionsOf(
  db: Executor,
  topicId: number,
  customerIds: readonly number[],
): Promise<SubscriptionRow[]> {
  if (customerIds.length === 0) return [];
  return (await subscriptionsOfStatement(topicId, customerIds).execute(db)).rows;
}

// Each customer's own tokens by its key (LATERAL; OFFSET 0 keeps it a lookup per customer): with
// statistics taken before a burst of opt-ins to the topic ("few tokens"), `customer_id = any(…)` was
// planned as a filter over every token of the topic, read again for every batch of the campaign.
export function subscriptionsOfStatement(topicId: number, customerIds: readonly number[]) {
  return sql<SubscriptionRow>`
    SELECT s.* FROM (SELECT DISTINCT id FROM unnest(${customerIds as number[]}::int[]) AS c(id)) c
    CROSS JOIN LATERAL (
      SELECT * FROM subscriptions s WHERE s.customer_id = c.id AND s.topic_id = ${topicId} OFFSET 0
    ) s
    ORDER BY s.id`;
}

/**
 * Copies one keyset page of the audience into delivery rows and moves the campaign's cursor, in the
 * caller's transaction: a crash repeats the page or none of it. Returns how many rows it added. The page
 * is read and inserted inside PostgreSQL (one statement): the customer ids never travel to the
 * dispatcher, whose CPU is what bounds a campaign's start (issue 13).
 */
export async function materialisePage(
  tx: Executor,
  campaign: CampaignRow,
  scope: AudienceScope,
  limit: number,
  now: Date,
): Promise<{ added: number; done: boolean }> {
  const page = audience(tx, scope, campaign.audience_cursor, limit).select('customers.id');
  const { rows } = await sql<{ n: number; last: number | null }>`
    WITH a AS (${page}), ins AS (
      INSERT INTO campaign_deliveries (campaign_id, customer_id, status)
      SELECT ${campaign.id}, a.id, 'pending' FROM a ORDER BY a.id
      ON CONFLICT (campaign_id, customer_id) DO NOTHING)
    SELECT count(*)::int AS n, max(a.id) AS last FROM a`.execute(tx);
  const added = Number(rows[0]?.n ?? 0);
  const last = rows[0]?.last;
  const done = added < limit;
  // The rows just written are what every claim and outcome joins against: without statistics the
  // planner nests loops over a table it believes empty (seconds per batch at 20 000 rows). After the
  // first page too: sending starts while the rest is copied (dispatcher.ts).
  if (done || campaign.audience_cursor === 0) await sql`ANALYZE campaign_deliveries`.execute(tx);
  await tx
    .updateTable('campaigns')
    .set((eb) => ({
      audience_cursor: last == null ? campaign.audience_cursor : Number(last),
      targeted: eb('targeted', '+', added),
      materialized: done,
      checkpoint_at: now,
      updated_at: now,
    }))
    .where('id', '=', campaign.id)
    .execute();
  return { added, done };
}

export interface StatusCount {
  status: string;
  reason: string | null;
  n: number;
}

/** R9e live progress: recipients per status and reason. */
export async function deliveryCounts(db: Executor, campaignId: number): Promise<StatusCount[]> {
  return db
    .selectFrom('campaign_deliveries')
    .select(['status', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .groupBy(['status', 'reason'])
    .orderBy('status')
    .orderBy('reason')
    .execute();
}

/** Delivered / read from the messages the campaign logged (marked by Meta's webhooks), and clicks. */
export async function engagementCounts(
  db: Executor,
  campaignId: number,
): Promise<{ delivered: number; read: number; clicked: number }> {
  const row = await db
    .selectFrom('campaign_deliveries as d')
    .leftJoin('messages as m', (j) =>
      // mids are Meta's, unique per page: the customer pins the page.
      j.onRef('m.customer_id', '=', 'd.customer_id').onRef('m.mid', '=', 'd.message_id'),
    )
    .select((eb) => [
      eb.fn.count<number>('m.delivered_at').as('delivered'),
      eb.fn.count<number>('m.read_at').as('read'),
      eb.fn.count<number>('d.clicked_at').as('clicked'),
    ])
    .where('d.campaign_id', '=', campaignId)
    .where('d.status', '=', 'sent')
    .executeTakeFirstOrThrow();
  return { delivered: Number(row.delivered), read: Number(row.read), clicked: Number(row.clicked) };
}

/** R14d: the most a paid campaign may spend (null: no cap of ours). */
export async function setCampaignBudget(
  db: Executor,
  id: number,
  budgetMinor: number | null,
  now: Date,
): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ budget_minor: budgetMinor, updated_at: now })
    .where('id', '=', id)
    .execute();
}
