// The webhook inbox: raw events stored before the 200 (idempotent by key), applied later in
// timestamp order per customer.

import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { type Executor, type Prepared, prepared } from './db.ts';
import type { WebhookEventRow } from './schema.ts';
import { decrypt, encrypt } from './secrets.ts';

export interface InboxEvent {
  fbPageId: string;
  psid: string;
  kind: string;
  idempotencyKey: string;
  eventAt: Date;
  body: Record<string, unknown>;
}

/**
 * The events insert: `$<events>` is the rows as one JSON array (`eventsJson`), `$<at>` the time. One
 * JSON text instead of six arrays: node-postgres escapes every element of an array parameter in
 * JavaScript, while JSON.stringify is native (a visible share of the intake's CPU per delivery).
 */
function insertEventsText(events: number, at: number): string {
  return `INSERT INTO webhook_events (fb_page_id, psid, kind, idempotency_key, event_at, body, received_at)
   SELECT p, s, k, i, e, b, $${at}::timestamptz
   FROM json_to_recordset($${events}::json) AS r(p text, s text, k text, i text, e timestamptz, b text)
   ON CONFLICT ON CONSTRAINT webhook_events_key DO NOTHING
   RETURNING idempotency_key`;
}

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/** Jobs to store with the events: a job insert whose only parameter `$1` is `payload`. */
export interface JobsWithEvents {
  insert: string;
  payload: string;
}

/**
 * What the intake believed of a page when it authenticated a delivery from its cache: the page row, its
 * workspace, and the app secret's ciphertext (null: the deployment's secret). The guarded store writes
 * only if every such page is still so, connected, and its workspace not suspended.
 */
export interface PageBelief {
  fbPageId: string;
  pageId: number;
  workspaceId: number;
  secretCiphertext: string | null;
}

// `$1…$4`: the beliefs as columns. ok is true when every distinct belief matches a live page row.
const GUARD = `guard AS (
  SELECT count(*) = (SELECT count(*) FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[])) d) AS ok
  FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[])) AS g(f, id, ws, sec)
  JOIN pages p ON p.fb_page_id = g.f AND p.id = g.id AND p.workspace_id = g.ws
   AND p.app_secret IS NOT DISTINCT FROM g.sec AND p.connection_status IS DISTINCT FROM 'disconnected'
  JOIN workspaces w ON w.id = p.workspace_id AND w.suspended_at IS NULL)`;

/**
 * The guarded store: the events insert (and the job insert, whose payload becomes an empty list) write
 * nothing unless the guard holds; then one row with a NULL key says the beliefs were stale.
 */
function guardedText(jobsInsert: string | undefined): string {
  const first = jobsInsert ? 6 : 5;
  const insert = insertEventsText(first, first + 1).replace(
    'e timestamptz, b text)',
    'e timestamptz, b text)\n   WHERE (SELECT ok FROM guard)',
  );
  const ctes = [GUARD];
  if (jobsInsert)
    ctes.push(
      `jobs AS (${jobsInsert.replace(/\$1\b/g, `(CASE WHEN (SELECT ok FROM guard) THEN $5 ELSE '[]' END)`)})`,
    );
  ctes.push(`ins AS (${insert})`);
  return `WITH ${ctes.join(',\n')}
SELECT idempotency_key FROM ins UNION ALL SELECT NULL WHERE NOT (SELECT ok FROM guard)`;
}

const guardedStatements = new Map<string, Prepared<{ idempotency_key: string | null }>>();

function guardedStatement(jobsInsert: string | undefined): Prepared<{ idempotency_key: string | null }> {
  const key = jobsInsert ?? '';
  let p = guardedStatements.get(key);
  if (p === undefined) {
    const text = guardedText(jobsInsert);
    p = prepared(`webhook_events_store_guarded_${shortHash(text)}`, text);
    guardedStatements.set(key, p);
  }
  return p;
}

// Node 24 has it (ES2024); the project's lib is ES2023.
type WellFormed = string & { toWellFormed(): string };

/**
 * A text the way the array parameters sent it: a lone surrogate (a JSON body may escape one) becomes
 * U+FFFD, as UTF-8 encoding made it, where PostgreSQL's JSON would keep the escape as written.
 */
function text(s: string): string {
  return (s as WellFormed).toWellFormed();
}

/** The events as one JSON array, in key order (see storeEvents), each body encrypted. */
function eventsJson(events: InboxEvent[]): string {
  const rows = [...events].sort((a, b) =>
    a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0,
  );
  return JSON.stringify(
    rows.map((e) => ({
      p: text(e.fbPageId),
      s: text(e.psid),
      k: e.kind,
      i: text(e.idempotencyKey),
      e: e.eventAt.toISOString(),
      b: encrypt(JSON.stringify(e.body)),
    })),
  );
}

