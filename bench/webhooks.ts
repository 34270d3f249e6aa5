// bench:webhooks — signed Messenger webhook deliveries per second accepted (HTTP 200) by the real
// service and then processed by its worker(s), on embedded PGlite and (with DATABASE_URL) PostgreSQL;
// p50/p99 latency of the 200; against a bare Fastify endpoint that only answers 200, on the same
// machine in the same run, driven by the same load generator (the ceiling). After the load: the backlog
// left, and how long it takes to drain. The machine's load average is recorded beside each row.
//   npm run bench:webhooks [-- --deliveries 20000 | --sustain 60] [--concurrency 32 --customers 5000] [--warmup 3]
//                          [--workers 2]   (webhook processing in 2 processes of their own; PostgreSQL)
//                          [--unprepared]  (hot statements not prepared: to measure what preparing gains)
//   npm run bench:webhooks -- --backlog 50000 [--workers K] [--only postgres] [--dry-run]
//   [--optins]: every delivery a first OTN opt-in of a customer of its own, instead of a message
//     processing alone: N deliveries taken with no worker running, then processed (in the bench process,
//     or in K processes of their own) until none is pending, beside a bare claim + decode + mark done
//     of the same events (bench/webhook-backlog.ts)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { Pool } from 'undici';
import { createTopic } from '../src/app/topics.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { startRuntime } from '../src/runtime.ts';
import { signBody } from '../src/sandbox/index.ts';
import { openStorage, type Storage } from '../src/storage/db.ts';
import type { PageRow } from '../src/storage/schema.ts';
import { countPending } from '../src/storage/webhook-events.ts';
import { load1, machine, percentile, writeBenchSection } from './report.ts';
import {
  claimCeiling,
  type Drain,
  dbCounts,
  drainFrom,
  perEvent,
  processCpuMs,
  tableReads,
  topReads,
} from './webhook-backlog.ts';

const { values: args } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '20000' },
    sustain: { type: 'string', default: '0' },
    backlog: { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '32' },
    customers: { type: 'string', default: '5000' },
    // Seconds of load before each measured run, the same for the ceiling and the service (JIT, pools).
    warmup: { type: 'string', default: '3' },
    workers: { type: 'string', default: '0' },
    'process-timeout': { type: 'string', default: '600' },
    'dry-run': { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-worker': { type: 'boolean', default: false },
    // Every delivery an OTN opt-in of a customer of its own (a livestream's "Notify me" burst) instead of
    // a message: the worker applies them together (webhook-optins.ts).
    optins: { type: 'boolean', default: false },
    // Hot statements sent unnamed (parsed and planned each time): measures what preparing them gains.
    unprepared: { type: 'boolean', default: false },
  },
});
const N = Number(args.deliveries);
const SUSTAIN_S = Number(args.sustain);
const WARMUP_S = Number(args.warmup);
const BACKLOG = Number(args.backlog);
const CONCURRENCY = Number(args.concurrency);
const CUSTOMERS = Number(args.customers);
const WORKERS = Number(args.workers);
const PROCESS_TIMEOUT_S = Number(args['process-timeout']);
const APP_SECRET = 'sandbox-app-secret';

interface Load {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  non200: number;
  /** CPU (user + system) of this process — load generator and server — per delivery, in µs. */
  cpuUs: number;
}

/** With --optins: the OTN topic the opt-ins name (created on the service's page before the load). */
let optInTopic: number | null = null;

async function createOptInTopic(storage: Storage, page: PageRow): Promise<void> {
  if (!args.optins) return;
  const t = await createTopic({ db: storage.db, clock: systemClock }, page.workspace_id, page.id, {
    name: `Bench restock ${randomBytes(3).toString('hex')}`,
    kind: 'one_time',
    title: 'Back in stock',
  });
  optInTopic = t.id;
}

/** The i-th signed delivery: one message event, customers in turn (the ceiling gets the same bodies). */
function delivery(run: string, fbPageId: string, t0: number, i: number): { raw: string; sig: string } {
  if (optInTopic !== null) return optInDelivery(run, fbPageId, t0, i, optInTopic);
  const psid = `bench-${run}-${i % CUSTOMERS}`;
  const raw = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: fbPageId,
        time: t0 + i,
        messaging: [
          {
            sender: { id: psid },
            recipient: { id: fbPageId },
            timestamp: t0 + i,
            message: { mid: `m_${run}_${i}`, text: `tin nhắn ${i}` },
          },
        ],
      },
    ],
  });
  return { raw, sig: signBody(APP_SECRET, raw) };
}

