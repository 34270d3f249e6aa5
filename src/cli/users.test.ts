// `renotify users reset-password`: on the server, against the database directly. With the embedded
// database it refuses while another process has it open (the service), and says so; once that process
// is gone it gives a new password once and ends the user's sessions.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { cli } from '../../test/support/cli.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import { addMember, createUser, signIn } from '../app/accounts.ts';
import type { AppContext } from '../app/context.ts';
import { resetPassword } from '../app/password-reset.ts';
import { isDomainError } from '../domain/errors.ts';
import { LOCK_FILE } from '../storage/data-dir-lock.ts';
import { openStorage, type Storage } from '../storage/db.ts';

const OLD = 'old password 123';

async function owner(storage: Storage, email: string) {
  const { ctx, workspaceId } = await seedWorkspace(storage);
  const user = await createUser(ctx, { email, name: 'Owner', password: OLD });
  await addMember(ctx, workspaceId, user.id, 'owner');
  expect(await signIn(ctx, email, OLD)).not.toBeNull();
  expect(await signIn(ctx, email, OLD)).not.toBeNull();
  return { ctx, workspaceId, userId: user.id };
}

const sessions = (ctx: AppContext, userId: number) =>
  ctx.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute();

describe.each(BACKENDS)('password reset on %s', (backend) => {
  it('a new password, shown once and stored hashed; every session ends; the audit log records it', async () => {
    const storage = await openTestStorage(backend);
    try {
      const { ctx, workspaceId, userId } = await owner(storage, 'Lost@Shop.test');
      const r = await resetPassword(ctx, ' lost@shop.test ');
      expect(r).toMatchObject({ userId, email: 'lost@shop.test', sessionsEnded: 2 });
      expect(await sessions(ctx, userId)).toHaveLength(0);
      expect(await signIn(ctx, 'lost@shop.test', OLD)).toBeNull();
      expect(await signIn(ctx, 'lost@shop.test', r.password)).not.toBeNull();
      const hash = await ctx.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', userId)
        .execute();
      expect(hash[0]!.password_hash).not.toContain(r.password);
      const audit = await ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .execute();
      expect(audit).toMatchObject([{ action_key: 'user.password_reset', target_name: 'lost@shop.test' }]);
      const unknown = await resetPassword(ctx, 'nobody@shop.test').catch((e) => e);
      expect(isDomainError(unknown, 'validation_failed')).toBe(true);
    } finally {
      await storage.close();
    }
  });
});

describe('renotify users reset-password (embedded database)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'renotify-reset-'));
  const env = { RENOTIFY_DATA_DIR: dir };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses while the service holds the database, naming the process; works once it stopped', async () => {
    // This test process plays the running service: it has the data directory open.
    const storage = await openStorage({ dataDir: dir });
    const { ctx, userId } = await owner(storage, 'owner@shop.test');
    const busy = await cli(['users', 'reset-password', '--email', 'owner@shop.test'], env);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`in use by process ${process.pid}.*stop that process first`, 's'));
    expect(await sessions(ctx, userId)).toHaveLength(2);
    expect(await signIn(ctx, 'owner@shop.test', OLD)).not.toBeNull();
    await storage.close();
    // A lock left by a process that is gone (killed, crashed) is taken over.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: gone, host: hostname(), start: null, since: '2026-01-01T00:00:00Z' }),
    );

    const done = await cli(['users', 'reset-password', '--email', 'owner@shop.test'], env);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const password = /new password for owner@shop\.test: (\S+)/.exec(done.stdout)?.[1];
    expect(password).toBeDefined();
    expect(done.stdout).toMatch(/3 session\(s\) ended/);

    const again = await openStorage({ dataDir: dir });
    try {
      const after = { ...ctx, db: again.db };
      expect(await sessions(after, userId)).toHaveLength(0);
      expect(await signIn(after, 'owner@shop.test', OLD)).toBeNull();
      expect(await signIn(after, 'owner@shop.test', password!)).not.toBeNull();
    } finally {
      await again.close();
    }
    const unknown = await cli(['users', 'reset-password', '--email', 'nobody@shop.test'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No user with the email nobody@shop\.test/);
  });

  it('no database where it looks is a usage error that says where it looked', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'renotify-none-'));
    const none = await cli(['users', 'reset-password', '--email', 'a@b.c'], { RENOTIFY_DATA_DIR: empty });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(new RegExp(`no renotify database in ${empty}`));
    rmSync(empty, { recursive: true, force: true });
  });
});