/**
 * Stores events in one statement whatever their number: each column travels as one array parameter
 * (`unnest`), so the statement text is the same for every group and PostgreSQL parses a short string,
 * not thousands of placeholders. Sorted by key, so concurrent group commits that share a key (a Meta
 * retry racing its original) wait on each other in one order instead of deadlocking. Duplicates are
 * skipped. Returns the idempotency keys that were new, so a caller that stored several deliveries at
 * once can tell each its own count. With `jobs`, that job insert runs in the same statement (a CTE):
 * the events and their jobs are stored together or not at all, in one round trip, with no transaction.
 */
export async function storeEvents(
  db: Executor,
  events: InboxEvent[],
  receivedAt: Date,
  jobs?: JobsWithEvents,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  // The intake's own statement with no page to check: its guard holds (nothing to compare).
  const stored = await storeEventsIfPages(db, [], events, receivedAt, jobs);
  if (stored === 'stale') throw new Error('webhook events: no page was believed, none can be stale');
  return stored;
}

/**
 * `storeEvents` only if every page believed is still as believed (same row, workspace and secret
 * ciphertext, connected, workspace not suspended), checked by the same statement: else nothing at all
 * is written (no event, no job) and the answer is `stale`. One round trip, like storeEvents.
 */
export async function storeEventsIfPages(
  db: Executor,
  beliefs: PageBelief[],
  events: InboxEvent[],
  receivedAt: Date,
  jobs?: JobsWithEvents,
): Promise<Set<string> | 'stale'> {
  // A group's deliveries mostly name the same page: each distinct belief is sent once (the key is
  // injective: PostgreSQL text holds no NUL, and a null secret is told apart from every string).
  const distinct = new Map<string, PageBelief>();
  for (const b of beliefs) {
    const secret = b.secretCiphertext === null ? '-' : `+${b.secretCiphertext}`;
    distinct.set(`${b.fbPageId}\0${b.pageId}\0${b.workspaceId}\0${secret}`, b);
  }
  const unique = [...distinct.values()];
  const guard = [
    unique.map((b) => b.fbPageId),
    unique.map((b) => b.pageId),
    unique.map((b) => b.workspaceId),
    unique.map((b) => b.secretCiphertext),
  ];
  const rows = eventsJson(events);
  const res = await guardedStatement(jobs?.insert).run(
    db,
    jobs ? [...guard, jobs.payload, rows, receivedAt] : [...guard, rows, receivedAt],
  );
  const fresh = new Set<string>();
  for (const r of res) {
    if (r.idempotency_key === null) return 'stale';
    fresh.add(r.idempotency_key);
  }
  return fresh;
}

/**
 * Serialises work on one customer across workers and processes (a transaction-scoped advisory lock),
 * then takes that customer's oldest pending event. Ordering by event time gives R-order per customer.
 */
