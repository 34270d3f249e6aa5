// `renotify worker`: one more worker process (webhook processing, assistant replies, campaign
// dispatch, expiry sweep) beside the service, sharing its PostgreSQL database and queue.
import { loadConfig } from '../config.ts';
import { UsageError } from './client.ts';

/** Why this environment cannot host an extra worker, or null when it can. */
export function workerRefusal(env: NodeJS.ProcessEnv): string | null {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (e) {
    return (e as Error).message;
  }
  if (!config.databaseUrl) {
    return [
      'renotify worker needs PostgreSQL: set DATABASE_URL=postgres://…',
      'The embedded database (PGlite in RENOTIFY_DATA_DIR) can be opened by one process only, and the',
      'service (npm start) already runs a worker inside itself.',
    ].join('\n');
  }
  if (config.mode === 'sandbox') {
    // The sandbox and its clock live inside the service process; a second process would start a
    // sandbox of its own, with other customers and another time.
    return [
      'renotify worker runs against a live page only (FB_PAGE_ACCESS_TOKEN, FB_PAGE_ID, FB_APP_SECRET,',
      'FB_VERIFY_TOKEN). In sandbox mode the Graph API simulator lives inside the service, whose own',
      'worker does the work.',
    ].join('\n');
  }
  return null;
}

export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const refusal = workerRefusal(env);
  if (refusal) throw new UsageError(refusal);
  const { startRuntime } = await import('../runtime.ts');
  const rt = await startRuntime({ config: loadConfig(env), web: false, worker: true });
  console.error(`renotify worker running on PostgreSQL for page ${rt.page.fb_page_id}; Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await rt.close();
}
