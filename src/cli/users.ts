// `renotify users reset-password --email …`: run on the server, against the database directly (not
// through the API: whoever lost the owner password cannot sign in to call it). The embedded database
// can be open in one process only, so with PGlite the service must be stopped first; with PostgreSQL it
// may keep running.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { isDomainError } from '../domain/errors.ts';
import { ApiError, UsageError } from './client.ts';
import type { Printer } from './status.ts';

export function userCommands(program: Command, env: NodeJS.ProcessEnv, out: () => Printer) {
  const users = program.command('users').description('user accounts, on the server itself');
  users
    .command('reset-password')
    .description(
      'give a user a new password (printed once) and sign them out everywhere; reads DATABASE_URL or ' +
        'RENOTIFY_DATA_DIR like the service; with the embedded database, stop the service first',
    )
    .requiredOption('--email <email>', "the user's email")
    .action(async (o: { email: string }) => {
      const config = loadConfig(env);
      if (!config.databaseUrl && !existsSync(path.join(config.dataDir, 'PG_VERSION'))) {
        throw new UsageError(
          `no renotify database in ${config.dataDir}: run this where the service runs, with its ` +
            'RENOTIFY_DATA_DIR or DATABASE_URL',
        );
      }
      const [{ withOfflineContext, DataDirLockedError }, { resetPassword }] = await Promise.all([
        import('../offline.ts'),
        import('../app/password-reset.ts'),
      ]);
      const r = await withOfflineContext(config, (ctx) =>
        resetPassword(ctx, o.email).catch((e: unknown) => {
          throw isDomainError(e) ? new ApiError(400, e.code, e.message) : e;
        }),
      ).catch((e: unknown) => {
        throw e instanceof DataDirLockedError ? new UsageError(e.message) : e;
      });
      const p = out();
      if (p.json) return p.data(r);
      p.line(`new password for ${r.email}: ${r.password}`);
      p.line(`(shown once; ${r.sessionsEnded} session(s) ended; sign in and change it in the console)`);
    });
}
