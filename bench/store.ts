// bench:store — 1,000,000 subscriptions over 10 topics and 200,000 customers. Measures the audience
// count of one topic, one customer's topic lists (p50/p99) and opt-in applications per second, on
// PGlite and (with DATABASE_URL) PostgreSQL. Writes its table into BENCHMARKS.md.
//   npm run bench:store [-- --customers 200000 --subscriptions 1000000 --optins 5000 --paced-rate 500 --unprepared]
//                       [--worker-rate 2000 --worker-concurrency 4]
// After the opt-ins at full speed (which saturate both cores: every round trip then waits for a CPU), the
// lists are measured again while opt-ins arrive at a fixed rate (--paced-rate per second, 10 s), as they do
// from a page's webhooks, to tell the lists' own latency from the saturated machine's queueing. Then
// opt-ins as the worker applies them (webhook events, in batches), at full speed and at --worker-rate,
// in this process and with the worker in a process of its own (bench/store-worker.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { applyOptIn } from '../src/app/optins.ts';
import { customerTopicLists } from '../src/app/sends.ts';
import { createTopic } from '../src/app/topics.ts';
import { createWorkspace } from '../src/app/workspaces.ts';
import { ManualClock } from '../src/clock.ts';
import { openStorage, type Storage } from '../src/storage/db.ts';
import { parseKey, setSecretKey } from '../src/storage/secrets.ts';
import { countValidSubscribers } from '../src/storage/subscriptions.ts';
import { topicListStatement } from '../src/storage/topic-lists.ts';
import { type InboxEvent, storeEvents } from '../src/storage/webhook-events.ts';
import { load1, machine, percentile, writeBenchSection } from './report.ts';
import { applyOptInJobs, type OptInJob } from './store-optins.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '200000' },
    subscriptions: { type: 'string', default: '1000000' },
    optins: { type: 'string', default: '5000' },
    lists: { type: 'string', default: '2000' },
    'paced-rate': { type: 'string', default: '500' },
    // Opt-ins through the worker at this rate (batches of 200 on schedule) while the lists are sampled.
    'worker-rate': { type: 'string', default: '2000' },
    // Batches the worker applies at once on PostgreSQL (worker.ts: 4).
    'worker-concurrency': { type: 'string', default: '4' },
    only: { type: 'string' },
    // Hot statements sent unnamed (parsed and planned each time): measures what preparing them gains.
    unprepared: { type: 'boolean', default: false },
    // Leave the PostgreSQL schema in place (its name is printed), to EXPLAIN the statements afterwards.
    keep: { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(args.customers);
const SUBS = Number(args.subscriptions);
const OPTINS = Number(args.optins);
const LISTS = Number(args.lists);
const PACED_RATE = Number(args['paced-rate']);
const PACED_SECONDS = 10;
const WORKER_RATE = Number(args['worker-rate']);
const WORKER_CONCURRENCY = Number(args['worker-concurrency']);
const TOPICS = 10;

// Round trips per opt-in, independent of the machine's load: every query an opt-in sends (BEGIN and
// COMMIT included) goes through pg.Client#query inside its async context.
const inOptIn = new AsyncLocalStorage<boolean>();
let optinQueries = 0;
const clientQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...a: unknown[]) {
  if (inOptIn.getStore()) optinQueries++;
  return clientQuery.apply(this, a);
};

interface WorkerRun {
  perSecond: number;
  n: number;
  cpuMs: number;
  serverCpuMs: number | null;
  listsP50: number | null;
  listsP99: number | null;
  pingP99: number | null;
  lists: number;
  /** The bench process's event-loop delay p99 and max, ms (resolution 1 ms). */
  loopDelayP99: number;
  loopDelayMax: number;
  loadAfter: number;
}

