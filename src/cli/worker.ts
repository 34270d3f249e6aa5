// `renotify worker`: one more worker process (webhook processing, assistant replies, campaign
// dispatch, expiry sweep) beside the service, sharing its PostgreSQL database and queue, for every
// page of every workspace; in sandbox mode against a sandbox running as its own process (SANDBOX_URL).
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
  if (config.mode === 'sandbox' && !config.sandboxUrl) {
    // A sandbox inside the service cannot be shared: a second process would start a sandbox of its
    // own, with other customers and another time. Run it as its own process and point both at it.
    return [
      'renotify worker in sandbox mode needs the sandbox as its own process: start it with',
      '`renotify sandbox` (or `npm run sandbox`), then set SANDBOX_URL=http://127.0.0.1:3001 for the',
      'service and every worker. On a live deployment set FB_APP_ID, FB_APP_SECRET and FB_VERIFY_TOKEN.',
    ].join('\n');
  }
  return null;
}

export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const refusal = workerRefusal(env);
  if (refusal) throw new UsageError(refusal);
  const { startRuntime } = await import('../runtime.ts');
  const config = loadConfig(env);
  const rt = await startRuntime({ config, web: false, worker: true });
  // One fleet for every page of every workspace: the worker serves whatever the shared queue holds.
  console.error(
    `renotify worker running on PostgreSQL for every page (${config.mode} mode); Ctrl-C stops it`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await rt.close();
}

/** `renotify sandbox`: the sandbox alone, until Ctrl-C. */
export async function runSandbox(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env);
  if (config.mode !== 'sandbox')
    throw new UsageError('renotify sandbox is for sandbox mode (no FB_APP_ID set)');
  const { startSandboxProcess } = await import('../sandbox-process.ts');
  const { sandbox, url } = await startSandboxProcess(config);
  const info = sandbox.info();
  console.error(
    [
      `renotify sandbox running at ${url} (state in ${config.dataDir}); Ctrl-C stops it`,
      `  start the service and workers with SANDBOX_URL=${url}`,
      `  page id ${info.pageId}   app secret ${info.appSecret}   verify token ${info.verifyToken}`,
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sandbox.close();
}