/** --optins: the i-th delivery is a first opt-in of customer i to the bench topic. */
function optInDelivery(run: string, fbPageId: string, t0: number, i: number, topic: number) {
  const psid = `bench-${run}-o${i}`;
  const raw = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: fbPageId,
        time: t0 + i,
        messaging: [
          {
            sender: { id: psid },
            recipient: { id: fbPageId },
            timestamp: t0 + i,
            optin: {
              type: 'one_time_notif_req',
              one_time_notif_token: `otn_${run}_${i}`,
              payload: `rn:t${topic}:${run}${i}`,
            },
          },
        ],
      },
    ],
  });
  return { raw, sig: signBody(APP_SECRET, raw) };
}

/**
 * `count` deliveries, or as many as fit in `seconds` when given, from CONCURRENCY keep-alive
 * connections. Bodies are signed just before sending, for the ceiling as for the service.
 */
async function load(origin: string, fbPageId: string, count: number, seconds = 0): Promise<Load> {
  const run = randomBytes(3).toString('hex');
  const t0 = Date.now();
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  let non200 = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const until = seconds > 0 ? start + seconds * 1000 : Number.POSITIVE_INFINITY;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        if (seconds > 0 ? performance.now() >= until : next >= count) return;
        const b = delivery(run, fbPageId, t0, next++);
        const t = performance.now();
        const res = await pool.request({
          path: '/webhooks/messenger',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': b.sig },
          body: b.raw,
        });
        await res.body.dump();
        latencies.push(performance.now() - t);
        if (res.statusCode !== 200) non200++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await pool.close();
  return {
    count: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non200,
    cpuUs: (cpu.user + cpu.system) / Math.max(1, latencies.length),
  };
}

/**
 * The same time for the ceiling and the service: a count of deliveries gave the service's larger code
 * less time to be optimised than the bare server's, and its first seconds ran ~25 % below its rate.
 */
function warmUp(origin: string, fbPageId: string): Promise<Load> {
  return load(origin, fbPageId, WARMUP_S > 0 ? Number.POSITIVE_INFINITY : 0, WARMUP_S);
}

interface Row extends Load {
  target: string;
  loadBefore: number;
  loadAfter: number;
  processedPerSecond?: number;
  backlogAtEnd?: number;
  drainSeconds?: number;
  drained?: boolean;
}

async function ceiling(): Promise<Row> {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/messenger', async (_req, reply) => reply.status(200).send('EVENT_RECEIVED'));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  await warmUp(url, '0');
  const loadBefore = load1();
  const r = await load(url, '0', N, SUSTAIN_S);
  await app.close();
  return { target: 'bare Fastify (ceiling)', ...r, loadBefore, loadAfter: load1() };
}

/** Worker processes of their own (bench/webhook-worker.ts), on the service's schema and queue. */
async function startWorkers(
  schema: string,
  queueSchema: string,
  key: string,
  spawned?: (c: ChildProcess) => void,
): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(import.meta.dirname, 'webhook-worker.ts'), schema, queueSchema],
        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RENOTIFY_SECRET_KEY: key } },
      );
      spawned?.(child);
      await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
      return child;
    }),
  );
}

/** The service's storage: PGlite in memory, or a schema of its own on DATABASE_URL. */
function benchStorage(backend: 'pglite' | 'postgres', schema: string): Promise<Storage> {
  return backend === 'pglite'
    ? openStorage({ dataDir: 'memory://', prepare: !args.unprepared })
    : openStorage({
        databaseUrl: process.env.DATABASE_URL!,
        schema,
        poolSize: 20,
        prepare: !args.unprepared,
      });
}