export async function takeNextPending(
  db: Executor,
  fbPageId: string,
  psid: string,
): Promise<WebhookEventRow | undefined> {
  await lockCustomer(db, fbPageId, psid);
  return db
    .selectFrom('webhook_events')
    .selectAll()
    .where('fb_page_id', '=', fbPageId)
    .where('psid', '=', psid)
    .where('processed_at', 'is', null)
    .orderBy('event_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/** One customer's transaction-scoped lock: whoever holds it is the only one working on that customer. */
async function lockCustomer(db: Executor, fbPageId: string, psid: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${fbPageId}:${psid}`}, 7))`.execute(db);
}

// Two statements, not one: the select's snapshot must be taken after the locks are held, or it could
// see as pending an event another processor applied while this one waited for the lock.
const lockCustomers = prepared(
  'webhook_events_lock_customers',
  `SELECT pg_advisory_xact_lock(h)
   FROM (SELECT DISTINCT hashtextextended(p || ':' || s, 7) AS h
         FROM unnest($1::text[], $2::text[]) AS c(p, s) ORDER BY 1) AS k`,
);
// Each customer's own pending events by its key (LATERAL): a join let the planner, trusting statistics
// taken before a burst ("nothing pending"), read every pending event once per customer of the batch.
export const pendingOfCustomers = prepared<WebhookEventRow>(
  'webhook_events_pending_of',
  `SELECT w.* FROM (SELECT DISTINCT p, s FROM unnest($1::text[], $2::text[]) AS c(p, s)) c
   CROSS JOIN LATERAL (
     SELECT * FROM webhook_events e
     WHERE e.fb_page_id = c.p AND e.psid = c.s AND e.processed_at IS NULL
     ORDER BY e.event_at, e.id
     LIMIT $3
   ) w
   ORDER BY w.fb_page_id, w.psid, w.event_at, w.id
   LIMIT $3`,
);

/**
 * Several customers' locks in one statement, taken in key order, so two workers locking overlapping
 * sets queue behind each other rather than deadlock; then every pending event of those customers,
 * each customer's oldest first, at most `limit` (the rest is for the next transaction).
 */
export async function takePendingOf(
  db: Executor,
  customers: ReadonlyArray<{ fbPageId: string; psid: string }>,
  limit: number,
): Promise<WebhookEventRow[]> {
  const pageIds = customers.map((c) => c.fbPageId);
  const psids = customers.map((c) => c.psid);
  await lockCustomers.run(db, [pageIds, psids]);
  const res = await pendingOfCustomers.run(db, [pageIds, psids, limit]);
  return res;
}

const markMany = prepared(
  'webhook_events_mark_many',
  `UPDATE webhook_events w SET processed_at = $1::timestamptz, outcome = m.o
   FROM unnest($2::bigint[], $3::text[]) AS m(i, o)
   WHERE w.id = m.i`,
);

/** Marks many events processed, each with its own outcome, in one statement. */
export async function markProcessedMany(
  db: Executor,
  marks: ReadonlyArray<{ id: number; outcome: string }>,
  at: Date,
): Promise<void> {
  if (marks.length === 0) return;
  await markMany.run(db, [at, marks.map((m) => m.id), marks.map((m) => m.outcome)]);
}

/** The raw `messaging[]` element of a stored event. */
export function eventBody(row: WebhookEventRow): Record<string, unknown> {
  return JSON.parse(decrypt(row.body)) as Record<string, unknown>;
}

/** One customer's events already applied with `outcome`, stamped after `after`, oldest first. */
export async function processedWithOutcome(
  db: Executor,
  fbPageId: string,
  psid: string,
  outcome: string,
  after: Date,
): Promise<WebhookEventRow[]> {
  return db
    .selectFrom('webhook_events')
    .selectAll()
    .where('fb_page_id', '=', fbPageId)
    .where('psid', '=', psid)
    .where('outcome', '=', outcome)
    .where('event_at', '>', after)
    .orderBy('event_at')
    .orderBy('id')
    .execute();
}

// Each customer's own events by its key (LATERAL, one is enough): a join let the planner, trusting
// statistics taken before a burst of such events ("none"), read all of them for every customer.
export const unknownTokenAfter = prepared<{ fb_page_id: string; psid: string }>(
  'webhook_events_unknown_token_after',
  `SELECT DISTINCT c.page AS fb_page_id, c.psid
   FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS c(page, psid, after)
   CROSS JOIN LATERAL (
     SELECT 1 FROM webhook_events w
     WHERE w.fb_page_id = c.page AND w.psid = c.psid AND w.event_at > c.after AND w.outcome = 'unknown_token'
     LIMIT 1
   ) w`,
);

/** Of these customers, those with an event applied as `unknown_token` stamped after the time given. */
export async function customersWithUnknownTokenAfter(
  db: Executor,
  customers: ReadonlyArray<{ fbPageId: string; psid: string; after: Date }>,
): Promise<Array<{ fbPageId: string; psid: string }>> {
  if (customers.length === 0) return [];
  const rows = await unknownTokenAfter.run(db, [
    customers.map((c) => c.fbPageId),
    customers.map((c) => c.psid),
    customers.map((c) => c.after),
  ]);
  return rows.map((r) => ({ fbPageId: r.fb_page_id, psid: r.psid }));
}

export async function markProcessed(db: Executor, id: number, outcome: string, at: Date): Promise<void> {
  await db.updateTable('webhook_events').set({ processed_at: at, outcome }).where('id', '=', id).execute();
}

/**
 * Counts one failed attempt at a pending event (its application rolled back) and returns the count so
 * far; under the customer's lock, so two workers never count the same failure twice.
 */
export async function countFailedAttempt(
  db: Executor,
  row: Pick<WebhookEventRow, 'id' | 'fb_page_id' | 'psid'>,
): Promise<number> {
  await lockCustomer(db, row.fb_page_id, row.psid);
  const r = await db
    .updateTable('webhook_events')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', row.id)
    .where('processed_at', 'is', null)
    .returning('attempts')
    .executeTakeFirst();
  return r?.attempts ?? 0;
}

/** Customers with pending events (for the start-up sweep that recovers from a crash). */
export async function pendingCustomers(
  db: Executor,
  limit = 1000,
  /** Only events stored before this time (their job should have run by now). */
  receivedBefore?: Date,
): Promise<Array<{ fb_page_id: string; psid: string }>> {
  return db
    .selectFrom('webhook_events')
    .select(['fb_page_id', 'psid'])
    .where('processed_at', 'is', null)
    .$if(receivedBefore !== undefined, (q) => q.where('received_at', '<', receivedBefore!))
    .groupBy(['fb_page_id', 'psid'])
    .limit(limit)
    .execute();
}

export async function countPending(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('webhook_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('processed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Deletes up to `limit` events processed before `before`, oldest first; pending events are never
 * touched. Returns how many went (fewer than `limit`: nothing older is left).
 */
export async function pruneProcessed(db: Executor, before: Date, limit: number): Promise<number> {
  const res = await db
    .deleteFrom('webhook_events')
    .where(
      'id',
      'in',
      db
        .selectFrom('webhook_events')
        .select('id')
        .where('processed_at', 'is not', null)
        .where('processed_at', '<', before)
        .orderBy('processed_at')
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
