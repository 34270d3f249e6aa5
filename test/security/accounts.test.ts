// Issue 6: accounts, sessions, roles, API keys, invitations, audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../src/http/audit-actions.ts';
import { boot, call, signInAs, type Tenant, tenant } from './harness.ts';

describe('accounts and roles', () => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  let a: Tenant;

  beforeAll(async () => {
    env = await boot();
    base = env.rt.url!;
    a = await tenant(env.rt, {
      workspaceId: env.rt.workspaceId,
      pageId: env.rt.page.id,
      fbPageId: env.rt.page.fb_page_id,
    });
  });
  afterAll(async () => env?.close());

  it('the first start creates the owner of the demo workspace with a one-time printed password', async () => {
    const first = env.rt.firstOwner!;
    expect(first.email).toMatch(/@/);
    expect(first.password.length).toBeGreaterThanOrEqual(12);
    const owner = await signInAs(base, first.email, first.password);
    const me = await call(base, 'GET', '/api/auth/me', owner);
    expect(me.body).toMatchObject({ role: 'owner', workspaceId: env.rt.workspaceId });
    const row = await env.rt.storage.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', first.email)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(first.password);
  });

  it('the session cookie is HTTP-only and same-site; sign-out ends it', async () => {
    const res = await call(
      base,
      'POST',
      '/api/auth/sign-in',
      {},
      { email: env.rt.firstOwner!.email, password: env.rt.firstOwner!.password },
    );
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const who = { cookie: cookie.split(';')[0]!, csrf: res.body.csrfToken };
    expect((await call(base, 'GET', '/api/auth/me', who)).status).toBe(200);
    expect((await call(base, 'POST', '/api/auth/sign-out', who)).status).toBe(204);
    expect((await call(base, 'GET', '/api/auth/me', who)).status).toBe(401);
  });

  it('wrong credentials and no credentials are refused', async () => {
    expect(
      (
        await call(
          base,
          'POST',
          '/api/auth/sign-in',
          {},
          { email: env.rt.firstOwner!.email, password: 'wrong-password!' },
        )
      ).body.error.code,
    ).toBe('invalid_credentials');
    expect((await call(base, 'GET', `/api/pages/${a.pageId}/topics`)).status).toBe(401);
    expect(
      (await call(base, 'GET', `/api/pages/${a.pageId}/topics`, { apiKey: 'rk_not-a-key' })).status,
    ).toBe(401);
  });

  it('CSRF: a cookie-authenticated write without the token is refused and changes nothing', async () => {
    const before = await call(base, 'GET', `/api/pages/${a.pageId}/topics`, a.admin);
    const noToken = await call(
      base,
      'POST',
      `/api/pages/${a.pageId}/topics`,
      { cookie: a.admin.cookie },
      { name: 'csrf', kind: 'one_time', title: 'x' },
    );
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('csrf_failed');
    const wrong = await call(
      base,
      'POST',
      `/api/pages/${a.pageId}/topics`,
      { cookie: a.admin.cookie, csrf: 'nope' },
      { name: 'csrf', kind: 'one_time', title: 'x' },
    );
    expect(wrong.status).toBe(403);
    const after = await call(base, 'GET', `/api/pages/${a.pageId}/topics`, a.admin);
    expect(after.body.topics).toHaveLength(before.body.topics.length);
    const ok = await call(base, 'POST', `/api/pages/${a.pageId}/topics`, a.admin, {
      name: 'csrf ok',
      kind: 'one_time',
      title: 'x',
    });
    expect(ok.status).toBe(201);
  });

  it('an agent cannot create topics or campaigns or read settings, but works the inbox', async () => {
    expect(
      (
        await call(base, 'POST', `/api/pages/${a.pageId}/topics`, a.agent, {
          name: 'nope',
          kind: 'one_time',
          title: 'x',
        })
      ).status,
    ).toBe(403);
    const campaign = await call(base, 'POST', `/api/pages/${a.pageId}/campaigns`, a.agent, {});
    expect(campaign.status).toBe(403);
    expect((await call(base, 'GET', `/api/pages/${a.pageId}`, a.agent)).status).toBe(403);
    expect((await call(base, 'PATCH', `/api/pages/${a.pageId}`, a.agent, { timeZone: 'UTC' })).status).toBe(
      403,
    );
    expect((await call(base, 'GET', `/api/pages/${a.pageId}/notice`, a.agent)).status).toBe(403);
    expect((await call(base, 'GET', `/api/customers/${a.customerId}`, a.agent)).status).toBe(200);
    const reply = await call(base, 'POST', `/api/customers/${a.customerId}/messages`, a.agent, {
      text: 'Chào bạn',
    });
    expect(reply.status).not.toBe(403);
  });

  it('an admin cannot manage users or API keys or read the audit log; an owner can', async () => {
    expect((await call(base, 'GET', '/api/users', a.admin)).status).toBe(403);
    expect(
      (await call(base, 'POST', '/api/users/invites', a.admin, { email: 'x@shop.test', role: 'agent' }))
        .status,
    ).toBe(403);
    expect((await call(base, 'POST', '/api/api-keys', a.admin, { name: 'k' })).status).toBe(403);
    expect((await call(base, 'GET', '/api/audit', a.admin)).status).toBe(403);
    expect((await call(base, 'GET', '/api/users', a.owner)).status).toBe(200);
  });

  it('API keys are shown once, stored hashed, and revocable', async () => {
    const created = await call(base, 'POST', '/api/api-keys', a.owner, {
      name: 'shop integration',
      role: 'admin',
    });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^rk_/);
    const rows = await env.rt.storage.db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(key);
    const list = await call(base, 'GET', '/api/api-keys', a.owner);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect((await call(base, 'GET', `/api/pages/${a.pageId}/topics`, { apiKey: key })).status).toBe(200);
    expect((await call(base, 'DELETE', `/api/api-keys/${created.body.id}`, a.owner)).status).toBe(204);
    expect((await call(base, 'GET', `/api/pages/${a.pageId}/topics`, { apiKey: key })).status).toBe(401);
  });

  it('an invited user joins with the invited role', async () => {
    const inv = await call(base, 'POST', '/api/users/invites', a.owner, {
      email: 'new.agent@shop.test',
      role: 'agent',
    });
    expect(inv.status).toBe(201);
    const accepted = await call(
      base,
      'POST',
      '/api/auth/invites/accept',
      {},
      { token: inv.body.token, name: 'New Agent', password: 'a-long-password-1' },
    );
    expect(accepted.status).toBe(201);
    const who = await signInAs(base, 'new.agent@shop.test', 'a-long-password-1');
    expect((await call(base, 'GET', '/api/auth/me', who)).body.role).toBe('agent');
    const again = await call(
      base,
      'POST',
      '/api/auth/invites/accept',
      {},
      { token: inv.body.token, password: 'a-long-password-1' },
    );
    expect(again.status).toBe(400);
  });

  it('a password change keeps this session, ends the others, and the new password works', async () => {
    await call(base, 'POST', '/api/users/invites', a.owner, {
      email: 'pw.user@shop.test',
      role: 'agent',
    }).then((r) =>
      call(
        base,
        'POST',
        '/api/auth/invites/accept',
        {},
        { token: r.body.token, password: 'first-password-1' },
      ),
    );
    const s1 = await signInAs(base, 'pw.user@shop.test', 'first-password-1');
    const s2 = await signInAs(base, 'pw.user@shop.test', 'first-password-1');
    expect(
      (
        await call(base, 'POST', '/api/auth/password', s1, {
          current: 'wrong-one-here',
          next: 'second-password-2',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(base, 'POST', '/api/auth/password', s1, {
          current: 'first-password-1',
          next: 'second-password-2',
        })
      ).status,
    ).toBe(204);
    expect((await call(base, 'GET', '/api/auth/me', s1)).status).toBe(200);
    expect((await call(base, 'GET', '/api/auth/me', s2)).status).toBe(401);
    await signInAs(base, 'pw.user@shop.test', 'second-password-2');
  });

  it('admin actions are in the audit log (who, what, when), visible to owners and exportable as CSV', async () => {
    const t = await call(base, 'POST', `/api/pages/${a.pageId}/topics`, a.admin, {
      name: 'Audited topic',
      kind: 'one_time',
      title: 'Audit me',
    });
    expect(t.status).toBe(201);
    const log = await call(base, 'GET', '/api/audit', a.owner);
    const entry = log.body.entries.find(
      (e: { action: string }) => e.action === 'POST /api/pages/:pageId/topics',
    );
    expect(entry).toMatchObject({
      actor: expect.stringMatching(/^user:admin-/),
      status: 201,
      action_key: 'topic.create',
      target_name: 'Audited topic',
    });
    expect(new Date(entry.at).getTime()).toBeGreaterThan(0);
    const csv = await call(base, 'GET', '/api/audit?format=csv', a.owner);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(String(csv.body)).toContain('POST /api/pages/:pageId/topics');
  });

  it('audit: every audited route has a readable action key', () => {
    const audited = env.rt
      .server!.apiRoutes.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method))
      .filter((r) => r.role === 'admin' || r.role === 'owner')
      .map((r) => `${r.method} ${r.url}`);
    expect(audited.length).toBeGreaterThan(15);
    expect(audited.filter((r) => !AUDIT_ACTIONS[r])).toEqual([]);
  });

  it('audit: a deleted topic, a removed member and a revoked key keep their names in the log', async () => {
    const created = await call(base, 'POST', `/api/pages/${a.pageId}/topics`, a.admin, {
      name: 'Soon gone',
      kind: 'one_time',
      title: 'Gone',
    });
    expect((await call(base, 'DELETE', `/api/topics/${created.body.id}`, a.admin)).status).toBe(204);
    const key = await call(base, 'POST', '/api/api-keys', a.owner, { name: 'temporary key', role: 'agent' });
    expect((await call(base, 'DELETE', `/api/api-keys/${key.body.id}`, a.owner)).status).toBe(204);
    const members = (await call(base, 'GET', '/api/users', a.owner)).body.users as Array<{
      id: number;
      email: string;
      role: string;
    }>;
    const agent = members.find((m) => m.role === 'agent')!;
    expect((await call(base, 'DELETE', `/api/users/${agent.id}`, a.owner)).status).toBe(204);
    const log = (await call(base, 'GET', '/api/audit', a.owner)).body.entries as Array<
      Record<string, unknown>
    >;
    const find = (k: string) => log.find((e) => e.action_key === k);
    expect(find('topic.delete')).toMatchObject({
      action: 'DELETE /api/topics/:topicId',
      target: JSON.stringify({ topicId: created.body.id }),
      target_name: 'Soon gone',
    });
    expect(find('api_key.create')).toMatchObject({ target_name: 'temporary key' });
    expect(find('api_key.revoke')).toMatchObject({ target_name: 'temporary key' });
    expect(find('member.remove')).toMatchObject({ target_name: agent.email });
    // Another workspace's id names nothing: refused, and no name of theirs is read into this log.
    const other = await tenant(env.rt);
    const refused = await call(base, 'DELETE', `/api/topics/${other.topicId}`, a.admin);
    expect(refused.status).toBe(404);
    const after = (await call(base, 'GET', '/api/audit', a.owner)).body.entries as Array<
      Record<string, unknown>
    >;
    expect(after[0]).toMatchObject({ action_key: 'topic.delete', status: 404, target_name: null });
  });
});
