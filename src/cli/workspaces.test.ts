// `renotify workspaces create | list | suspend | resume` (issue 12.2): the operator's commands, run as a
// user runs them (a child process): against a PostgreSQL schema when DATABASE_URL is set (each command
// opens the database; an embedded one takes ~30 s a time on a loaded machine), else an embedded data
// directory the service is not holding.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { hasPostgres, openTestStorage } from '../../test/support/backends.ts';
import { cli } from '../../test/support/cli.ts';
import { seedCustomer, seedWorkspace } from '../../test/support/factories.ts';
import { acceptInvite, signIn } from '../app/accounts.ts';
import { openStorage, type Storage } from '../storage/db.ts';

describe(`renotify workspaces (${hasPostgres() ? 'PostgreSQL' : 'embedded database'})`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'renotify-ws-'));
  const env: Record<string, string> = {
    RENOTIFY_DATA_DIR: dir,
    RENOTIFY_PUBLIC_URL: 'https://shops.example',
  };
  let pg: Storage | null = null;
  afterAll(async () => {
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  /** The test's own connection: the PostgreSQL schema kept open, or the data directory while free. */
  const open = async (): Promise<Storage> => {
    if (!hasPostgres()) return openStorage({ dataDir: dir });
    if (!pg) {
      pg = await openTestStorage('postgres');
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(pg.db)).rows[0]!.s;
      Object.assign(env, { DATABASE_URL: process.env.DATABASE_URL!, PGOPTIONS: `-c search_path=${schema}` });
    }
    return { ...pg, close: async () => {} };
  };

  it('create prints an owner invitation link; list shows pages and usage; suspend and resume', {
    timeout: 300_000,
  }, async () => {
    const storage = await open();
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    await seedCustomer(ctx, { workspaceId, pageId: page.id });
    await storage.close();

    const created = await cli(
      ['workspaces', 'create', '--name', 'Tiệm Hoa', '--owner-email', 'Hoa@Shop.example', '--json'],
      env,
    );
    expect(created.stderr).toBe('');
    const made = JSON.parse(created.stdout) as { workspaceId: number; email: string; link: string };
    expect(made.email).toBe('hoa@shop.example');
    expect(made.link).toMatch(/^https:\/\/shops\.example\/accept-invite\?token=[\w-]+$/);

    const listed = await cli(['workspaces', 'list'], env);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toBe('id\tstatus\tpages\tcustomers\tsent 30d\tname');
    expect(lines.find((l) => l.startsWith(`${workspaceId}\t`))).toMatch(
      new RegExp(`^${workspaceId}\tactive\t${page.fb_page_id}\t1\t0\tShop \\d+$`),
    );
    expect(lines).toContain(`${made.workspaceId}\tactive\t-\t0\t0\tTiệm Hoa`);

    const suspended = await cli(['workspaces', 'suspend', String(made.workspaceId)], env);
    expect(suspended.stdout).toMatch(`workspace ${made.workspaceId} suspended`);
    expect((await cli(['workspaces', 'list', '--json'], env)).stdout).toMatch(/"suspendedAt": "20/);

    // The owner accepts the link, but cannot sign in while the shop is suspended; after resume they can.
    const again = await open();
    try {
      const token = new URL(made.link).searchParams.get('token')!;
      const ctx2 = { ...ctx, db: again.db };
      await acceptInvite(ctx2, { token, name: 'Hoa', password: 'a long password' });
      await expect(signIn(ctx2, 'hoa@shop.example', 'a long password')).rejects.toMatchObject({
        code: 'workspace_suspended',
      });
    } finally {
      await again.close();
    }
    expect((await cli(['workspaces', 'resume', String(made.workspaceId)], env)).code).toBe(0);
    const third = await open();
    try {
      expect(await signIn({ ...ctx, db: third.db }, 'hoa@shop.example', 'a long password')).not.toBeNull();
    } finally {
      await third.close();
    }

    const missing = await cli(['workspaces', 'suspend', '999999'], env);
    expect([missing.code, /workspace_not_found/.test(missing.stderr)]).toEqual([1, true]);
  });
});
