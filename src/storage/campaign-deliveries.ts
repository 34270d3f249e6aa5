// Delivery rows of campaigns: the dispatcher's work queue and checkpoint. Claims take bounded batches
// (`FOR UPDATE SKIP LOCKED`, so workers on one PostgreSQL never share a row); outcomes are written
// set-based (unnest of arrays), each batch's final counts appended as one `campaign_tallies` row in the
// same statement (campaigns.ts adds them to the counters and folds them in). Token claims, the
// conversation log and the consent history are written by their own modules (subscriptions.ts,
// messages.ts), set-based too.
//
// Lock order (issue 13). The claim and the record do not touch the campaign row: the claim reads its
// status (no lock), takes delivery rows with SKIP LOCKED (never waits), then subscriptions; the record
// takes only the rows its claim holds, then appends (tallies, messages, consent rows) and updates
// subscriptions, customers and the page. A life-cycle step (app/campaigns.command: cancel, pause,
// complete) takes the campaign row FOR UPDATE first, then delivery rows (cancel), tallies (the fold) and
// the page (resume). No transaction takes the campaign row after a delivery row, so no cycle: a cancel
// waits for the batches holding rows it closes, and those never wait for the campaign row — which is why
// campaign_tallies has no foreign key (its KEY SHARE lock would be such a wait).
import { type RawBuilder, sql } from 'kysely';
import type { Executor } from './db.ts';
import { insertSentMessagesStatement } from './messages.ts';
import type { DeliveryRow, DeliveryStatus } from './schema.ts';
import { appendConsentsStatement, claimTokensStatement, type TokenUse } from './subscriptions.ts';

export type ClaimedRow = DeliveryRow & { prev_status: DeliveryStatus };

/**
 * Takes up to `limit` rows with work to do — new, due deferred, to resend, or `sending` under a lapsed
 * lease (its worker died mid-call) — marks them `sending` under this claim and a lease, and returns
 * them with the status they had. With `lockOnly` the rows are only locked (FOR UPDATE, held until the
 * caller's transaction ends) and returned: the caller writes claim, lease and attempt in the one update
 * that applies its plan (applyClaimPlan), so a row is written once at claim time, not twice. `after` is
 * the caller's keyset cursor: only rows past it are read, so a claim does not walk the rows already done
 * (the caller rescans from 0 now and then, for rows that became due again behind it). Nothing is claimed
 * unless the campaign is running (pause/cancel take effect between batches); that is a plain read, not a
 * lock on the campaign row. The lease runs on the database's clock, shared by every worker.
 */
export async function claimBatch(
  tx: Executor,
  campaignId: number,
  opts: { claimId: string; limit: number; leaseMs: number; now: Date; after?: number; lockOnly?: boolean },
): Promise<ClaimedRow[]> {
  const picked = sql`
      SELECT d.*, d.status AS prev_status FROM campaign_deliveries d
      WHERE d.campaign_id = ${campaignId} AND d.id > ${opts.after ?? 0}
        AND d.status IN ('pending', 'sending', 'retry', 'deferred')
        AND (d.status IN ('pending', 'retry')
          OR (d.status = 'deferred' AND d.deferred_until <= ${opts.now})
          OR (d.status = 'sending' AND d.lease_until < clock_timestamp()))
        AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = ${campaignId} AND c.status = 'running')
      ORDER BY d.id
      LIMIT ${opts.limit}
      FOR UPDATE OF d SKIP LOCKED`;
  const res = opts.lockOnly
    ? await sql<ClaimedRow>`${picked}`.execute(tx)
    : await sql<ClaimedRow>`
    WITH picked AS (${picked})
    UPDATE campaign_deliveries d
    SET status = 'sending', claim_id = ${opts.claimId},
        lease_until = clock_timestamp() + ${`${opts.leaseMs} milliseconds`}::interval
    FROM picked WHERE d.id = picked.id
    RETURNING d.*, picked.prev_status`.execute(tx);
  return res.rows.sort((a, b) => a.id - b.id);
}

/**
 * The first row of the campaign past `after` that is still open (any open status, due or not), or null.
 * A row that is not open is final (sent, failed, skipped) and stays so, and rows are only appended
 * with ids above every row of the campaign (one materialisation step at a time, under the campaign
 * row's lock, ids from a sequence) — also while sending runs — so no row below this one can be
 * claimable again: a rescan starts here.
 */
export async function firstOpenId(tx: Executor, campaignId: number, after: number): Promise<number | null> {
  const res = await sql<{ id: string | null }>`
    SELECT min(d.id) AS id FROM campaign_deliveries d
    WHERE d.campaign_id = ${campaignId} AND d.id > ${after}
      AND d.status IN ('pending', 'sending', 'retry', 'deferred')`.execute(tx);
  const id = res.rows[0]?.id;
  return id == null ? null : Number(id);
}

/** A claimed row settled at claim time (skipped, deferred, failed, handed back as pending). */
export interface Settled {
  id: number;
  status: DeliveryStatus;
  reason: string | null;
  deferredUntil: Date | null;
}

/** A claimed row to send on `subscriptionId`; `claim` set when its token must be won first (R7b). */
export interface Going {
  id: number;
  subscriptionId: number;
  tokenPeriodEnd: Date | null;
  claim: TokenUse | null;
  /** The row's outcome (`skipped`) when the token claim is lost. */
  lostReason: string;
}

/**
 * What the dispatcher decided for a batch it locked (claimBatch `lockOnly`, same transaction), in one
 * statement: the token claims (the R7b guard, subscriptions.ts); the rows that go out become `sending`
 * under `claimId` and a lease, with their attempt and token; the settled rows and those whose token was
 * lost (`skipped`) get their outcome; and the final ones their tally. Returns the ids that go out.
 */