async function service(backend: 'pglite' | 'postgres'): Promise<Row> {
  const schema = `bench_wh_${randomBytes(3).toString('hex')}`;
  const queueSchema = `pgboss_${schema}`;
  const key = randomBytes(32).toString('hex');
  const storage = await benchStorage(backend, schema);
  const external = backend === 'postgres' ? WORKERS : 0;
  const rt = await startRuntime({
    config: { ...loadConfig({}), port: 0, sandboxPort: 0, host: '127.0.0.1', secretKey: key },
    storage,
    queueSchema,
    worker: !args['no-worker'] && external === 0,
  });
  const children = external ? await startWorkers(schema, queueSchema, key) : [];
  const processing = !args['no-worker'];
  try {
    // No bot answers: this measures intake and processing, not the Send API.
    await storage.db.updateTable('assistant_triggers').set({ active: false }).execute();
    await createOptInTopic(storage, rt.page);
    const fbPageId = rt.page.fb_page_id;
    await warmUp(rt.url!, fbPageId);
    if (processing) await waitProcessed(storage, 120);
    const loadBefore = load1();
    const start = performance.now();
    const accepted = await load(rt.url!, fbPageId, N, SUSTAIN_S);
    const loadEnd = performance.now();
    const backlogAtEnd = await countPending(storage.db);
    const drained = processing ? await waitProcessed(storage, PROCESS_TIMEOUT_S) : false;
    const end = performance.now();
    const left = drained ? 0 : await countPending(storage.db);
    const label = `renotify on ${backend}${external ? ` + ${external} worker processes` : ''}`;
    console.log(`${label}: accepted ${accepted.perSecond.toFixed(0)}/s, ${backlogAtEnd} pending at the end`);
    return {
      target: label,
      ...accepted,
      loadBefore,
      loadAfter: load1(),
      ...(processing && {
        processedPerSecond: (accepted.count - left) / ((end - start) / 1000),
        backlogAtEnd,
        drainSeconds: (end - loadEnd) / 1000,
        drained,
      }),
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
    await rt.close();
    if (backend === 'postgres') {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(queueSchema)} CASCADE`.execute(storage.db);
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(storage.db);
    }
    await storage.close();
  }
}

interface BacklogRow {
  target: string;
  intake: Load;
  ceiling: Drain;
  processing: Drain;
  cpuMsPerEvent: number;
  db: ReturnType<typeof perEvent>;
}

/** --backlog N: intake with no worker, then processing alone until drained (see webhook-backlog.ts). */
async function backlogRun(backend: 'pglite' | 'postgres'): Promise<BacklogRow> {
  const schema = `bench_wh_${randomBytes(3).toString('hex')}`;
  const queueSchema = `pgboss_${schema}`;
  const key = randomBytes(32).toString('hex');
  const storage = await benchStorage(backend, schema);
  const external = backend === 'postgres' ? WORKERS : 0;
  const config = { ...loadConfig({}), port: 0, sandboxPort: 0, host: '127.0.0.1', secretKey: key };
  const rt = await startRuntime({ config, storage, queueSchema, worker: false });
  let children: ChildProcess[] = [];
  let inProcess: Awaited<ReturnType<typeof startRuntime>> | undefined;
  try {
    await storage.db.updateTable('assistant_triggers').set({ active: false }).execute();
    await createOptInTopic(storage, rt.page);
    const intake = await load(rt.url!, rt.page.fb_page_id, BACKLOG);
    console.log(`${backend}: ${intake.count} deliveries taken (${intake.perSecond.toFixed(0)}/s), no worker`);
    // The ceiling's loops: as many as the real workers run batches at once (4 a process on PostgreSQL).
    const loops = backend === 'postgres' ? 4 * Math.max(1, external) : 1;
    const ceiling = await claimCeiling(storage, loops);
    console.log(
      `${backend}: ceiling (claim + decode + mark, ${loops} loops) ${ceiling.perSecond.toFixed(0)}/s`,
    );
    const before = await dbCounts(storage);
    const reads0 = await tableReads(storage);
    // Children are spawned at once (their pids known), the in-process worker starts in this process.
    const pids = external ? [] : [process.pid];
    const start = async () => {
      if (!external) return startRuntime({ config, storage, queueSchema, web: false, worker: true });
      children = await startWorkers(schema, queueSchema, key, (c) => pids.push(c.pid!));
      return undefined;
    };
    const cpuOf = () => pids.reduce((s, pid) => s + processCpuMs(pid), 0);
    const { drain: processing, started } = await drainFrom(storage, PROCESS_TIMEOUT_S, start, cpuOf);
    inProcess = started;
    const after = await dbCounts(storage);
    const reads = topReads(reads0, await tableReads(storage), processing.events);
    if (reads) console.log(`${backend}: rows read per event, by table: ${reads}`);
    const label = `${backend}, ${external ? `${external} worker process${external > 1 ? 'es' : ''}` : 'worker in the bench process'}`;
    console.log(`${label}: ${processing.perSecond.toFixed(0)} processed/s (${processing.events} events)`);
    return {
      target: label,
      intake,
      ceiling,
      processing,
      cpuMsPerEvent: (processing.cpuMs ?? Number.NaN) / Math.max(1, processing.events),
      db: perEvent(before, after, processing.events),
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
    await inProcess?.close();
    await rt.close();
    if (backend === 'postgres') {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(queueSchema)} CASCADE`.execute(storage.db);
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(storage.db);
    }
    await storage.close();
  }
}

