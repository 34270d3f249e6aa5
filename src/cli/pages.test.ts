// `renotify pages health | disconnect` (issue 12): the operator's page-health round now and the
// operator's disconnect, run as a user runs them (a child process) against the database — PostgreSQL
// when DATABASE_URL is set, else an embedded data directory — and a sandbox of its own (SANDBOX_URL)
// playing Facebook: a page whose Login token was revoked is marked for reconnecting; disconnecting
// unsubscribes the deployment's app from the page at Facebook.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { hasPostgres, openTestStorage } from '../../test/support/backends.ts';
import { cli } from '../../test/support/cli.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import { connectPage } from '../app/page-connections.ts';
import { ManualClock } from '../clock.ts';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { openStorage, type Storage } from '../storage/db.ts';
import { setSecretKey } from '../storage/secrets.ts';

describe(`renotify pages (${hasPostgres() ? 'PostgreSQL' : 'embedded database'})`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'renotify-pages-'));
  const key = randomBytes(32).toString('hex');
  const env: Record<string, string> = { RENOTIFY_DATA_DIR: dir, RENOTIFY_SECRET_KEY: key };
  let pg: Storage | null = null;
  let sandbox: Sandbox | null = null;
  afterAll(async () => {
    await sandbox?.close();
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = async (): Promise<Storage> => {
    if (!hasPostgres()) return openStorage({ dataDir: dir });
    if (!pg) {
      pg = await openTestStorage('postgres');
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(pg.db)).rows[0]!.s;
      Object.assign(env, { DATABASE_URL: process.env.DATABASE_URL!, PGOPTIONS: `-c search_path=${schema}` });
    }
    return { ...pg, close: async () => {} };
  };

  it('health marks a page whose token Facebook revoked; disconnect unsubscribes the app at Facebook', {
    timeout: 300_000,
  }, async () => {
    sandbox = createSandbox({ clock: new ManualClock() });
    const url = await sandbox.listen(0, '127.0.0.1');
    env.SANDBOX_URL = url;
    const login = sandbox.state.login;
    const appId = sandbox.info().appId;
    // A person connected two pages through Login: page tokens issued by the sandbox, app subscribed.
    const ids = ['601000000000001', '601000000000002'];
    for (const id of ids) sandbox.addPage({ id, name: `Trang ${id.slice(-1)}` });
    const person = login.addUser({ name: 'Chủ trang', pages: ids.map((pageId) => ({ pageId })) });
    const scopes = ['pages_show_list', 'pages_messaging', 'pages_manage_metadata'];
    const code = login.approve(person.id, appId, scopes, ids, 'http://x/cb');
    const userToken = login.extend(
      login.app(appId),
      login.redeem(login.app(appId), code.code, 'http://x/cb').token,
    );
    const tokens = ids.map((id) => login.pageTokenFor(userToken, id).token);
    for (const id of ids) login.subscribe(id, appId, ['messages']);

    setSecretKey(Buffer.from(key, 'hex')); // the rows are encrypted with the key the CLI reads
    const storage = await open();
    const { ctx, workspaceId } = await seedWorkspace(storage);
    const rows = [];
    for (const [i, id] of ids.entries())
      rows.push(
        (await connectPage(ctx, workspaceId, { fbPageId: id, name: `Trang ${i}`, accessToken: tokens[i]! }))
          .page,
      );
    await storage.close();

    const healthy = await cli(['pages', 'health', '--json'], env);
    expect(healthy.stderr).toBe('');
    const ok = JSON.parse(healthy.stdout) as { pages: Array<{ pageId: number; ok: boolean }> };
    for (const r of rows) expect(ok.pages.find((p) => p.pageId === r.id)).toMatchObject({ ok: true });

    login.revokePage(ids[1]!, undefined, 460);
    const round = await cli(['pages', 'health'], env);
    expect(round.code).toBe(0);
    expect(round.stdout).toContain(`${rows[0]!.id}\tok\t-`);
    expect(round.stdout).toMatch(new RegExp(`${rows[1]!.id}\\tneeds reconnect\\t.*190`));

    const off = await cli(['pages', 'disconnect', ids[0]!, '--json'], env);
    expect(off.stderr).toBe('');
    expect(JSON.parse(off.stdout)).toEqual({ pageId: rows[0]!.id, workspaceId, unsubscribed: true });
    expect(login.subscribedApps(ids[0]!)).toEqual({});
    expect(Object.keys(login.subscribedApps(ids[1]!))).toEqual([appId]);

    const after = await open();
    const status = await after.db
      .selectFrom('pages')
      .select(['fb_page_id', 'connection_status', 'access_token'])
      .where('fb_page_id', 'in', ids)
      .orderBy('fb_page_id')
      .execute();
    await after.close();
    expect(status.map((s) => [s.connection_status, s.access_token === null])).toEqual([
      ['disconnected', true],
      ['needs_reconnect', false],
    ]);

    // An unknown page: the operator is told, nothing changes; no sandbox process: a clear refusal.
    const unknown = await cli(['pages', 'disconnect', '999999999'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('page_not_found');
    const embedded = await cli(['pages', 'health'], { ...env, SANDBOX_URL: '' });
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toContain('SANDBOX_URL');
  });
});
