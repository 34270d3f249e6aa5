// Offline admin commands (`npx renotify users reset-password`) run where the service runs, without it:
// open its database the way runtime.ts does (the data-directory lock refuses while the service holds it)
// and hand a use-case its context. The CLI reaches storage only through here.
import type { AppContext } from './app/context.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { openStorage } from './storage/db.ts';

export { DataDirLockedError } from './storage/data-dir-lock.ts';

export async function withOfflineContext<T>(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  run: (ctx: AppContext) => Promise<T>,
): Promise<T> {
  const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await run({ db: storage.db, clock: systemClock });
  } finally {
    await storage.close();
  }
}
