// One dispatcher process for bench:campaign `--workers N`: the same dispatcher and options as the
// in-process run, on the bench's PostgreSQL schema, against its sandbox. Prints {"ready":true} once
// started and {"peakRssMb":…,"cpuSeconds":…} when told to stop (SIGTERM), then exits.
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
const dispatcher = startDispatcher(
  {
    store: createDispatchStore(storage.db),
    clock,
    channel: graph,
    publicUrl: 'http://svc.test',
    lifecycle: campaignLifecycle({ db: storage.db, clock }),
  },
  { concurrency: 2, batchSize: 500, parallelCalls: 4, pollMs: 20, materialisePage: 10_000 },
);
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
    process.stdout.write(`${JSON.stringify({ peakRssMb: peak / 2 ** 20, cpuSeconds })}\n`);
    process.exit(0);
  })();
});
