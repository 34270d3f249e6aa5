// Issue 12 (items 1, 2): many shops on one deployment, through real HTTP on a running renotify (PGlite
// and PostgreSQL). Pages are connected through app/page-connections.ts with no secret of their own, so
// every webhook is verified with the deployment's one app secret and routed by page id; a shop signs up;
// the operator suspends one.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPage, disconnectPage } from '../../src/app/page-connections.ts';
import { createShopWithInvite, listShops, setShopSuspended } from '../../src/app/workspace-admin.ts';
import { loadConfig } from '../../src/config.ts';
import { startRuntime } from '../../src/runtime.ts';
import { signBody } from '../../src/sandbox/index.ts';
import { upsertCustomer } from '../../src/storage/customers.ts';
import { insertWorkspace } from '../../src/storage/pages.ts';
import { delivery, waitFor } from '../e2e/harness.ts';
import { BACKENDS, openTestStorage } from '../support/backends.ts';
import { boot, type Caller, call, signInAs } from './harness.ts';

const hex = () => randomBytes(6).toString('hex');
const digits = () => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));

describe.each(BACKENDS)('shops on one deployment (%s)', (backend) => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  let secret: string;
  const db = () => env.rt.storage.db;
  const count = async (table: string, where: string) =>
    Number(
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.raw(where)}`.execute(db())
      ).rows[0]!.n,
    );
  const text = (pageId: string, psid: string, mid: string) => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: env.rt.clock.now().getTime(),
    message: { mid, text: 'xin chào' },
  });
  const post = (body: unknown) => {
    const raw = JSON.stringify(body);
    return call(base, 'POST', '/webhooks/messenger', {}, raw, {
      'x-hub-signature-256': signBody(secret, raw),
    });
  };
  /** A shop that signed up, with a page connected through the deployment's app. */
  const shop = async () => {
    const email = `owner-${hex()}@shop.example`;
    const password = `pw-${hex()}-long`;
    const res = await call(
      base,
      'POST',
      '/api/auth/sign-up',
      {},
      {
        shopName: `Shop ${hex()}`,
        ownerName: 'Chủ shop',
        email,
        password,
      },
    );
    expect(res.status).toBe(201);
    const workspaceId = res.body.workspaceId as number;
    const fbPageId = digits();
    const { page } = await connectPage(env.rt.ctx, workspaceId, {
      fbPageId,
      name: `Page ${fbPageId}`,
      accessToken: `EAA${hex()}`,
    });
    return { workspaceId, page, fbPageId, email, password };
  };

  beforeAll(async () => {
    env = await boot(backend);
    base = env.rt.url!;
    secret = env.rt.sandbox!.info().appSecret;
  });
  afterAll(async () => env?.close());

  it("trust: a second shop's page webhooks reach only the second shop (one app secret, routed by page id)", async () => {
    const a = await shop();
    const b = await shop();
    expect(a.page.app_secret).toBeNull(); // verified with the deployment's app secret
    const psid = `psid-${hex()}`;
    const mid = `m_${hex()}`;
    expect((await post(delivery(b.fbPageId, [text(b.fbPageId, psid, mid)]))).status).toBe(200);
    await waitFor(() => count('messages', `mid = '${mid}'`), { what: "B's message applied" });
    expect(await count('customers', `psid = '${psid}' AND workspace_id = ${b.workspaceId}`)).toBe(1);
    expect(await count('customers', `psid = '${psid}' AND workspace_id <> ${b.workspaceId}`)).toBe(0);
    expect(await count('customers', `workspace_id = ${a.workspaceId}`)).toBe(0);
    // B's owner sees its page and its customer; A's owner sees neither.
    const ownerA = await signInAs(base, a.email, a.password);
    const ownerB = await signInAs(base, b.email, b.password);
    const pagesOf = async (who: Caller) =>
      ((await call(base, 'GET', '/api/pages', who)).body.pages as Array<{ id: number }>).map((p) => p.id);
    expect(await pagesOf(ownerB)).toEqual([b.page.id]);
    expect(await pagesOf(ownerA)).toEqual([a.page.id]);
    expect((await call(base, 'GET', `/api/pages/${b.page.id}/conversations`, ownerA)).status).toBe(404);
  });

  it('trust: connecting a page another shop holds is refused (page_taken) and changes nothing', async () => {
    const a = await shop();
    const b = await shop();
    const before = await db()
      .selectFrom('pages')
      .selectAll()
      .where('id', '=', a.page.id)
      .executeTakeFirstOrThrow();
    await expect(
      connectPage(env.rt.ctx, b.workspaceId, {
        fbPageId: a.fbPageId,
        name: 'Mine now',
        accessToken: 'EAAstolen',
      }),
    ).rejects.toMatchObject({ code: 'page_taken' });
    // Disconnected, it still holds its history in A: still refused for B.
    await disconnectPage(env.rt.ctx, a.workspaceId, a.page.id);
    await expect(
      connectPage(env.rt.ctx, b.workspaceId, {
        fbPageId: a.fbPageId,
        name: 'Mine now',
        accessToken: 'EAAstolen',
      }),
    ).rejects.toMatchObject({ code: 'page_taken' });
    const after = await db()
      .selectFrom('pages')
      .selectAll()
      .where('id', '=', a.page.id)
      .executeTakeFirstOrThrow();
    // Refusing B changed nothing; the disconnect changed only the connection (and dropped the token).
    const connection = {
      connection_status: null,
      connection_reason: null,
      restricted_reason: null,
      access_token: null,
    };
    expect({ ...after, ...connection }).toEqual({ ...before, ...connection });
    expect(after).toMatchObject({ connection_status: 'disconnected', access_token: null });
    // The token is stored encrypted, never as given.
    expect(before.access_token).toMatch(/^enc:v1:/);
    // A reconnects: same page row (history kept), new token, connected again.
    const again = await connectPage(env.rt.ctx, a.workspaceId, {
      fbPageId: a.fbPageId,
      name: 'Renamed',
      accessToken: 'EAAnew',
    });
    expect(again).toMatchObject({
      created: false,
      page: {
        id: a.page.id,
        access_token: 'EAAnew',
        connection_status: 'connected',
        restricted_reason: null,
      },
    });
  });

  it('trust: an entry for a disconnected page refuses the whole delivery; nothing of it is stored', async () => {
    const a = await shop();
    const b = await shop();
    await disconnectPage(env.rt.ctx, b.workspaceId, b.page.id);
    const mids = [`m_${hex()}`, `m_${hex()}`];
    const res = await post({
      object: 'page',
      entry: [
        ...delivery(a.fbPageId, [text(a.fbPageId, `psid-${hex()}`, mids[0]!)]).entry,
        ...delivery(b.fbPageId, [text(b.fbPageId, `psid-${hex()}`, mids[1]!)]).entry,
      ],
    });
    expect(res.status).toBe(403);
    expect(await count('webhook_events', `idempotency_key LIKE '%${mids[0]}%'`)).toBe(0);
    // And nothing is sent on it: a reply to its customer (inside 24 h) is refused with the reason.
    const now = env.rt.clock.now();
    const customer = await upsertCustomer(
      db(),
      { workspaceId: b.workspaceId, pageId: b.page.id, psid: `psid-${hex()}`, name: 'K', interactionAt: now },
      now,
    );
    const ownerB = await signInAs(base, b.email, b.password);
    const reply = await call(base, 'POST', `/api/customers/${customer.id}/messages`, ownerB, {
      text: 'chào',
    });
    expect(reply.status).toBe(422);
    // The refusal names why: the page was disconnected (not a generic restriction).
    expect(reply.body.error.code).toBe('page_disconnected');
  });

  it('bad input: connectPage refuses a malformed page and stores nothing', async () => {
    const ws = await insertWorkspace(db(), 'Empty', env.rt.clock.now());
    for (const bad of [
      { fbPageId: 'abc', name: 'x', accessToken: 't' },
      { fbPageId: digits(), name: ' ', accessToken: 't' },
      { fbPageId: digits(), name: 'x', accessToken: '' },
      { fbPageId: digits(), name: 'x', accessToken: 't', timeZone: 'Mars/Base' },
    ]) {
      await expect(connectPage(env.rt.ctx, ws, bad)).rejects.toMatchObject({ code: expect.any(String) });
    }
    expect(await count('pages', `workspace_id = ${ws}`)).toBe(0);
  });

  it('sign-up: a new shop starts with no page; a taken email creates no workspace', async () => {
    const email = `x-${hex()}@shop.example`;
    const body = { shopName: 'Tiệm mới', ownerName: 'Lan', email, password: 'correct horse battery' };
    const first = await call(base, 'POST', '/api/auth/sign-up', {}, body);
    expect(first.status).toBe(201);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    const pages = await call(base, 'GET', '/api/pages', { cookie });
    expect(pages).toMatchObject({ status: 200, body: { pages: [] } });
    const workspaces = await count('workspaces', 'true');
    const again = await call(base, 'POST', '/api/auth/sign-up', {}, { ...body, shopName: 'Other' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
    const weak = await call(
      base,
      'POST',
      '/api/auth/sign-up',
      {},
      { ...body, email: `y-${hex()}@a.b`, password: 'short' },
    );
    expect(weak.body.error.code).toBe('weak_password');
    expect(await count('workspaces', 'true')).toBe(workspaces);
  });

  it('suspend: members cannot sign in (clear code), keys stop, webhooks 200 but dropped, sends stop; resume undoes it', async () => {
    const a = await shop();
    const b = await shop();
    const ownerB = await signInAs(base, b.email, b.password);
    const key = (await call(base, 'POST', '/api/api-keys', ownerB, { name: 'k' })).body.key as string;
    await setShopSuspended(env.rt.ctx, b.workspaceId, true);
    const refused = await call(
      base,
      'POST',
      '/api/auth/sign-in',
      {},
      { email: b.email, password: b.password },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('workspace_suspended');
    // A wrong password still learns nothing about the shop.
    const wrong = await call(
      base,
      'POST',
      '/api/auth/sign-in',
      {},
      { email: b.email, password: 'wrong-password!' },
    );
    expect(wrong.status).toBe(401);
    expect((await call(base, 'GET', '/api/pages', ownerB)).status).toBe(401);
    expect((await call(base, 'GET', '/api/pages', { apiKey: key })).status).toBe(401);
    // Webhooks: answered 200 (Meta would otherwise retry and disable the app), not stored; A unaffected.
    const [midA, midB] = [`m_${hex()}`, `m_${hex()}`];
    const res = await post({
      object: 'page',
      entry: [
        ...delivery(a.fbPageId, [text(a.fbPageId, `psid-${hex()}`, midA)]).entry,
        ...delivery(b.fbPageId, [text(b.fbPageId, `psid-${hex()}`, midB)]).entry,
      ],
    });
    expect(res.status).toBe(200);
    await waitFor(() => count('messages', `mid = '${midA}'`), { what: "A's message applied" });
    expect(await count('webhook_events', `idempotency_key LIKE '%${midB}%'`)).toBe(0);
    // Its pages send nothing (the R11b refusal every send path obeys).
    const page = await db()
      .selectFrom('pages')
      .select('restricted_reason')
      .where('id', '=', b.page.id)
      .executeTakeFirstOrThrow();
    expect(page.restricted_reason).toBe('workspace_suspended');
    const listed = (await listShops(env.rt.ctx)).find((w) => w.id === b.workspaceId)!;
    expect(listed.suspendedAt).not.toBeNull();
    await setShopSuspended(env.rt.ctx, b.workspaceId, false);
    expect(
      (await call(base, 'POST', '/api/auth/sign-in', {}, { email: b.email, password: b.password })).status,
    ).toBe(200);
    const lifted = await db()
      .selectFrom('pages')
      .select('restricted_reason')
      .where('id', '=', b.page.id)
      .executeTakeFirstOrThrow();
    expect(lifted.restricted_reason).toBeNull();
    await expect(setShopSuspended(env.rt.ctx, 2_000_000_000, true)).rejects.toMatchObject({
      code: 'workspace_not_found',
    });
  });

  it('operator: a created workspace invites its owner; the invitation makes the owner', async () => {
    const email = `boss-${hex()}@shop.example`;
    const r = await createShopWithInvite(env.rt.ctx, { name: 'Shop by operator', ownerEmail: email });
    const accepted = await call(
      base,
      'POST',
      '/api/auth/invites/accept',
      {},
      {
        token: r.inviteToken,
        name: 'Boss',
        password: 'a long enough password',
      },
    );
    expect(accepted.status).toBeLessThan(300);
    const owner = await signInAs(base, email, 'a long enough password');
    const me = await call(base, 'GET', '/api/auth/me', owner);
    expect(me.body).toMatchObject({ workspaceId: r.workspaceId, role: 'owner' });
  });
});

describe('sign-up closed', () => {
  it('SIGNUP=closed: sign-up answers 403 signup_closed and creates nothing; live defaults to closed', async () => {
    expect(loadConfig({}).signup).toBe('open');
    expect(loadConfig({ FB_APP_ID: '1', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' }).signup).toBe('closed');
    expect(() => loadConfig({ SIGNUP: 'maybe' })).toThrow(/SIGNUP/);
    const storage = await openTestStorage('pglite');
    const rt = await startRuntime({
      config: { ...loadConfig({ SIGNUP: 'closed' }), port: 0, sandboxPort: 0, host: '127.0.0.1' },
      storage,
      worker: false,
      queueSchema: `boss_${hex()}`,
    });
    try {
      const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM workspaces`.execute(storage.db);
      expect((await call(rt.url!, 'GET', '/api/auth/sign-up')).body).toEqual({ open: false });
      const res = await call(
        rt.url!,
        'POST',
        '/api/auth/sign-up',
        {},
        {
          shopName: 'S',
          ownerName: 'O',
          email: `z-${hex()}@a.b`,
          password: 'long enough password',
        },
      );
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'signup_closed', details: { vi: expect.any(String) } });
      const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM workspaces`.execute(storage.db);
      expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    } finally {
      await rt.close();
      await storage.close();
    }
  });
});
