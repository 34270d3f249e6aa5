// Delivery rows of campaigns: the dispatcher's work queue and checkpoint. Claims take bounded batches
// (`FOR UPDATE SKIP LOCKED`, so workers on one PostgreSQL never share a row); outcomes and the
// campaign's counters are written set-based (unnest of arrays), in the transaction the dispatcher
// opens for each batch. Token claims, the conversation log and the consent history are written by
// their own modules (subscriptions.ts, messages.ts), set-based too.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import { insertSentMessages } from './messages.ts';
import type { DeliveryRow, DeliveryStatus } from './schema.ts';
import { appendConsents } from './subscriptions.ts';

export type ClaimedRow = DeliveryRow & { prev_status: DeliveryStatus };

/**
 * Every transaction that touches a campaign's deliveries and its counters takes the campaign row
 * first — the claim, the record, and the admin's cancel alike — so that their locks are always taken
 * in one order (campaign, then rows) and never deadlock.
 */
export async function lockCampaignRow(tx: Executor, campaignId: number): Promise<void> {
  await sql`SELECT 1 FROM campaigns WHERE id = ${campaignId} FOR NO KEY UPDATE`.execute(tx);
}

/**
 * Takes up to `limit` rows with work to do — new, due deferred, to resend, or `sending` under a lapsed
 * lease (its worker died mid-call) — marks them `sending` under this claim and a lease, and returns
 * them with the status they had. Nothing is claimed unless the campaign is running (pause/cancel
 * take effect between batches). The lease runs on the database's clock, shared by every worker.
 */
export async function claimBatch(
  tx: Executor,
  campaignId: number,
  opts: { claimId: string; limit: number; leaseMs: number; now: Date },
): Promise<ClaimedRow[]> {
  const res = await sql<ClaimedRow>`
    WITH picked AS (
      SELECT d.id, d.status AS prev_status FROM campaign_deliveries d
      WHERE d.campaign_id = ${campaignId}
        AND d.status IN ('pending', 'sending', 'retry', 'deferred')
        AND (d.status IN ('pending', 'retry')
          OR (d.status = 'deferred' AND d.deferred_until <= ${opts.now})
          OR (d.status = 'sending' AND d.lease_until < clock_timestamp()))
        AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = ${campaignId} AND c.status = 'running')
      ORDER BY d.id
      LIMIT ${opts.limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE campaign_deliveries d
    SET status = 'sending', claim_id = ${opts.claimId},
        lease_until = clock_timestamp() + ${`${opts.leaseMs} milliseconds`}::interval
    FROM picked WHERE d.id = picked.id
    RETURNING d.*, picked.prev_status`.execute(tx);
  return res.rows.sort((a, b) => a.id - b.id);
}

