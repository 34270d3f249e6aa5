// A dispatcher worker process for the crash test: the same startDispatcher a `renotify worker` runs,
// pointed at the test's database and sandbox by environment variables. The test kills it with SIGKILL
// at random moments and starts it again. With RN_EXIT_WHEN_IDLE it exits 0 once no campaign is left
// active (so a PGlite data directory is only ever open in one process at a time).

import { campaignLifecycle } from '../../src/app/campaigns.ts';
import { GraphClient } from '../../src/channel/graph-client.ts';
import { ManualClock } from '../../src/clock.ts';
import { startDispatcher } from '../../src/dispatcher/dispatcher.ts';
import { activeCampaigns } from '../../src/storage/campaigns.ts';
import { openStorage } from '../../src/storage/db.ts';
import { createDispatchStore } from '../../src/storage/dispatch-store.ts';
import { parseKey, setSecretKey } from '../../src/storage/secrets.ts';

const env = process.env;
setSecretKey(parseKey(env.RN_SECRET_KEY!));
const storage = await openStorage(
  env.RN_PGLITE_DIR
    ? { dataDir: env.RN_PGLITE_DIR, migrate: false }
    : { databaseUrl: env.RN_DATABASE_URL!, schema: env.RN_SCHEMA, migrate: false, poolSize: 6 },
);
const clock = new ManualClock(new Date(env.RN_CLOCK_AT!), { frozen: true });
const graph = new GraphClient({
  baseUrl: env.RN_GRAPH_URL!,
  version: 'v23.0',
  rateLimitPerSecond: Number(env.RN_RATE ?? 2000),
  timeoutMs: 2000,
  backoff: { baseMs: 5, maxMs: 50 },
});
const dispatcher = startDispatcher(
  {
    store: createDispatchStore(storage.db),
    clock,
    channel: graph,
    publicUrl: 'http://svc.test',
    lifecycle: campaignLifecycle({ db: storage.db, clock }),
  },
  {
    concurrency: Number(env.RN_CONCURRENCY ?? 2),
    batchSize: Number(env.RN_BATCH ?? 200),
    leaseMs: Number(env.RN_LEASE_MS ?? 3000),
    pollMs: 50,
  },
);

async function shutdown(code: number) {
  await dispatcher.stop();
  await graph.close();
  await storage.close();
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));

if (env.RN_EXIT_WHEN_IDLE) {
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    if ((await activeCampaigns(storage.db, clock.now())).length === 0) await shutdown(0);
  }
}
