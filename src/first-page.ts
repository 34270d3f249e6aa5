// The installation's first page at start (the demo's, a remote sandbox's, or the live single-page
// shortcut's), made or kept up to date by the same use-cases as the console's flow. runtime.ts calls it.
import type { AppContext } from './app/context.ts';
import { connectPage } from './app/page-connections.ts';
import type { Config } from './config.ts';
import { embeddedDemoSandbox, remoteDemoSandbox, seedDemo } from './demo.ts';
import type { Sandbox, SandboxClient, SandboxInfo } from './sandbox/index.ts';
import * as pages from './storage/pages.ts';
import type { PageRow } from './storage/schema.ts';

/**
 * The installation's first page, made or kept up to date at start: in sandbox mode the demo (the
 * embedded sandbox's, seeded; a remote sandbox's page, connected); in live mode the single-page
 * shortcut (FB_PAGE_ID + FB_PAGE_ACCESS_TOKEN), connected through the same code as the console's flow.
 * Null when there is no page yet (live mode with only the Meta app configured).
 */
export async function ensureFirstPage(
  ctx: AppContext,
  config: Config,
  sandbox: Sandbox | null,
  remoteSandbox: { info: SandboxInfo; client: SandboxClient } | null,
): Promise<{ workspaceId: number; page: PageRow } | null> {
  const remote = remoteSandbox?.info ?? null;
  if (
    remoteSandbox &&
    !(await pages.findPageByFbId(ctx.db, remoteSandbox.info.pageId)) &&
    !(await pages.firstPage(ctx.db))
  ) {
    // An empty database beside a sandbox of its own process: the same demo as plain `npm start`, once.
    const seeded = await seedDemo(
      ctx,
      remoteDemoSandbox(remoteSandbox.client),
      remoteSandbox.info.profile as PageRow['profile'],
    );
    return { workspaceId: seeded.workspaceId, page: seeded.page };
  }
  const shortcut =
    config.mode === 'live' && config.page.fbPageId && config.page.accessToken
      ? { fbPageId: config.page.fbPageId, accessToken: config.page.accessToken }
      : remote && { fbPageId: remote.pageId, accessToken: remote.pageAccessToken };
  if (shortcut) {
    const held = await pages.findPageByFbId(ctx.db, shortcut.fbPageId);
    if (held) {
      // An upgrade or a restart: the page keeps its workspace, history and console settings; it gets
      // the configured token and the deployment's app secret (its own stored secret is cleared).
      const { page } = await connectPage(ctx, held.workspace_id, {
        fbPageId: shortcut.fbPageId,
        name: held.name,
        accessToken: shortcut.accessToken,
      });
      return { workspaceId: held.workspace_id, page };
    }
    const first = await pages.firstPage(ctx.db);
    const workspaceId =
      first?.workspace_id ??
      (await pages.insertWorkspace(ctx.db, remote ? 'Cửa hàng demo' : 'My shop', ctx.clock.now()));
    const { page } = await connectPage(ctx, workspaceId, {
      fbPageId: shortcut.fbPageId,
      name: remote?.pageName ?? 'Facebook Page',
      accessToken: shortcut.accessToken,
      profile: remote ? (remote.profile as PageRow['profile']) : config.page.profile,
      timeZone: remote?.timeZone ?? config.page.timeZone,
      region: remote ? remote.region : (config.page.region ?? null),
    });
    return { workspaceId, page };
  }
  const existing = await pages.firstPage(ctx.db);
  if (existing) return { workspaceId: existing.workspace_id, page: existing };
  if (sandbox) {
    const seeded = await seedDemo(
      ctx,
      embeddedDemoSandbox(sandbox, () => ctx.clock.now()),
      config.page.profile,
    );
    return { workspaceId: seeded.workspaceId, page: seeded.page };
  }
  return null;
}