/** What a claimed recipient is about to be sent on: its token, attempt count and (first claim's) period end. */
export async function markAttempt(
  tx: Executor,
  rows: ReadonlyArray<{ id: number; subscriptionId: number; tokenPeriodEnd: Date | null }>,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    UPDATE campaign_deliveries d
    SET attempts = d.attempts + 1, subscription_id = v.sub,
        token_period_end = coalesce(v.period_end, d.token_period_end)
    FROM unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.subscriptionId)}::int[],
                ${rows.map((r) => r.tokenPeriodEnd)}::timestamptz[]) AS v(id, sub, period_end)
    WHERE d.id = v.id`.execute(tx);
}

export interface Outcome {
  id: number;
  status: DeliveryStatus;
  reason: string | null;
  messageId: string | null;
  sentAt: Date | null;
  deferredUntil: Date | null;
}

/**
 * Writes outcomes for rows still held by `claimId` (a row whose lease lapsed and was re-claimed
 * elsewhere is left to its new holder) and adds the final ones to the campaign's counters — the
 * checkpoint — in the same statement. Returns the ids written.
 */
export async function writeOutcomes(
  tx: Executor,
  campaignId: number,
  claimId: string,
  outcomes: readonly Outcome[],
  now: Date,
): Promise<number[]> {
  if (outcomes.length === 0) return [];
  const res = await sql<{ id: number; status: DeliveryStatus }>`
    WITH v AS (
      SELECT * FROM unnest(${outcomes.map((o) => o.id)}::bigint[], ${outcomes.map((o) => o.status)}::text[],
        ${outcomes.map((o) => o.reason)}::text[], ${outcomes.map((o) => o.messageId)}::text[],
        ${outcomes.map((o) => o.sentAt)}::timestamptz[], ${outcomes.map((o) => o.deferredUntil)}::timestamptz[])
        AS v(id, status, reason, message_id, sent_at, deferred_until)
    ), done AS (
      UPDATE campaign_deliveries d
      SET status = v.status, reason = v.reason, message_id = coalesce(v.message_id, d.message_id),
          sent_at = coalesce(v.sent_at, d.sent_at), deferred_until = v.deferred_until,
          lease_until = NULL, claim_id = NULL
      FROM v WHERE d.id = v.id AND d.claim_id = ${claimId} AND d.status = 'sending'
      RETURNING d.id, d.status
    ), counted AS (
      UPDATE campaigns SET
        sent_count = sent_count + (SELECT count(*) FROM done WHERE status = 'sent'),
        failed_count = failed_count + (SELECT count(*) FROM done WHERE status = 'failed'),
        skipped_count = skipped_count + (SELECT count(*) FROM done WHERE status = 'skipped'),
        checkpoint_at = ${now}, updated_at = ${now}
      WHERE id = ${campaignId}
    )
    SELECT id, status FROM done`.execute(tx);
  return res.rows.map((r) => Number(r.id));
}

export interface SentLog {
  workspaceId: number;
  pageId: number;
  topicId: number;
  customerId: number;
  subscriptionId: number;
  messageId: string | null;
  text: string | null;
  payload: unknown;
}

/**
 * The inbox shows campaign messages (messages, sender `campaign`, kind `notification`; an echo logged
 * first under the same mid is taken over) and the consent history gets a `used` row per token (R3c).
 * Each table is written by its own module.
 */
export async function logSent(tx: Executor, campaignId: number, rows: readonly SentLog[], now: Date) {
  if (rows.length === 0) return;
  await insertSentMessages(
    tx,
    rows.map((r) => ({
      workspaceId: r.workspaceId,
      pageId: r.pageId,
      customerId: r.customerId,
      direction: 'out',
      senderKind: 'campaign',
      kind: 'notification',
      mid: r.messageId,
      text: r.text,
      payload: r.payload,
      at: now,
    })),
  );
  await appendConsents(
    tx,
    rows.map((r) => ({
      workspaceId: r.workspaceId,
      pageId: r.pageId,
      topicId: r.topicId,
      customerId: r.customerId,
      subscriptionId: r.subscriptionId,
      event: 'used',
      at: now,
      senderKind: 'campaign',
      detail: { campaignId, messageId: r.messageId },
    })),
  );
}

/** Cancel (R9e): what has not been tried ends `skipped`/`cancelled`; a resend pending ends `uncertain`. */
export async function closeCancelled(tx: Executor, campaignId: number, now: Date): Promise<void> {
  await sql`
    WITH done AS (
      UPDATE campaign_deliveries d
      SET status = CASE WHEN d.status = 'pending' OR d.status = 'deferred' OR d.attempts = 0
                        THEN 'skipped' ELSE 'failed' END,
          reason = CASE WHEN d.status = 'pending' OR d.status = 'deferred' OR d.attempts = 0
                        THEN 'cancelled' ELSE 'uncertain' END,
          lease_until = NULL, claim_id = NULL
      WHERE d.campaign_id = ${campaignId}
        AND (d.status IN ('pending', 'deferred', 'retry')
          OR (d.status = 'sending' AND d.lease_until < clock_timestamp()))
      RETURNING d.status
    )
    UPDATE campaigns SET
      failed_count = failed_count + (SELECT count(*) FROM done WHERE status = 'failed'),
      skipped_count = skipped_count + (SELECT count(*) FROM done WHERE status = 'skipped'),
      checkpoint_at = ${now}, updated_at = ${now}
    WHERE id = ${campaignId}`.execute(tx);
}

/** Rows with work left: the campaign completes when there are none. */
export async function openCount(db: Executor, campaignId: number): Promise<number> {
  const row = await db
    .selectFrom('campaign_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['pending', 'sending', 'retry', 'deferred'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listDeliveries(
  db: Executor,
  campaignId: number,
  opts: { status?: DeliveryStatus; after?: number; limit: number },
) {
  let q = db
    .selectFrom('campaign_deliveries as d')
    .innerJoin('customers as c', 'c.id', 'd.customer_id')
    .select([
      'd.id',
      'd.customer_id',
      'c.psid',
      'c.name',
      'd.status',
      'd.reason',
      'd.message_id',
      'd.attempts',
      'd.sent_at',
      'd.deferred_until',
      'd.clicked_at',
    ])
    .where('d.campaign_id', '=', campaignId);
  if (opts.status) q = q.where('d.status', '=', opts.status);
  if (opts.after !== undefined) q = q.where('d.id', '>', opts.after);
  return q.orderBy('d.id').limit(opts.limit).execute();
}

export async function findDelivery(db: Executor, id: number): Promise<DeliveryRow | undefined> {
  return db.selectFrom('campaign_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A click (URL button through /r/:token, or a postback button): the first one counts. */
export async function markClicked(
  db: Executor,
  where: { deliveryId: number } | { campaignId: number; customerId: number },
  at: Date,
): Promise<boolean> {
  let q = db.updateTable('campaign_deliveries').set({ clicked_at: at }).where('clicked_at', 'is', null);
  q =
    'deliveryId' in where
      ? q.where('id', '=', where.deliveryId)
      : q.where('campaign_id', '=', where.campaignId).where('customer_id', '=', where.customerId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
