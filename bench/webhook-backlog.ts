// bench:webhooks --backlog N: webhook processing measured alone. The service takes N deliveries with no
// worker running (so intake never limits processing), then processing starts — in the bench process or in
// `--workers K` processes of its own — and runs until nothing is pending. Beside it, the ceiling from the
// same run: a bare "claim + decode + mark done" of a copy of the same pending events (the rows locked in
// batches of 1,000 with SKIP LOCKED, each body decrypted and parsed, the batch marked processed in one
// statement, one transaction per batch; the same number of concurrent loops as the real workers use), i.e.
// what reading and retiring the events costs with none of their effects (customers, inbox, replies) and no
// job queue. On PostgreSQL also the database's own counts per event (pg_stat_database, whole database).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { inTransaction, type Storage } from '../src/storage/db.ts';
import type { WebhookEventRow } from '../src/storage/schema.ts';
import { countPending, eventBody } from '../src/storage/webhook-events.ts';
import { load1 } from './report.ts';

export interface DbCounts {
  xact: number;
  fetched: number;
  inserted: number;
  updated: number;
  blksHit: number;
}

/** The whole database's counters (this bench's database is its own; other work on it would count). */
export async function dbCounts(storage: Storage): Promise<DbCounts | undefined> {
  if (storage.kind !== 'postgres') return undefined;
  // The statistics collector publishes at most every 500 ms: wait so the snapshot is complete.
  await new Promise((r) => setTimeout(r, 700));
  const r = await sql<{ x: string; f: string; i: string; u: string; h: string }>`
    SELECT xact_commit + xact_rollback AS x, tup_fetched AS f, tup_inserted AS i, tup_updated AS u,
           blks_hit AS h
    FROM pg_stat_database WHERE datname = current_database()`.execute(storage.db);
  const row = r.rows[0]!;
  return {
    xact: Number(row.x),
    fetched: Number(row.f),
    inserted: Number(row.i),
    updated: Number(row.u),
    blksHit: Number(row.h),
  };
}

/** User + system CPU of a process so far, in ms (Linux /proc; 100 clock ticks a second). */
export function processCpuMs(pid: number): number {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export interface Drain {
  events: number;
  seconds: number;
  perSecond: number;
  drained: boolean;
  loadBefore: number;
  loadAfter: number;
  /** CPU ms of the measured processes over the drain (drainFrom only). */
  cpuMs?: number;
}

/**
 * Starts processing with `start` (not awaited: workers begin applying events while they boot) and
 * measures from the last moment nothing had been processed yet until nothing is pending: events per
 * second of the whole backlog, the workers' start-up not counted. Counts are polled every 100 ms only
 * until the first progress; then a one-row probe of the pending index (counting a large backlog every
 * 100 ms would load the database being measured). `cpuOf` gives the CPU ms so far of the processes doing
 * the work (read at the same two moments).
 */
export async function drainFrom<T>(
  storage: Storage,
  boundSeconds: number,
  start: () => Promise<T>,
  cpuOf: () => number,
): Promise<{ drain: Drain; started: T }> {
  const events = await countPending(storage.db);
  let loadBefore = load1();
  let t0 = performance.now();
  let cpu0 = cpuOf();
  const started = start();
  const deadline = t0 + boundSeconds * 1000;
  for (;;) {
    const t = performance.now();
    const cpu = cpuOf();
    const load = load1();
    if ((await countPending(storage.db)) < events || t > deadline) break;
    [t0, cpu0, loadBefore] = [t, cpu, load];
    await new Promise((r) => setTimeout(r, 100));
  }
  let pending = events > 0;
  while (pending && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    pending =
      (await sql`SELECT 1 FROM webhook_events WHERE processed_at IS NULL LIMIT 1`.execute(storage.db)).rows
        .length > 0;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = cpuOf() - cpu0;
  const left = pending ? await countPending(storage.db) : 0;
  const drain = {
    events: events - left,
    seconds,
    perSecond: (events - left) / seconds,
    drained: left === 0,
    loadBefore,
    loadAfter: load1(),
    cpuMs,
  };
  return { drain, started: await started };
}

const CEILING_TABLE = 'bench_ceiling_events';
const CEILING_BATCH = 1000;

/**
 * The ceiling: the pending events copied (with the table's indexes) and retired by `loops` concurrent
 * claim + decode + mark loops. Leaves webhook_events as it was.
 */
export async function claimCeiling(storage: Storage, loops: number): Promise<Drain> {
  const { db } = storage;
  await sql`DROP TABLE IF EXISTS ${sql.id(CEILING_TABLE)}`.execute(db);
  await sql`CREATE TABLE ${sql.id(CEILING_TABLE)} (LIKE webhook_events INCLUDING ALL)`.execute(db);
  await sql`INSERT INTO ${sql.id(CEILING_TABLE)} OVERRIDING SYSTEM VALUE SELECT * FROM webhook_events WHERE processed_at IS NULL`.execute(
    db,
  );
  await sql`ANALYZE ${sql.id(CEILING_TABLE)}`.execute(db);
  const loadBefore = load1();
  const start = performance.now();
  let events = 0;
  let decoded = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (;;) {
        const n = await inTransaction(db, async (tx) => {
          const rows = await sql<WebhookEventRow>`
            SELECT * FROM ${sql.id(CEILING_TABLE)} WHERE processed_at IS NULL
            ORDER BY id LIMIT ${CEILING_BATCH} FOR UPDATE SKIP LOCKED`.execute(tx);
          if (rows.rows.length === 0) return 0;
          for (const row of rows.rows) if (eventBody(row)) decoded++;
          await sql`
            UPDATE ${sql.id(CEILING_TABLE)} w SET processed_at = now(), outcome = 'ceiling'
            FROM unnest(${rows.rows.map((r) => r.id)}::bigint[]) AS m(i) WHERE w.id = m.i`.execute(tx);
          return rows.rows.length;
        });
        if (n === 0) return;
        events += n;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await sql`DROP TABLE ${sql.id(CEILING_TABLE)}`.execute(db);
  if (decoded !== events) throw new Error(`ceiling: ${decoded} of ${events} bodies decoded`);
  return { events, seconds, perSecond: events / seconds, drained: true, loadBefore, loadAfter: load1() };
}

export function perEvent(before: DbCounts | undefined, after: DbCounts | undefined, events: number) {
  if (!before || !after || events === 0) return undefined;
  const per = (k: keyof DbCounts) => (after[k] - before[k]) / events;
  return {
    xact: per('xact'),
    fetched: per('fetched'),
    inserted: per('inserted'),
    updated: per('updated'),
    blksHit: per('blksHit'),
  };
}

/** Rows read per table (sequential + index fetches) so far, to say where a run's reads go. */
export async function tableReads(storage: Storage): Promise<Map<string, number>> {
  if (storage.kind !== 'postgres') return new Map();
  const r = await sql<{ t: string; n: string }>`
    SELECT schemaname || '.' || relname AS t, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n
    FROM pg_stat_user_tables`.execute(storage.db);
  return new Map(r.rows.map((row) => [row.t, Number(row.n)]));
}

/** The tables read most between two snapshots, per event: "table rows/event, …". */
export function topReads(before: Map<string, number>, after: Map<string, number>, events: number): string {
  return [...after]
    .map(
      ([t, n]) =>
        [t.replace(/^[^.]*bench_wh_\w+\./, ''), (n - (before.get(t) ?? 0)) / Math.max(1, events)] as const,
    )
    .filter(([, n]) => n > 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([t, n]) => `${t} ${n.toFixed(1)}`)
    .join(', ');
}
