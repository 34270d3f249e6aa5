// `renotify workspaces …`: the operator's view of the shops on this deployment, run on the server
// against the database directly (like `users reset-password`; with the embedded database, stop the
// service first). create → an owner invitation link; list → pages and usage; suspend / resume.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import { type Config, loadConfig } from '../config.ts';
import { isDomainError } from '../domain/errors.ts';
import { ApiError, UsageError } from './client.ts';
import { positiveInt } from './commands.ts';
import type { Printer } from './status.ts';

export async function offline<T>(config: Config, run: (ctx: AppContext) => Promise<T>): Promise<T> {
  if (!config.databaseUrl && !existsSync(path.join(config.dataDir, 'PG_VERSION'))) {
    throw new UsageError(
      `no renotify database in ${config.dataDir}: run this where the service runs, with its ` +
        'RENOTIFY_DATA_DIR or DATABASE_URL (or start the service once)',
    );
  }
  const { withOfflineContext, DataDirLockedError } = await import('../offline.ts');
  return withOfflineContext(config, (ctx) =>
    run(ctx).catch((e: unknown) => {
      throw isDomainError(e) ? new ApiError(400, e.code, e.message) : e;
    }),
  ).catch((e: unknown) => {
    throw e instanceof DataDirLockedError ? new UsageError(e.message) : e;
  });
}

export function workspaceCommands(program: Command, env: NodeJS.ProcessEnv, out: () => Printer) {
  const ws = program
    .command('workspaces')
    .description(
      'the shops on this deployment (operator, on the server itself; reads DATABASE_URL or RENOTIFY_DATA_DIR)',
    );
  ws.command('create')
    .description('create a workspace and print the invitation link its owner signs up with (valid 7 days)')
    .requiredOption('--name <name>', "the shop's name")
    .requiredOption('--owner-email <email>', "the owner's email")
    .action(async (o: { name: string; ownerEmail: string }) => {
      const config = loadConfig(env);
      const { createShopWithInvite } = await import('../app/workspace-admin.ts');
      const r = await offline(config, (ctx) =>
        createShopWithInvite(ctx, { name: o.name, ownerEmail: o.ownerEmail }),
      );
      const link = `${config.publicUrl}/accept-invite?token=${r.inviteToken}`;
      const p = out();
      if (p.json) return p.data({ workspaceId: r.workspaceId, email: r.email, link, expiresAt: r.expiresAt });
      p.line(`workspace ${r.workspaceId} created; send its owner (${r.email}) this link:`);
      p.line(`  ${link}`);
      p.line(`(valid until ${r.expiresAt.toISOString()}; the owner then connects the shop's pages)`);
    });
  ws.command('list')
    .description('every workspace: pages, customers, messages sent in the last 30 days, suspended or not')
    .action(async () => {
      const config = loadConfig(env);
      const { listShops } = await import('../app/workspace-admin.ts');
      const rows = await offline(config, (ctx) => listShops(ctx));
      const p = out();
      if (p.json) return p.data({ workspaces: rows });
      p.line('id\tstatus\tpages\tcustomers\tsent 30d\tname');
      for (const w of rows) {
        const pages = w.pages.map((pg) => `${pg.fbPageId}${pg.connected ? '' : ' (disconnected)'}`);
        p.line(
          [
            w.id,
            w.suspendedAt ? 'suspended' : 'active',
            pages.length ? pages.join(',') : '-',
            w.customers,
            w.messagesSent,
            w.name,
          ].join('\t'),
        );
      }
    });
  for (const [verb, suspended] of [
    ['suspend', true],
    ['resume', false],
  ] as const) {
    ws.command(`${verb} <id>`)
      .description(
        suspended
          ? 'suspend a workspace: members cannot sign in, its pages stop sending, its webhooks are dropped'
          : 'resume a suspended workspace',
      )
      .action(async (id: string) => {
        const config = loadConfig(env);
        const { setShopSuspended } = await import('../app/workspace-admin.ts');
        const r = await offline(config, (ctx) => setShopSuspended(ctx, positiveInt(id), suspended));
        const p = out();
        if (p.json) return p.data(r);
        p.line(`workspace ${r.workspaceId} ${suspended ? 'suspended' : 'resumed'}`);
      });
  }
}
