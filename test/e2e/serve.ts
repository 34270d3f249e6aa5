// A renotify process for the durability test: the real runtime (service + sandbox, worker on or off by
// E2E_WORKER) over a PGlite data directory (RENOTIFY_DATA_DIR) or a PostgreSQL schema (DATABASE_URL +
// E2E_SCHEMA). Prints one JSON line {url} when it listens; SIGTERM closes it cleanly.
import { loadConfig } from '../../src/config.ts';
import { startRuntime } from '../../src/runtime.ts';
import { openStorage } from '../../src/storage/db.ts';

const config = { ...loadConfig(process.env), port: 0, sandboxPort: 0, host: '127.0.0.1' };
const storage = await openStorage(
  config.databaseUrl
    ? { databaseUrl: config.databaseUrl, schema: process.env.E2E_SCHEMA }
    : { dataDir: config.dataDir },
);
const rt = await startRuntime({
  config,
  storage,
  worker: process.env.E2E_WORKER !== '0',
  queueSchema: process.env.E2E_QUEUE_SCHEMA ?? 'pgboss',
});
console.log(JSON.stringify({ url: rt.url, fbPageId: rt.page.fb_page_id }));

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void rt
    .close()
    .then(() => storage.close())
    .finally(() => process.exit(0));
});

// Memory tests (started with --expose-gc): SIGUSR2 collects garbage and prints the resident set.
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  console.log(JSON.stringify({ rss: process.memoryUsage().rss }));
});
