// bench:campaign — one OTN campaign to N recipients (default 1 000 000; `--recipients N`) against the
// sandbox with its rate limit lifted, on the embedded database and, with DATABASE_URL, on PostgreSQL:
// messages per second end to end (start → completed, audience materialisation included) and the
// peak RSS of this process (the dispatcher; the sandbox runs in its own process). Beside it, the raw
// ceiling: this machine pushing the same Graph batch calls to the same sandbox with no database work.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { campaignLifecycle, createCampaign, startCampaign } from '../src/app/campaigns.ts';
import { GraphClient } from '../src/channel/graph-client.ts';
import { campaignMessage } from '../src/dispatcher/content.ts';
import { startDispatcher } from '../src/dispatcher/dispatcher.ts';
import { LIMITS } from '../src/domain/platform.ts';
import { findCampaign } from '../src/storage/campaigns.ts';
import { openStorage, type Storage } from '../src/storage/db.ts';
import { createDispatchStore } from '../src/storage/dispatch-store.ts';
import { parseKey, setSecretKey } from '../src/storage/secrets.ts';
import { createWorld, type RecipientSpec, seedDatabase } from '../test/crash/world.ts';
import { openTestStorage } from '../test/support/backends.ts';
import { runPaid } from './campaign-paid.ts';
import { type CpuQuota, limitCpu } from './cpu-quota.ts';
import { load1, machine, writeBenchSection } from './report.ts';

const { values: args } = parseArgs({
  options: {
    recipients: { type: 'string', default: '1000000' },
    raw: { type: 'string' },
    only: { type: 'string' },
    // Dispatcher processes of their own (PostgreSQL only); 0: the dispatcher runs in this process.
    workers: { type: 'string', default: '0' },
    // Each dispatcher process held to this share of one CPU (Linux cgroups, root): bench/cpu-quota.ts.
    'cpu-quota': { type: 'string' },
    // Recipients of the paid-route run (a 2026/VN page, bench/campaign-paid.ts) on each backend; 0: none.
    paid: { type: 'string', default: '0' },
  },
});
const N = Number(args.recipients);
const RAW = Number(args.raw ?? Math.min(N, 200_000));
const WORKERS = Number(args.workers);
const CPU_QUOTA = args['cpu-quota'] === undefined ? null : Number(args['cpu-quota']);
if (CPU_QUOTA !== null && !(CPU_QUOTA > 0 && WORKERS > 0))
  throw new Error('--cpu-quota takes a share of one CPU (e.g. 0.25) and needs --workers N');
const quotas: CpuQuota[] = [];
// One secret key for this process and its dispatcher processes: they decrypt the page token it stored.
const KEY = randomBytes(32).toString('hex');
setSecretKey(parseKey(KEY));
const PAID = Number(args.paid);
const LANES = 8; // Graph batch calls in flight: what the dispatcher runs (concurrency 2 × 4 parallel calls)
const f = (n: number, d = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });

async function startSandbox(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=6144',
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'campaign-sandbox.ts'),
      '--recipients',
      String(N),
      '--raw',
      String(RAW),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

function graphFor(url: string) {
  return new GraphClient({
    baseUrl: url,
    version: 'v23.0',
    rateLimitPerSecond: 1e9,
    connections: 32,
    timeoutMs: 30_000,
  });
}

/** The same batch calls (≤ 50 OTN notifications, personalised text) with no database in the way. */
async function rawCeiling(url: string): Promise<number> {
  const graph = graphFor(url);
  const page = { pageId: 'raw-page', accessToken: 'EAAsandbox-raw' };
  const c = {
    id: 1,
    link_secret: 'x',
    content: { type: 'text', text: 'Chào {{first_name|bạn}}, hàng đã về!' },
  };
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < RAW) {
      const start = next;
      next += LIMITS.batchMax;
      const items = [];
      for (let i = start; i < Math.min(start + LIMITS.batchMax, RAW); i++) {
        items.push({
          plan: {
            messagingType: null,
            tag: null,
            recipient: { one_time_notif_token: `raw-tok-${i}-0` },
            subscriptionId: i,
          },
          message: campaignMessage(
            c,
            { firstName: `Khach${i}`, lastName: null, name: null },
            i,
            'http://svc.test',
          ),
        });
      }
      const res = await graph.sendBatch(page, items);
      if (res.some((r) => !r.ok))
        throw new Error(`raw send failed: ${JSON.stringify(res.find((r) => !r.ok))}`);
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  const rate = RAW / ((performance.now() - t0) / 1000);
  await graph.close();
  return rate;
}

