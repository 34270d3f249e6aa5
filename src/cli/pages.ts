// `renotify pages …`: the operator's doors to every shop's pages, on the server against the database
// (like `workspaces`; with the embedded database stop the service first) and the deployment's Meta app:
// `health` runs a page-health round now (the `page-health` job's work, app/page-connections.ts
// `checkPageHealth`); `disconnect` unsubscribes the app from a page and disconnects it, as the console does.
import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import type { FacebookApp } from '../app/facebook-connect.ts';
import { loadConfig } from '../config.ts';
import { UsageError } from './client.ts';
import type { Printer } from './status.ts';
import { offline } from './workspaces.ts';

export function pageCommands(program: Command, env: NodeJS.ProcessEnv, out: () => Printer) {
  const pg = program
    .command('pages')
    .description(
      "every shop's pages (operator, on the server itself; reads DATABASE_URL or RENOTIFY_DATA_DIR and the Meta app)",
    );
  const withApp = async <T>(run: (ctx: AppContext, app: FacebookApp) => Promise<T>): Promise<T> => {
    const config = loadConfig(env);
    const { facebookRefusal, operatorFacebookApp } = await import('../offline.ts');
    const refusal = facebookRefusal(config);
    if (refusal) throw new UsageError(refusal);
    const app = await operatorFacebookApp(config);
    // offline() checks the data directory and turns domain errors and a held lock into clear messages.
    return offline(config, (ctx) => run(ctx, app));
  };

  pg.command('health')
    .description(
      "check every connected page's token and permissions now (debug_token); a page that fails needs reconnecting",
    )
    .action(async () => {
      const { checkPageHealth } = await import('../app/page-connections.ts');
      const rows = await withApp((ctx, app) => checkPageHealth(ctx, app));
      const p = out();
      if (p.json) return p.data({ pages: rows });
      if (rows.length === 0) return p.line('no connected page');
      p.line('page\tstatus\treason');
      for (const r of rows) p.line([r.pageId, r.ok ? 'ok' : 'needs reconnect', r.reason ?? '-'].join('\t'));
      const bad = rows.filter((r) => !r.ok).length;
      p.line(`${rows.length} checked, ${bad} need reconnecting`);
    });

  pg.command('disconnect <fbPageId>')
    .description("unsubscribe the app from a page (Facebook's page id) and disconnect it; its history stays")
    .action(async (fbPageId: string) => {
      const { disconnectPageByFbId } = await import('../app/page-connections.ts');
      const r = await withApp((ctx, app) => disconnectPageByFbId(ctx, fbPageId, app));
      const p = out();
      if (p.json)
        return p.data({ pageId: r.page.id, workspaceId: r.page.workspace_id, unsubscribed: r.unsubscribed });
      p.line(
        `page ${fbPageId} (workspace ${r.page.workspace_id}) disconnected; ` +
          (r.unsubscribed
            ? 'the app is unsubscribed from its webhooks'
            : 'Facebook refused the unsubscribe (dead token)'),
      );
    });
}