interface Result {
  backend: string;
  loadSeconds: number;
  audienceMs: number;
  audienceCount: number;
  listsP50: number;
  listsP99: number;
  optinsPerSecond: number;
  optinConcurrency: number;
  optinCpuMs: number;
  optinRoundTrips: number;
  optinServerCpuMs: number | null;
  listsServerP50: number;
  listsServerP99: number;
  ceilingPerSecond: number;
  ceilingServerCpuMs: number | null;
  pingP50: number;
  pingP99: number;
  lists: number;
  /** The same lists and `SELECT 1` while opt-ins arrive at PACED_RATE/s; null on PGlite (one connection). */
  paced: {
    optinsPerSecond: number;
    listsP50: number;
    listsP99: number;
    pingP50: number;
    pingP99: number;
    lists: number;
    loadAfter: number;
  } | null;
  /** Opt-in webhook events applied as the worker applies them (processCustomersEvents). */
  workerOptins: {
    batch: number;
    concurrency: number;
    full: WorkerRun;
    paced: WorkerRun | null;
    apart: WorkerRun | null;
  };
  loadBefore: number;
  loadAfter: number;
}

/**
 * CPU ticks (user + system, 1/100 s) of each client backend of this database, read from /proc (a server
 * on this machine); null where that cannot be read (PGlite, a remote server). Autovacuum and the other
 * background processes are left out. Independent of the machine's load.
 */
async function serverTicks(storage: Storage): Promise<Map<number, number> | null> {
  if (storage.kind !== 'postgres') return null;
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend'`.execute(storage.db);
  const ticks = new Map<number, number>();
  try {
    for (const { pid } of rows) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(f[11]) + Number(f[12])); // utime, stime (fields 14 and 15)
    }
  } catch {
    return null;
  }
  return ticks;
}

/** Server CPU ms per item between two `serverTicks` (a backend opened meanwhile counts whole). */
function serverCpuMsPer(
  before: Map<number, number> | null,
  after: Map<number, number> | null,
  items: number,
) {
  if (!before || !after) return null;
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return (ticks * 10) / items;
}

// One key for this process and the worker process it may start (the stored event bodies are encrypted).
const KEY = randomBytes(32).toString('hex');
setSecretKey(parseKey(KEY));
const CLOCK_AT = new Date('2026-06-01T00:00:00Z');