interface Result {
  backend: string;
  loadSeconds: number;
  seconds: number;
  rate: number;
  peakRssMb: number;
  sent: number;
  /** The machine's 1-minute load average at the start and the end of the send. */
  load: { before: number; after: number };
}

/** This database's row and transaction counters (PostgreSQL): per message, they show the work a send costs. */
async function dbCounters(storage: Storage): Promise<Record<string, number> | null> {
  const r = await sql<Record<string, string>>`
    SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated, blks_hit + blks_read AS blocks
    FROM pg_stat_database WHERE datname = current_database()`.execute(storage.db);
  const row = r.rows[0];
  return row ? Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) : null;
}

/**
 * Entries read per index and rows read by sequential scans, per relation of this schema: what grows
 * with the audience shows here first (a page of the audience copy once read the topic's tokens from the
 * first customer on: 2.6 per message at 50k, 9.5 at 200k, on one index, in ~60 scans).
 */
async function relationReads(storage: Storage): Promise<Map<string, { entries: number; scans: number }>> {
  const { rows } = await sql<{ name: string; entries: string; scans: string }>`
    SELECT indexrelname AS name, idx_tup_read AS entries, idx_scan AS scans
    FROM pg_stat_user_indexes WHERE schemaname = current_schema()
    UNION ALL
    SELECT relname || ' (seq)', seq_tup_read, seq_scan
    FROM pg_stat_user_tables WHERE schemaname = current_schema()`.execute(storage.db);
  return new Map(rows.map((r) => [r.name, { entries: Number(r.entries), scans: Number(r.scans) }]));
}

/** `n` dispatcher processes (bench/campaign-worker.ts) on this storage's schema, each started. */
async function startWorkers(storage: Storage, sandboxUrl: string, n: number): Promise<ChildProcess[]> {
  const { rows } = await sql<{ s: string }>`SELECT current_schema() AS s`.execute(storage.db);
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(import.meta.dirname, 'campaign-worker.ts'),
          '--sandbox',
          sandboxUrl,
          '--schema',
          rows[0]!.s,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RN_SECRET_KEY: KEY } },
      );
      children.push(child);
      if (CPU_QUOTA !== null)
        quotas.push(limitCpu(`renotify-bench-${process.pid}-${i}`, child.pid!, CPU_QUOTA));
      const lines = createInterface({ input: child.stdout! });
      await new Promise((resolve) => lines.once('line', resolve));
      return child;
    }),
  );
}

/** Stops a worker and returns its peak RSS (MB) and the CPU seconds it used after it was ready. */
async function stopWorker(child: ChildProcess): Promise<{
  peakRssMb: number;
  cpuSeconds: number;
  threads?: Record<string, number>;
  calls?: Record<string, number>;
}> {
  const lines = createInterface({ input: child.stdout! });
  const line = new Promise<string>((resolve) => lines.once('line', resolve));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const r = JSON.parse(await line) as {
    peakRssMb: number;
    cpuSeconds: number;
    threads?: Record<string, number>;
    calls?: Record<string, number>;
  };
  await exited;
  return r;
}