async function backlogMain(): Promise<void> {
  const rows: BacklogRow[] = [];
  if (args.only !== 'postgres' && WORKERS === 0) rows.push(await backlogRun('pglite'));
  if (process.env.DATABASE_URL && args.only !== 'pglite') rows.push(await backlogRun('postgres'));
  else console.log('DATABASE_URL is not set: PostgreSQL skipped');
  const f0 = (n: number) => n.toFixed(0);
  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => n.toFixed(2);
  const line = (r: BacklogRow) => {
    const p = r.processing;
    const share = `${((100 * p.perSecond) / r.ceiling.perSecond).toFixed(0)}%`;
    const drained = p.drained ? f1(p.seconds) : `not drained in ${f0(p.seconds)}`;
    const db = r.db
      ? `${f2(r.db.xact)} / ${f1(r.db.inserted)} / ${f1(r.db.updated)} / ${f1(r.db.fetched)}`
      : '—';
    const cells = [r.target, p.events, f0(p.perSecond), f0(r.ceiling.perSecond), share, drained];
    cells.push(f2(r.cpuMsPerEvent), db, f0(r.intake.perSecond), `${f1(p.loadBefore)} → ${f1(p.loadAfter)}`);
    return `| ${cells.join(' | ')} |`;
  };
  const body = `
${machine()}. Processing alone: ${BACKLOG} signed deliveries (one plain-text \`message\` event each, bot answers off)
over ${CUSTOMERS} customers taken by the service with no worker running, then processed until none is pending
(rate counted from when the workers are up). Ceiling, same run: a bare claim + decode + mark done of a copy of
the same pending events (batches of 1,000, SKIP LOCKED, as many loops as the workers run batches). Worker CPU:
user + system of the processing process(es) per event. Database per event (PostgreSQL, pg_stat_database):
transactions / tuples inserted / updated / fetched. Load = 1-minute load average at the start → end of processing.

| run | events | processed / s | ceiling / s | share | drain s | worker CPU ms / event | xact / ins / upd / fetched per event | intake / s | load |
|---|---|---|---|---|---|---|---|---|---|
${rows.map(line).join('\n')}
`;
  console.log(body);
  if (!args['dry-run'])
    await writeBenchSection(
      `bench:webhooks (processing alone, backlog ${BACKLOG}${args.optins ? ' opt-ins' : ''}${WORKERS ? `, ${WORKERS} worker processes` : ''})`,
      body,
    );
}

if (BACKLOG > 0) {
  await backlogMain();
  process.exit(0);
}

async function waitProcessed(storage: Storage, boundSeconds: number): Promise<boolean> {
  const deadline = Date.now() + boundSeconds * 1000;
  while (Date.now() < deadline) {
    if ((await countPending(storage.db)) === 0) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const top = await ceiling();
console.log(`ceiling (bare Fastify): ${top.perSecond.toFixed(0)}/s, p50 ${top.p50.toFixed(1)} ms`);
const results: Row[] = [];
if (args.only !== 'postgres') results.push(await service('pglite'));
if (process.env.DATABASE_URL && args.only !== 'pglite') results.push(await service('postgres'));
else console.log('DATABASE_URL is not set: PostgreSQL skipped');

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const row = (r: Row) =>
  `| ${r.target} | ${f0(r.perSecond)} | ${f1(r.p50)} | ${f1(r.p99)} | ${((100 * r.perSecond) / top.perSecond).toFixed(0)}% | ${
    r.processedPerSecond === undefined
      ? '— | — | —'
      : `${f0(r.processedPerSecond)} | ${r.backlogAtEnd} | ${r.drained ? f1(r.drainSeconds!) : `not drained in ${f0(r.drainSeconds!)}`}`
  } | ${f0(r.cpuUs)} (${((100 * top.cpuUs) / r.cpuUs).toFixed(0)}%) | ${f1(r.loadBefore)} → ${f1(r.loadAfter)} |`;
const shape = SUSTAIN_S > 0 ? `a sustained ${SUSTAIN_S} s burst` : `${N} deliveries`;
const body = `
${machine()}. ${shape} of signed deliveries (one \`message\` event each) over ${CUSTOMERS} customers, ${CONCURRENCY}
concurrent keep-alive connections (undici Pool) on loopback, after ${WARMUP_S} s of the same load on each target (not
counted); the service, its worker(s), PostgreSQL and the load generator share the machine. "Accepted" is HTTP 200 after the event is stored and its customer's job enqueued in
one transaction; "processed / s" counts from the start of the load until no event is pending (bot answers off);
"drain" is the time from the end of the load until then. "CPU µs / delivery": user + system CPU of the bench
process (load generator and server; not PostgreSQL, not the workers' processes) per delivery, and the ceiling's
as a share of it — steadier than the rates when other work shares the machine. Load = the machine's 1-minute
load average before → after.

| target | accepted / s | p50 ms | p99 ms | of ceiling | processed / s | backlog at end | drain s | CPU µs / delivery | load |
|---|---|---|---|---|---|---|---|---|---|
${[top, ...results].map(row).join('\n')}
`;
console.log(body);
if (!args['dry-run'])
  await writeBenchSection(
    `bench:webhooks (${SUSTAIN_S > 0 ? `${SUSTAIN_S} s burst` : `${N} deliveries`}${args.optins ? ' of opt-ins' : ''}${WORKERS ? `, ${WORKERS} worker processes` : ''})`,
    body,
  );
process.exit(0);