/** bench/store-worker.ts started on this bench's schema, connected; `run` starts it and ends with its CPU ms; `close` ends it. */
async function startOptInWorker(
  schema: string | undefined,
  jobs: readonly OptInJob[],
  rate: number | null,
  worker: { batch: number; concurrency: number },
): Promise<{ run(): Promise<number>; close(): Promise<void> }> {
  if (!schema) throw new Error('bench: a worker process needs PostgreSQL');
  const file = path.join(tmpdir(), `bench-store-jobs-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(jobs));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'store-worker.ts'),
      schema,
      file,
      String(rate ?? 0),
      String(worker.batch),
      String(worker.concurrency),
    ],
    {
      env: { ...process.env, RN_SECRET_KEY: KEY, RN_CLOCK: CLOCK_AT.toISOString() },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code ?? -1;
      resolve();
    }),
  );
  // The worker's next line, or an error if it exits first.
  const next = () =>
    new Promise<string>((resolve, reject) => {
      if (exitCode !== null) return reject(new Error(`bench: the worker process exited (${exitCode})`));
      const onLine = (line: string) => resolve(line);
      lines.once('line', onLine);
      void exited.then(() => {
        lines.off('line', onLine);
        reject(new Error(`bench: the worker process exited (${exitCode})`));
      });
    });
  const close = async () => {
    if (exitCode === null) {
      child.stdin!.end('exit\n');
      // It exits on that line; one that hangs is ended.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(file, { force: true });
  };
  try {
    if ((await next()) !== 'ready') throw new Error('bench: the worker process did not start');
  } catch (e) {
    child.kill('SIGKILL');
    await close();
    throw e;
  }
  return {
    async run() {
      const done = next();
      child.stdin!.write('go\n');
      const { cpuMs } = JSON.parse(await done) as { cpuMs: number };
      return cpuMs;
    },
    close,
  };
}

async function run(storage: Storage, label: string, schema?: string): Promise<Result> {
  const clock = new ManualClock(CLOCK_AT, { frozen: true });
  const ctx = { db: storage.db, clock };
  const { workspaceId, page } = await createWorkspace(ctx, 'Bench shop', {
    fbPageId: `bench-${Date.now()}`,
    name: 'Bench page',
    profile: 'legacy-2022',
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  const topicIds: number[] = [];
  for (let k = 0; k < TOPICS; k++) {
    const otn = k >= 7;
    const t = await createTopic(ctx, workspaceId, page.id, {
      name: `Topic ${k}`,
      kind: otn ? 'one_time' : 'recurring',
      title: `Topic ${k} updates`,
      ...(otn ? {} : { frequency: (['DAILY', 'WEEKLY', 'MONTHLY'] as const)[k % 3] }),
    });
    topicIds.push(t.id);
  }
  const t0 = performance.now();
  const now = clock.now().toISOString();
  // Server-side generation: the load measures the database, not the driver.
  const [c0] = (
    await sql<{ first: number }>`
      INSERT INTO customers (workspace_id, page_id, psid, name, last_interaction_at, created_at)
      SELECT ${workspaceId}, ${page.id}, 'psid-' || g, 'Customer ' || g,
             ${now}::timestamptz - (g % 90) * interval '1 day', ${now}::timestamptz
      FROM generate_series(1, ${CUSTOMERS}) g
      RETURNING id AS first`.execute(storage.db)
  ).rows;
  const firstCustomer = c0!.first;
  const perCustomer = Math.ceil(SUBS / CUSTOMERS);
  // Subscription g: customer g % C, topic (c + 2j) % 10 for its j-th topic: distinct topics per customer.
  await sql`
    INSERT INTO subscriptions (workspace_id, page_id, topic_id, customer_id, kind, token, token_hash, opted_in_at, expires_at,
                               stopped_at, used_at, frequency, created_at, updated_at)
    SELECT ${workspaceId}, ${page.id}, (${sql.val(topicIds)}::int[])[((c + 2 * j) % 10) + 1], ${firstCustomer} + c,
           CASE WHEN (c + 2 * j) % 10 >= 7 THEN 'one_time' ELSE 'recurring' END,
           'tok-' || g, 'hash-' || g, ${now}::timestamptz - (g % 200) * interval '1 day',
           ${now}::timestamptz + ((g % 10) - 1) * interval '30 days',
           CASE WHEN g % 10 = 3 THEN ${now}::timestamptz END,
           CASE WHEN (c + 2 * j) % 10 >= 7 AND g % 5 = 0 THEN ${now}::timestamptz END,
           CASE WHEN (c + 2 * j) % 10 < 7 THEN 'DAILY' END, ${now}::timestamptz, ${now}::timestamptz
    FROM generate_series(0, ${SUBS - 1}) g,
         LATERAL (SELECT g % ${CUSTOMERS} AS c, g / ${CUSTOMERS} AS j) x
    WHERE j < ${perCustomer}`.execute(storage.db);
  await sql`
    INSERT INTO invitations (workspace_id, page_id, topic_id, customer_id, sender_kind, title, payload, status, sent_at)
    SELECT ${workspaceId}, ${page.id}, (${sql.val(topicIds)}::int[])[(g % 10) + 1], ${firstCustomer} + (g % ${CUSTOMERS}),
           'agent', 'Topic ' || (g % 10) || ' updates', 'bench:' || g, 'sent', ${now}::timestamptz - (g % 30) * interval '1 day'
    FROM generate_series(0, ${Math.floor(CUSTOMERS / 2)}) g`.execute(storage.db);
  await sql`ANALYZE`.execute(storage.db);
  const loadSeconds = (performance.now() - t0) / 1000;

  // Audience count of one topic (median of 5).
  const counts: number[] = [];
  let audienceCount = 0;
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    audienceCount = await countValidSubscribers(storage.db, topicIds[3]!, clock.now());
    counts.push(performance.now() - s);
  }

  // Opt-in applications (new OTN tokens on random customers, through the full use-case) and, while they
  // run, one customer's topic lists (the R4 use-case end to end) and a bare `SELECT 1` (the ceiling of a
  // round trip under the same load).
  const concurrency = storage.kind === 'postgres' ? 16 : 1;
  const optIn = (n: number) =>
    applyOptIn(ctx, {
      fbPageId: page.fb_page_id,
      psid: `psid-${1 + ((n * 7919) % CUSTOMERS)}`,
      kind: 'one_time',
      token: `bench-otn-${n}`,
      payload: `rn:t${topicIds[7 + (n % 3)]!}:b${n}`,
      at: clock.now(),
    });
  /** One customer's lists end to end, then `SELECT 1` (the round trip's own share). */
  const sampleLists = async (lists: number[], pings: number[]) => {
    const id = firstCustomer + Math.floor(Math.random() * CUSTOMERS);
    const a = performance.now();
    await customerTopicLists(ctx, workspaceId, id);
    lists.push(performance.now() - a);
    const b = performance.now();
    await sql`SELECT 1`.execute(storage.db);
    pings.push(performance.now() - b);
    return id;
  };
  let next = 0;
  let optinsDone = false;
  const listTimes: number[] = [];
  const pingTimes: number[] = [];
  const listServerTimes: number[] = [];
  const loadBefore = load1();
  const server0 = await serverTicks(storage);
  const cpu0 = process.cpuUsage();
  const queries0 = optinQueries;
  const s = performance.now();
  const optins = Promise.all(
    Array.from({ length: concurrency }, () =>
      inOptIn.run(true, async () => {
        while (next < OPTINS) {
          await optIn(next++);
        }
      }),
    ),
  ).then(() => {
    optinsDone = true;
  });
  const lists = (async () => {
    for (let i = 0; i < LISTS && !optinsDone; i++) {
      const id = await sampleLists(listTimes, pingTimes);
      // The lists' own time inside the server (what is left of their latency is the round trip).
      const [plan] = (
        await sql<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>`
          EXPLAIN (ANALYZE, FORMAT JSON) ${sql.raw(topicListStatement(id, workspaceId))}`.execute(storage.db)
      ).rows;
      listServerTimes.push(plan!['QUERY PLAN'][0]['Execution Time']);
    }
  })();
  await Promise.all([optins, lists]);
  const optinsPerSecond = OPTINS / ((performance.now() - s) / 1000);
  const server1 = await serverTicks(storage);
  const cpu = process.cpuUsage(cpu0);
  const optinCpuMs = (cpu.user + cpu.system) / 1000 / OPTINS;
  const optinRoundTrips = (optinQueries - queries0) / OPTINS;

  // The ceiling of a write transaction here: one INSERT of a consent-history-sized row, committed, at
  // the same concurrency (what an opt-in would cost if it were one statement).
  await sql`CREATE TABLE IF NOT EXISTS bench_one_insert (id bigserial, customer_id int, at timestamptz, detail jsonb)`.execute(
    storage.db,
  );
  let k = 0;
  const ceilServer0 = await serverTicks(storage);
  const ceilStart = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (k < OPTINS) {
        const n = k++;
        await storage.db
          .transaction()
          .execute((tx) =>
            sql`INSERT INTO bench_one_insert (customer_id, at, detail) VALUES (${n}, now(), ${JSON.stringify({ n })}::jsonb)`.execute(
              tx,
            ),
          );
      }
    }),
  );
  const ceilingPerSecond = OPTINS / ((performance.now() - ceilStart) / 1000);
  const ceilServer1 = await serverTicks(storage);

  // Opt-ins as the worker applies them: one opt-in webhook event each for distinct customers, stored as the
  // intake stores them (not timed), then applied by processCustomersEvents in the worker's batches
  // (worker.ts: 200 customers a batch, 4 batches at once on PostgreSQL) — the events read, the opt-ins
  // applied together (webhook-optins.ts), logged and marked processed. The queue's own fetch and completion
  // of the jobs are not in it (bench:webhooks has them). Customers are drawn after those of the opt-ins
  // above (the same bijection, further on), each opting in to an OTN topic they hold no token of (even
  // customers hold the even topics), so no R4f notice is enqueued. With `rate`, a batch starts every
  // 200 / rate s (a worker keeping up with a page's webhooks) instead of as soon as one ends.
  let drawn = OPTINS + (storage.kind === 'postgres' && PACED_RATE > 0 ? PACED_RATE * PACED_SECONDS : 0);
  const worker = {
    batch: 200,
    concurrency: storage.kind === 'postgres' ? WORKER_CONCURRENCY : 1,
  };
  const workerOptIns = async (count: number, rate: number | null, ownProcess = false): Promise<WorkerRun> => {
    if (drawn + count > CUSTOMERS)
      throw new Error(`bench: ${drawn + count} opt-ins need as many customers (--customers ${CUSTOMERS})`);
    const at0 = clock.now().getTime();
    const stored: InboxEvent[] = Array.from({ length: count }, (_, n) => {
      const g = 1 + (((drawn + n) * 7919) % CUSTOMERS);
      const psid = `psid-${g}`;
      const topic = topicIds[(g - 1) % 2 === 0 ? 7 : 8]!;
      return {
        fbPageId: page.fb_page_id,
        psid,
        kind: 'optin_otn',
        idempotencyKey: `bench-worker-${g}`,
        eventAt: new Date(at0 + n),
        body: {
          sender: { id: psid },
          recipient: { id: page.fb_page_id },
          timestamp: at0 + n,
          optin: {
            type: 'one_time_notif_req',
            one_time_notif_token: `bench-worker-otn-${g}`,
            payload: `rn:t${topic}:w${g}`,
          },
        },
      };
    });
    drawn += count;
    for (let i = 0; i < stored.length; i += 1000)
      await storeEvents(storage.db, stored.slice(i, i + 1000), clock.now());
    const jobs = stored.map((e) => ({ fbPageId: e.fbPageId, psid: e.psid }));
    const lists: number[] = [];
    const pings: number[] = [];
    let done = false;
    // In a process of its own: started (connected) before the first readings, then told to go.
    const child = ownProcess ? await startOptInWorker(schema, jobs, rate, worker) : null;
    try {
      const server0 = await serverTicks(storage);
      const cpu0 = process.cpuUsage();
      // How long the bench process's event loop was held (the lists' timings include it).
      const loopDelay = monitorEventLoopDelay({ resolution: 1 });
      loopDelay.enable();
      const start = performance.now();
      const applying: Promise<number> = (
        child ? child.run() : applyOptInJobs(ctx, jobs, rate, worker).then(() => 0)
      ).finally(() => {
        done = true;
      });
      const sampler = (async () => {
        if (storage.kind !== 'postgres') return;
        while (!done) {
          await sampleLists(lists, pings);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await Promise.all([applying, sampler]);
      const perSecond = jobs.length / ((performance.now() - start) / 1000);
      loopDelay.disable();
      const cpu = process.cpuUsage(cpu0);
      const childCpuMs = await applying;
      const server1 = await serverTicks(storage);
      await child?.close();
      const applied = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM webhook_events
      WHERE idempotency_key = ANY(${stored.map((e) => e.idempotencyKey)}::text[]) AND outcome = 'accepted'`.execute(
        storage.db,
      );
      if (applied.rows[0]!.n !== jobs.length)
        throw new Error(`bench: ${applied.rows[0]!.n} of ${jobs.length} worker opt-ins accepted`);
      const r: WorkerRun = {
        perSecond,
        n: jobs.length,
        // Includes the lists and pings that ran meanwhile (and the worker's own process, if it had one).
        cpuMs: ((cpu.user + cpu.system) / 1000 + childCpuMs) / jobs.length,
        serverCpuMs: serverCpuMsPer(server0, server1, jobs.length),
        listsP50: lists.length ? percentile(lists, 50) : null,
        listsP99: lists.length ? percentile(lists, 99) : null,
        pingP99: pings.length ? percentile(pings, 99) : null,
        lists: lists.length,
        loopDelayP99: loopDelay.percentile(99) / 1e6,
        loopDelayMax: loopDelay.max / 1e6,
        loadAfter: load1(),
      };
      console.log({ workerOptIns: { rate, ownProcess, ...r } });
      return r;
    } finally {
      // Whatever failed, the worker process does not outlive the run (nor apply into a dropped schema).
      if (child) await child.close().catch(() => undefined);
    }
  };
  const workerFull = await workerOptIns(OPTINS, null);
  const workerPaced =
    storage.kind === 'postgres' && WORKER_RATE > 0
      ? await workerOptIns(WORKER_RATE * PACED_SECONDS, WORKER_RATE)
      : null;
  // The same, with the worker in a process of its own (`renotify worker` beside the service).
  const workerApart =
    storage.kind === 'postgres' && WORKER_RATE > 0
      ? await workerOptIns(WORKER_RATE * PACED_SECONDS, WORKER_RATE, true)
      : null;

  // Opt-ins at a fixed rate (each started on its schedule, at most 64 in flight) and the lists meanwhile.
  let paced: Result['paced'] = null;
  if (storage.kind === 'postgres' && PACED_RATE > 0) {
    const total = PACED_RATE * PACED_SECONDS;
    const pacedLists: number[] = [];
    const pacedPings: number[] = [];
    let pacedDone = false;
    const p0 = performance.now();
    const inFlight = new Set<Promise<unknown>>();
    const arrivals = (async () => {
      for (let i = 0; i < total; i++) {
        const due = p0 + (i * 1000) / PACED_RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (inFlight.size >= 64) await Promise.race(inFlight);
        const op = optIn(OPTINS + i).finally(() => inFlight.delete(op));
        inFlight.add(op);
      }
      await Promise.all(inFlight);
      pacedDone = true;
    })();
    const sampler = (async () => {
      while (!pacedDone) {
        await sampleLists(pacedLists, pacedPings);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all([arrivals, sampler]);
    paced = {
      optinsPerSecond: total / ((performance.now() - p0) / 1000),
      listsP50: percentile(pacedLists, 50),
      listsP99: percentile(pacedLists, 99),
      pingP50: percentile(pacedPings, 50),
      pingP99: percentile(pacedPings, 99),
      lists: pacedLists.length,
      loadAfter: load1(),
    };
  }

  const r: Result = {
    backend: label,
    loadSeconds,
    audienceMs: percentile(counts, 50),
    audienceCount,
    listsP50: percentile(listTimes, 50),
    listsP99: percentile(listTimes, 99),
    optinsPerSecond,
    optinConcurrency: concurrency,
    optinCpuMs,
    optinRoundTrips,
    // Includes the lists and pings that ran meanwhile (a few hundred against thousands of opt-ins).
    optinServerCpuMs: serverCpuMsPer(server0, server1, OPTINS),
    listsServerP50: percentile(listServerTimes, 50),
    listsServerP99: percentile(listServerTimes, 99),
    ceilingPerSecond,
    ceilingServerCpuMs: serverCpuMsPer(ceilServer0, ceilServer1, OPTINS),
    pingP50: percentile(pingTimes, 50),
    pingP99: percentile(pingTimes, 99),
    lists: listTimes.length,
    paced,
    workerOptins: { ...worker, full: workerFull, paced: workerPaced, apart: workerApart },
    loadBefore,
    loadAfter: load1(),
  };
  console.log(r);
  return r;
}

const results: Result[] = [];
if (args.only !== 'postgres') {
  const storage = await openStorage({ dataDir: 'memory://', prepare: !args.unprepared });
  results.push(await run(storage, 'PGlite 0.5.14 (embedded, in-memory data dir)'));
  await storage.close();
}
if (process.env.DATABASE_URL && args.only !== 'pglite') {
  const schema = `bench_store_${Date.now()}`;
  const storage = await openStorage({
    databaseUrl: process.env.DATABASE_URL,
    schema,
    poolSize: 20,
    prepare: !args.unprepared,
  });
  try {
    results.push(await run(storage, 'PostgreSQL server (pg.Pool, 20 connections)', schema));
  } finally {
    if (args.keep) console.log(`schema ${schema} kept`);
    else await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(storage.db);
    await storage.close();
  }
} else if (!process.env.DATABASE_URL) {
  console.log('DATABASE_URL not set: PostgreSQL part skipped.');
}

const f = (n: number, d = 1) => n.toFixed(d);
await writeBenchSection(
  'bench:store',
  [
    `${SUBS.toLocaleString('en')} subscriptions over ${TOPICS} topics and ${CUSTOMERS.toLocaleString('en')} customers; ${machine()}.`,
    '',
    '| backend | load (s) | audience count of one topic | topic lists p50 / p99 (during opt-ins) | of which in the server p50 / p99 | `SELECT 1` p50 / p99 (ceiling) | opt-ins / s | one-insert transactions / s (ceiling) | round trips per opt-in | CPU per opt-in: bench process / server (server per one-insert transaction) | machine load |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.backend} | ${f(r.loadSeconds)} | ${f(r.audienceMs)} ms (${r.audienceCount.toLocaleString('en')} valid) | ${f(r.listsP50, 2)} / ${f(r.listsP99, 2)} ms (${r.lists}) | ${f(r.listsServerP50, 2)} / ${f(r.listsServerP99, 2)} ms | ${f(r.pingP50, 2)} / ${f(r.pingP99, 2)} ms | ${Math.round(r.optinsPerSecond).toLocaleString('en')} (${r.optinConcurrency} concurrent) | ${Math.round(r.ceilingPerSecond).toLocaleString('en')} (${Math.round((100 * r.optinsPerSecond) / r.ceilingPerSecond)}%) | ${f(r.optinRoundTrips, 2)} | ${f(r.optinCpuMs, 2)} / ${r.optinServerCpuMs === null ? '–' : f(r.optinServerCpuMs, 2)} ms (${r.ceilingServerCpuMs === null ? '–' : f(r.ceilingServerCpuMs, 2)} ms) | ${f(r.loadBefore)} → ${f(r.loadAfter)} |`,
    ),
    '',
    `While opt-ins arrive at a fixed rate instead (${PACED_SECONDS} s, each started on its schedule), the same lists end to end:`,
    '',
    '| backend | opt-ins / s (paced) | topic lists p50 / p99 | `SELECT 1` p50 / p99 | machine load after |',
    '|---|---|---|---|---|',
    ...results
      .filter((r) => r.paced)
      .map(
        (r) =>
          `| ${r.backend} | ${Math.round(r.paced!.optinsPerSecond).toLocaleString('en')} | ${f(r.paced!.listsP50, 2)} / ${f(r.paced!.listsP99, 2)} ms (${r.paced!.lists}) | ${f(r.paced!.pingP50, 2)} / ${f(r.paced!.pingP99, 2)} ms | ${f(r.paced!.loadAfter)} |`,
      ),
    '',
    `Opt-ins as the worker applies them (opt-in webhook events of distinct customers, stored first, then applied by \`processCustomersEvents\` in the worker's batches of 200, ${WORKER_CONCURRENCY} at once on PostgreSQL; each customer's opt-in read, decided and written together with the batch's others, logged and marked processed), at full speed and with a batch started on schedule (\`--worker-rate\`), in the bench process and in a process of its own (as \`renotify worker\` runs beside the service), a customer's topic lists sampled meanwhile by the bench process:`,
    '',
    "| backend | run | opt-ins / s | of the one-insert ceiling | events | CPU per opt-in: bench process (+ worker process) / server | topic lists p50 / p99 meanwhile | `SELECT 1` p99 | the bench process's event-loop delay p99 / max | machine load after |",
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.flatMap((r) =>
      [
        ['full speed', r.workerOptins.full] as const,
        ...(r.workerOptins.paced
          ? ([[`paced at ${WORKER_RATE.toLocaleString('en')}/s`, r.workerOptins.paced]] as const)
          : []),
        ...(r.workerOptins.apart
          ? ([
              [
                `paced at ${WORKER_RATE.toLocaleString('en')}/s, worker in its own process`,
                r.workerOptins.apart,
              ],
            ] as const)
          : []),
      ].map(
        ([run, w]) =>
          `| ${r.backend} | ${run} | ${Math.round(w.perSecond).toLocaleString('en')} | ${Math.round((100 * w.perSecond) / r.ceilingPerSecond)}% of ${Math.round(r.ceilingPerSecond).toLocaleString('en')} | ${w.n.toLocaleString('en')} | ${f(w.cpuMs, 3)} / ${w.serverCpuMs === null ? '–' : f(w.serverCpuMs, 3)} ms | ${w.listsP50 === null ? '–' : `${f(w.listsP50, 2)} / ${f(w.listsP99!, 2)} ms (${w.lists})`} | ${w.pingP99 === null ? '–' : `${f(w.pingP99, 2)} ms`} | ${f(w.loopDelayP99)} / ${f(w.loopDelayMax)} ms | ${f(w.loadAfter)} |`,
      ),
    ),
    '',
    `Aims (issue 13, PostgreSQL): topic lists p99 under 5 ms with 1M subscriptions while the opt-in load runs,
opt-ins over 2,000/s. The lists are one query (storage/topic-lists.ts). An opt-in is still the full use-case —
customer upsert, invitation and topic lookups, the customer's tokens on the topic, the insert (token encrypted +
keyed hash) and the consent-history row — with the rules decided in the domain between one read and one checked
write, each in autocommit (the write applies only if what was read is unchanged, else the opt-in reads again).
The bench's opt-ins name their topic in the payload and no invitation (as m.me links and the plugin do), so
their write is the variant without the invitation's check and mark. Round trips per opt-in counts every
query it sends, BEGIN and COMMIT included; the ceiling is BEGIN, INSERT, COMMIT. Machine load is the 1-minute
load average before → after (the machine is shared).`,
  ].join('\n'),
);