export async function applyClaimPlan(
  tx: Executor,
  campaignId: number,
  claimId: string,
  plan: { settled: readonly Settled[]; going: readonly Going[] },
  opts: { leaseMs: number; now: Date },
): Promise<Set<number>> {
  const now = opts.now;
  const rows = [
    ...plan.settled.map((o) => ({ ...o, sub: null, periodEnd: null, claims: false, go: false })),
    ...plan.going.map((g) => ({
      id: g.id,
      status: 'skipped' as DeliveryStatus,
      reason: g.lostReason,
      deferredUntil: null,
      sub: g.subscriptionId,
      periodEnd: g.tokenPeriodEnd,
      claims: g.claim !== null,
      go: true,
    })),
  ];
  if (rows.length === 0) return new Set();
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  const res = await sql<{ id: number }>`
    WITH won AS (${claimTokensStatement(
      plan.going.flatMap((g) => (g.claim ? [g.claim] : [])),
      now,
    )}), v AS (
      SELECT v.*, v.go AND (NOT v.claims OR v.sub IN (SELECT id FROM won)) AS going
      FROM unnest(${col((r) => r.id)}::bigint[], ${col((r) => r.status)}::text[], ${col((r) => r.reason)}::text[],
        ${col((r) => r.deferredUntil)}::timestamptz[], ${col((r) => r.sub)}::int[],
        ${col((r) => r.periodEnd)}::timestamptz[], ${col((r) => r.claims)}::bool[], ${col((r) => r.go)}::bool[])
        AS v(id, status, reason, deferred_until, sub, period_end, claims, go)
    ), done AS (
      UPDATE campaign_deliveries d SET
        attempts = d.attempts + CASE WHEN v.going THEN 1 ELSE 0 END,
        subscription_id = CASE WHEN v.going THEN v.sub ELSE d.subscription_id END,
        token_period_end = CASE WHEN v.going THEN coalesce(v.period_end, d.token_period_end)
                                ELSE d.token_period_end END,
        status = CASE WHEN v.going THEN 'sending' ELSE v.status END,
        reason = CASE WHEN v.going THEN d.reason ELSE v.reason END,
        deferred_until = CASE WHEN v.going THEN d.deferred_until ELSE v.deferred_until END,
        lease_until = CASE WHEN v.going
          THEN clock_timestamp() + ${`${opts.leaseMs} milliseconds`}::interval END,
        claim_id = CASE WHEN v.going THEN ${claimId} END
      FROM v WHERE d.id = v.id
      RETURNING d.id, d.status, v.going
    ), tally AS (${tallyOf(campaignId, sql`(SELECT status FROM done WHERE NOT going)`, now)})
    SELECT id FROM done WHERE going`.execute(tx);
  return new Set(res.rows.map((r) => Number(r.id)));
}

/** Appends the final outcomes among `statuses` (a subquery of a `status` column) as one tally row. */
function tallyOf(campaignId: number, statuses: RawBuilder<unknown>, now: Date) {
  return sql`
    INSERT INTO campaign_tallies (campaign_id, sent, failed, skipped, at)
    SELECT ${campaignId}, x.sent, x.failed, x.skipped, ${now}
    FROM (SELECT count(*) FILTER (WHERE status = 'sent') AS sent,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            count(*) FILTER (WHERE status = 'skipped') AS skipped
          FROM ${statuses} AS s) AS x
    WHERE x.sent + x.failed + x.skipped > 0`;
}

export interface Outcome {
  id: number;
  status: DeliveryStatus;
  reason: string | null;
  messageId: string | null;
  sentAt: Date | null;
  deferredUntil: Date | null;
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
 * Writes outcomes for rows still held by `claimId` (a row whose lease lapsed and was re-claimed
 * elsewhere is left to its new holder) and appends the final ones as a tally row (the checkpoint;
 * campaigns.ts adds tallies to the counters), all in one statement. With `logs` (keyed by delivery id),
 * the same statement logs what was sent for the rows it wrote: the inbox shows campaign messages
 * (sender `campaign`, kind `notification`; an echo logged first under the same mid is taken over) and the
 * consent history gets a `used` row per token (R3c) — each table's SQL from its own module. Returns the
 * ids written.
 */
export async function writeOutcomes(
  tx: Executor,
  campaignId: number,
  claimId: string,
  outcomes: readonly Outcome[],
  now: Date,
  logs: ReadonlyArray<{ deliveryId: number; log: SentLog }> = [],
): Promise<number[]> {
  if (outcomes.length === 0) return [];
  const gate = { keys: logs.map((l) => l.deliveryId), in: sql`(SELECT id FROM done)` };
  const logged = logs.length
    ? sql`, msgs AS (${insertSentMessagesStatement(
        logs.map(({ log: r }) => ({
          workspaceId: r.workspaceId,
          pageId: r.pageId,
          customerId: r.customerId,
          direction: 'out' as const,
          senderKind: 'campaign' as const,
          kind: 'notification',
          mid: r.messageId,
          text: r.text,
          payload: r.payload,
          at: now,
        })),
        gate,
      )}), used AS (${appendConsentsStatement(
        logs.map(({ log: r }) => ({
          workspaceId: r.workspaceId,
          pageId: r.pageId,
          topicId: r.topicId,
          customerId: r.customerId,
          subscriptionId: r.subscriptionId,
          event: 'used' as const,
          at: now,
          senderKind: 'campaign',
          detail: { campaignId, messageId: r.messageId },
        })),
        gate,
      )})`
    : sql``;
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
    ), tally AS (${tallyOf(campaignId, sql`(SELECT status FROM done)`, now)})${logged}
    SELECT id, status FROM done`.execute(tx);
  return res.rows.map((r) => Number(r.id));
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
