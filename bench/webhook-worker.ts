// A worker process for bench:webhooks --workers N: webhook processing only (no HTTP), on the bench's
// PostgreSQL schema and queue, with the service's secret key (the stored events are encrypted with it).
//   tsx bench/webhook-worker.ts <schema> <queueSchema>   (DATABASE_URL, RENOTIFY_SECRET_KEY from the env)
import { loadConfig } from '../src/config.ts';
import { startRuntime } from '../src/runtime.ts';
import { openStorage } from '../src/storage/db.ts';

const [schema, queueSchema] = process.argv.slice(2);
const storage = await openStorage({ databaseUrl: process.env.DATABASE_URL!, schema: schema!, poolSize: 8 });
const rt = await startRuntime({
  config: {
    ...loadConfig({}),
    port: 0,
    sandboxPort: 0,
    host: '127.0.0.1',
    secretKey: process.env.RENOTIFY_SECRET_KEY,
  },
  storage,
  queueSchema: queueSchema!,
  web: false,
  worker: true,
});
console.log('ready');
process.once('SIGTERM', () => {
  void rt.close().finally(() => storage.close().finally(() => process.exit(0)));
});
