// Offline admin commands (`npx renotify users reset-password`, `workspaces …`, `pages …`) run where the
// service runs, without it: open its database the way runtime.ts does (the data-directory lock refuses
// while the service holds it) and hand a use-case its context. The CLI reaches storage only through here.
import type { AppContext } from './app/context.ts';
import type { FacebookApp } from './app/facebook-connect.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { facebookAppFor } from './facebook-app.ts';
import { SandboxClient } from './sandbox/index.ts';
import { openStorage } from './storage/db.ts';
import { loadOrCreateKey, setSecretKey } from './storage/secrets.ts';

export { DataDirLockedError } from './storage/data-dir-lock.ts';

export async function withOfflineContext<T>(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'preparedStatements'>,
  run: (ctx: AppContext) => Promise<T>,
): Promise<T> {
  const storage = await openStorage({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    prepare: config.preparedStatements,
  });
  try {
    return await run({ db: storage.db, clock: systemClock });
  } finally {
    await storage.close();
  }
}

/** Why the operator's commands that call Facebook cannot run here, or null when they can. */
export function facebookRefusal(config: Config): string | null {
  if (config.mode === 'sandbox' && !config.sandboxUrl)
    return (
      'the embedded sandbox runs inside `npm start` only: run the sandbox as its own process ' +
      '(`renotify sandbox`) and set SANDBOX_URL, or use the console'
    );
  if (config.mode === 'live' && !config.facebookLogin.appId)
    return 'no Meta app is configured: set FB_APP_ID and FB_APP_SECRET';
  return null;
}

/**
 * The deployment's Meta app (the one pages were connected through) and the secret key the stored page
 * tokens are encrypted with, for offline commands that call Facebook (health round, disconnect).
 */
export async function operatorFacebookApp(config: Config): Promise<FacebookApp> {
  const refusal = facebookRefusal(config);
  if (refusal) throw new Error(refusal);
  const sandbox = config.sandboxUrl ? await new SandboxClient(config.sandboxUrl).info() : null;
  const app = facebookAppFor(config, config.sandboxUrl ?? null, sandbox);
  if (!app) throw new Error('no Meta app is configured: set FB_APP_ID and FB_APP_SECRET');
  setSecretKey(await loadOrCreateKey({ key: config.secretKey, file: config.secretKeyFile }));
  return app;
}
