// One dispatcher process for bench:campaign `--workers N`: the same dispatcher and options as the
// in-process run, on the bench's PostgreSQL schema, against its sandbox. Prints {"ready":true} once
// started and {"peakRssMb":…,"cpuSeconds":…} when told to stop (SIGTERM), then exits.
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { campaignLifecycle } from '../src/app/campaigns.ts';
import { GraphClient } from '../src/channel/graph-client.ts';
import { ManualClock } from '../src/clock.ts';
import { startDispatcher } from '../src/dispatcher/dispatcher.ts';
import { openStorage } from '../src/storage/db.ts';
import { createDispatchStore } from '../src/storage/dispatch-store.ts';
import { parseKey, setSecretKey } from '../src/storage/secrets.ts';
import { T0 } from '../test/crash/world.ts';

// The bench's key: the page token in the database is encrypted with it.
setSecretKey(parseKey(process.env.RN_SECRET_KEY!));
const { values } = parseArgs({ options: { sandbox: { type: 'string' }, schema: { type: 'string' } } });
const storage = await openStorage({
  databaseUrl: process.env.DATABASE_URL,
  schema: values.schema,
  migrate: false,
  poolSize: 6,
});
const graph = new GraphClient({
  baseUrl: values.sandbox!,
  version: 'v23.0',
  rateLimitPerSecond: 1e9,
  connections: 32,
  timeoutMs: 30_000,
});
// The bench world's clock: frozen at T0, like the in-process run's.
const clock = new ManualClock(T0, { frozen: true });
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 100);
// What the dispatcher asked of the store, and how often it went idle: calls per message show idle polling
// and small claims (the CPU a process spends without sending).
const calls: Record<string, number> = { idle: 0, claimedRows: 0, recorded: 0 };
const store = createDispatchStore(storage.db);
for (const [k, fn] of Object.entries(store) as Array<[keyof typeof store, (...a: unknown[]) => unknown]>) {
  calls[k] = 0;
  (store as Record<string, unknown>)[k] = async (...a: unknown[]) => {
    calls[k]!++;
    const r = await fn(...a);
    if (k === 'claimBatch' && r) calls.claimedRows! += (r as { claimed: number }).claimed;
    if (k === 'recordBatch') calls.recorded! += (a[2] as unknown[]).length;
    return r;
  };
}
const dispatcher = startDispatcher(
  {
    store,
    clock,
    channel: graph,
    publicUrl: 'http://svc.test',
    lifecycle: campaignLifecycle({ db: storage.db, clock }),
  },
  {
    concurrency: 2,
    batchSize: 500,
    parallelCalls: 4,
    pollMs: 20,
    materialisePage: 10_000,
    onIdle: () => calls.idle!++,
  },
);
// RN_BENCH_TRACE=1: every second, this process's CPU and messages recorded in that second (stderr).
if (process.env.RN_BENCH_TRACE) {
  let last = { cpu: process.cpuUsage(), n: 0, t: performance.now() };
  setInterval(() => {
    const cpu = process.cpuUsage(last.cpu);
    const n = calls.recorded!;
    const ms = (cpu.user + cpu.system) / 1000;
    if (n > last.n)
      process.stderr.write(
        `trace ${process.pid} t=${(performance.now() / 1000).toFixed(1)} cpu=${ms.toFixed(0)}ms msgs=${n - last.n} µs/msg=${((1000 * ms) / (n - last.n)).toFixed(0)} idle=${calls.idle} active=${calls.activeCampaigns}\n`,
      );
    last = { cpu: process.cpuUsage(), n, t: performance.now() };
  }, 1000).unref();
}
// CPU from here on: the dispatcher's work, not the start-up (module loading, compiling TypeScript).
const cpuAtReady = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.on('SIGTERM', () => {
  clearInterval(sampler);
  void (async () => {
    await dispatcher.stop();
    await graph.close();
    await storage.close();
    const cpu = process.cpuUsage(cpuAtReady);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const threads = threadCpu();
    process.stdout.write(`${JSON.stringify({ peakRssMb: peak / 2 ** 20, cpuSeconds, threads, calls })}\n`);
    process.exit(0);
  })();
});

/** CPU seconds of this process's threads since it started, by thread name (Linux /proc): main, GC, JIT, libuv. */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const t of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(f[11]) + Number(f[12]); // utime + stime
      const key = t === String(process.pid) ? 'main' : name.replace(/\d+$/, '#');
      out[key] = (out[key] ?? 0) + ticks / 100;
    }
  } catch {
    // not Linux: no per-thread figures
  }
  return out;
}