async function runBackend(backend: 'pglite' | 'postgres', url: string): Promise<Result> {
  let storage: Storage;
  let dir: string | null = null;
  if (backend === 'pglite') {
    dir = mkdtempSync(path.join(tmpdir(), 'rn-bench-campaign-'));
    storage = await openStorage({ dataDir: dir });
  } else storage = await openTestStorage('postgres', { poolSize: 12 });
  const world = await createWorld(storage, { sandbox: false });
  const specs: RecipientSpec[] = Array.from({ length: N }, (_, i) => ({
    topic: 'otn',
    state: 'valid',
    firstName: `Khach${i}`,
  }));
  let t = performance.now();
  await seedDatabase(world, specs, 0, 3000); // 3 000 × 18 columns stays under 65 535 parameters
  const loadSeconds = (performance.now() - t) / 1000;
  const graph = graphFor(url);
  const c = await createCampaign(world.ctx, world.workspaceId, world.page.id, {
    name: 'bench',
    topicId: world.otn.id,
    content: { type: 'text', text: 'Chào {{first_name|bạn}}, hàng đã về!' },
    audience: {},
  });
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const workers = backend === 'postgres' && WORKERS > 0 ? await startWorkers(storage, url, WORKERS) : [];
  const load = { before: load1(), after: 0 };
  const countersBefore = backend === 'postgres' ? await dbCounters(storage) : null;
  const readsBefore = backend === 'postgres' ? await relationReads(storage) : null;
  // Lock waits, sampled: sessions of this database waiting on a heavyweight lock, every 100 ms.
  let lockSamples = 0;
  let lockWaiting = 0;
  const lockSampler =
    backend === 'postgres'
      ? setInterval(() => {
          void sql<{ n: string }>`
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`
            .execute(storage.db)
            .then((r) => {
              lockSamples++;
              lockWaiting += Number(r.rows[0]?.n ?? 0);
            })
            .catch(() => {});
        }, 100)
      : null;
  t = performance.now();
  const dispatcher =
    workers.length === 0
      ? startDispatcher(
          {
            store: createDispatchStore(storage.db),
            clock: world.clock,
            channel: graph,
            publicUrl: 'http://svc.test',
            lifecycle: campaignLifecycle({ db: storage.db, clock: world.clock }),
          },
          { concurrency: 2, batchSize: 500, parallelCalls: 4, pollMs: 20, materialisePage: 10_000 },
        )
      : null;
  await startCampaign(world.ctx, world.workspaceId, c.id);
  dispatcher?.kick();
  let done = c;
  for (let last = 0; ; ) {
    await new Promise((r) => setTimeout(r, 250));
    done = (await findCampaign(storage.db, null, c.id))!;
    if (done.status !== 'running') break;
    if (performance.now() - last > 10_000) {
      last = performance.now();
      console.log(`  ${backend}: ${f(done.sent_count)} sent after ${f((performance.now() - t) / 1000, 1)} s`);
    }
  }
  const seconds = (performance.now() - t) / 1000;
  load.after = load1();
  if (lockSampler) clearInterval(lockSampler);
  if (countersBefore) {
    console.log(
      `  ${backend} lock wait (sampled every 100 ms): ${f(lockWaiting * 0.1, 1)} session-seconds over ${lockSamples} samples = ${f((lockWaiting * 0.1 * 1e6) / N, 1)} µs per message`,
    );
    await new Promise((r) => setTimeout(r, 1500)); // other backends flush their statistics within a second
    const after = (await dbCounters(storage))!;
    const reads = await relationReads(storage);
    const heavy = [...reads]
      .map(([name, r]) => {
        const b = readsBefore?.get(name) ?? { entries: 0, scans: 0 };
        return { name, perMessage: (r.entries - b.entries) / N, scans: r.scans - b.scans };
      })
      .filter((r) => r.perMessage >= 0.5)
      .sort((a, b) => b.perMessage - a.perMessage);
    console.log(
      `  ${backend} rows read per message, by index or sequential scan (≥ 0.5): ${heavy.map((r) => `${r.name} ${f(r.perMessage, 2)} (${f(r.scans)} scans)`).join(', ')}`,
    );
    const per = Object.entries(after).map(([k, v]) => `${k} ${f((v - countersBefore[k]!) / N, 2)}`);
    console.log(`  ${backend} per message (pg_stat_database, whole database): ${per.join(', ')}`);
  }
  clearInterval(sampler);
  await dispatcher?.stop();
  const throttling = quotas.map((q) => q.stats());
  const stopped = await Promise.all(workers.map(stopWorker));
  for (const q of quotas.splice(0)) q.remove();
  const workerRss = stopped.map((w) => w.peakRssMb);
  if (workerRss.length) peak = Math.max(...workerRss);
  if (stopped.length) {
    const cpu = stopped.reduce((a, w) => a + w.cpuSeconds, 0);
    const quota =
      CPU_QUOTA === null
        ? ''
        : `, each held to ${f(CPU_QUOTA, 2)} CPU; periods at the quota: ${throttling.map((t) => `${f((100 * t.throttled) / Math.max(1, t.periods))} %`).join(', ')}`;
    console.log(
      `  ${backend} dispatcher processes: ${f(cpu, 1)} CPU s in all = ${f((cpu * 1e6) / N)} µs per message${quota}`,
    );
    for (const w of stopped)
      if (w.threads)
        console.log(
          `  ${backend} dispatcher process threads (CPU s since spawn): ${Object.entries(w.threads)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k} ${f(v, 2)}`)
            .join(', ')}; calls: ${JSON.stringify(w.calls)}`,
        );
  }
  await graph.close();
  await storage.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (done.status !== 'completed' || done.sent_count !== N) {
    throw new Error(`${backend}: campaign ended ${done.status} with ${done.sent_count}/${N} sent`);
  }
  return {
    backend,
    loadSeconds,
    seconds,
    rate: N / seconds,
    peakRssMb: workerRss.length ? peak : peak / 2 ** 20,
    sent: done.sent_count,
    load,
  };
}

const backends = (['pglite', 'postgres'] as const).filter(
  (b) => (!args.only || args.only === b) && (b === 'pglite' || process.env.DATABASE_URL),
);
const results: Result[] = [];
const paid: Array<{ backend: string; rate: number; seconds: number; load: Result['load'] }> = [];
let ceiling = 0;
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const b of backends) {
  // A fresh sandbox per backend: the campaign uses up every OTN token it sends on.
  const sb = await startSandbox();
  children.push(sb.child);
  if (ceiling === 0) {
    ceiling = await rawCeiling(sb.url);
    console.log(`raw ceiling: ${f(ceiling)} msg/s (${f(RAW)} messages, ${LANES} batch calls in flight)`);
  }
  const r = await runBackend(b, sb.url).catch((e) => {
    sb.child.kill('SIGKILL');
    throw e;
  });
  console.log(
    `${b}${WORKERS > 0 && b === 'postgres' ? ` (${WORKERS} dispatcher processes)` : ''}: ${f(r.rate)} msg/s = ${f((100 * r.rate) / ceiling, 1)}% of the raw ceiling, ${f(r.seconds, 1)} s, peak RSS ${f(r.peakRssMb)} MB (seed ${f(r.loadSeconds, 1)} s), load average ${f(r.load.before, 1)} → ${f(r.load.after, 1)}`,
  );
  results.push(r);
  sb.child.kill('SIGTERM');
  if (PAID > 0) {
    const paidStorage =
      b === 'pglite'
        ? await openStorage({ dataDir: 'memory://' })
        : await openTestStorage('postgres', { poolSize: 12 });
    const loadBefore = load1();
    const p = await runPaid(paidStorage, PAID);
    await paidStorage.close();
    console.log(
      `${b} paid route (${f(PAID)} recipients, one marketing call each): ${f(p.rate)} msg/s, ${f(p.seconds, 1)} s, load average ${f(loadBefore, 1)} → ${f(load1(), 1)}`,
    );
    paid.push({ backend: b, ...p, load: { before: loadBefore, after: load1() } });
  }
}

await writeBenchSection(
  'bench:campaign',
  [
    `One OTN campaign to ${f(N)} recipients (personalised text, Graph batches of 50) against the sandbox in its own process, rate limit lifted; ${machine()}.`,
    `End to end = from start to \`completed\`: audience materialised in keyset pages, batches claimed (500), tokens claimed, sent, outcomes + inbox log + consent history + tally written. Dispatcher: ${WORKERS > 0 ? `${WORKERS} processes of its own on PostgreSQL (peak RSS: the largest)` : 'one process, the bench'}, 2 loops × 4 batch calls in flight each. Peak RSS is the dispatcher's process (with the database client; PGlite runs inside it). Load: the machine's 1-minute load average at the start → end of the send.`,
    '',
    '| backend | messages/s end to end | share of raw ceiling | duration | peak RSS | load of customers + tokens | load average |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.backend} | ${f(r.rate)} | ${f((100 * r.rate) / ceiling)}% | ${f(r.seconds, 1)} s | ${f(r.peakRssMb)} MB | ${f(r.loadSeconds, 1)} s | ${f(r.load.before, 1)} → ${f(r.load.after, 1)} |`,
    ),
    `| raw ceiling (no database, ${f(RAW)} messages) | ${f(ceiling)} | 100% | | | | |`,
    ...paid.map(
      (p) =>
        `| ${p.backend}, paid route (2026/VN: ${f(PAID)} marketing messages, one call each) | ${f(p.rate)} | ${f((100 * p.rate) / ceiling)}% | ${f(p.seconds, 1)} s | | | ${f(p.load.before, 1)} → ${f(p.load.after, 1)} |`,
    ),
  ].join('\n'),
);
