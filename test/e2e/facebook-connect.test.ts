// Issue 12 item 3, "Kết nối Fanpage", against the sandbox playing Facebook (real servers on loopback):
// connect through the Login dialog (all pages, some, refused), the state checks, a page held by another
// workspace refused with nothing changed, disconnect, and page health — a revoked token or a lost
// permission marks the page "needs reconnect", sending stops with the reason, reconnecting resumes it.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic } from '../../src/app/topics.ts';
import { webhookSecretFor } from '../../src/app/webhook-intake.ts';
import { answerDialog, DEMO_EXTRA_PAGES, DEMO_OWNER, signBody } from '../../src/sandbox/index.ts';
import { upsertCustomer } from '../../src/storage/customers.ts';
import { boot, type Caller, call, type Tenant, tenant } from '../security/harness.ts';
import { BACKENDS } from '../support/backends.ts';
import { delivery, waitFor } from './harness.ts';

const THIRD = DEMO_EXTRA_PAGES[1].id; // the demo owner's page the demo shop has not connected
const SECOND = DEMO_EXTRA_PAGES[0].id; // connected by the demo on 2026 / VN

describe.each(BACKENDS)('Kết nối Fanpage through Facebook Login (%s)', { timeout: 120_000 }, (backend) => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    env = await boot(backend);
    base = env.rt.url!;
    a = await tenant(env.rt, {
      workspaceId: env.rt.workspaceId,
      pageId: env.rt.page.id,
      fbPageId: env.rt.page.fb_page_id,
    });
    b = await tenant(env.rt);
  }, 300_000);
  afterAll(async () => env?.close());

  /** Start → dialog (the sandbox's page) → our callback; answers where the callback sent the browser. */
  async function login(who: Caller, opts: { pages?: string[]; approve?: boolean } = {}) {
    const start = await call(base, 'POST', '/api/facebook/connect', who);
    expect(start.status).toBe(200);
    const dialog = new URL(start.body.url);
    expect(dialog.searchParams.get('scope')).toBe(
      'pages_show_list,pages_messaging,pages_manage_metadata,pages_read_engagement,business_management',
    );
    const answer = await answerDialog(start.body.url, opts);
    const back = await request(answer.location.toString(), { headers: { cookie: who.cookie ?? '' } });
    await back.body.dump();
    expect(back.statusCode).toBe(302);
    return {
      state: dialog.searchParams.get('state')!,
      to: new URL(String(back.headers.location), base),
      answer,
    };
  }
  const offerOf = (to: URL) => Number(to.searchParams.get('offer'));
  const pageRow = (fbPageId: string) =>
    env.rt.storage.db.selectFrom('pages').selectAll().where('fb_page_id', '=', fbPageId).executeTakeFirst();

  it('approve all: the tick list shows the three pages (two already here); connecting the third subscribes the app and stores its token encrypted', async () => {
    const { to } = await login(a.owner);
    expect(to.pathname).toBe('/pages/connect');
    const offer = await call(base, 'GET', `/api/facebook/offers/${offerOf(to)}`, a.owner);
    expect(offer.status).toBe(200);
    const byId = Object.fromEntries(offer.body.pages.map((p: { fbPageId: string }) => [p.fbPageId, p]));
    expect(Object.keys(byId).sort()).toEqual([a.fbPageId, SECOND, THIRD].sort());
    expect(byId[SECOND]).toMatchObject({ here: 'connected', taken: false });
    expect(byId[THIRD]).toMatchObject({ here: null, taken: false, name: 'Sandbox Shop Hà Nội' });

    const res = await call(base, 'POST', `/api/facebook/offers/${offerOf(to)}/connect`, a.owner, {
      pages: [{ fbPageId: THIRD }],
    });
    expect(res.status).toBe(200);
    expect(res.body.pages[0]).toMatchObject({
      fbPageId: THIRD,
      profile: '2026',
      region: 'VN',
      timeZone: 'Asia/Ho_Chi_Minh',
      connection: 'connected',
    });
    const row = await pageRow(THIRD);
    expect(row?.workspace_id).toBe(a.workspaceId);
    expect(row?.access_token).toMatch(/^enc:v1:/);
    const subs = env.rt.sandbox!.state.login.subscribedApps(THIRD);
    expect(subs[env.rt.facebookApp!.appId]).toEqual(expect.arrayContaining(['messages', 'messaging_optins']));
    // The offer is used up.
    const again = await call(base, 'GET', `/api/facebook/offers/${offerOf(to)}`, a.owner);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('login_offer_not_found');
  });

  it("item 1: a page connected through Login stores no secret; its webhooks signed with the deployment's app secret are accepted, another app's refused whole", async () => {
    const row = (await pageRow(THIRD))!;
    expect(row.app_secret).toBeNull();
    const deployment = env.rt.facebookApp!.appSecret;
    expect(webhookSecretFor(row, deployment)).toBe(deployment);
    // Another Meta app (its own secret), as the sandbox keeps several.
    const other = env.rt.sandbox!.state.login.addApp({ id: `9${Date.now()}` });
    expect(other.secret).not.toBe(deployment);
    const send = async (secret: string, mid: string) => {
      const raw = JSON.stringify(
        delivery(THIRD, [
          {
            sender: { id: `psid-${mid}` },
            recipient: { id: THIRD },
            timestamp: env.rt.clock.now().getTime(),
            message: { mid, text: 'alo' },
          },
        ]),
      );
      return call(base, 'POST', '/webhooks/messenger', {}, raw, {
        'x-hub-signature-256': signBody(secret, raw),
      });
    };
    const stored = (mid: string) =>
      env.rt.storage.db.selectFrom('webhook_events').select('id').where('psid', '=', `psid-${mid}`).execute();
    const refusedMid = `m_other_${randomBytes(4).toString('hex')}`;
    expect((await send(other.secret, refusedMid)).status).toBe(403);
    expect(await stored(refusedMid)).toEqual([]);
    const okMid = `m_ours_${randomBytes(4).toString('hex')}`;
    expect((await send(deployment, okMid)).status).toBe(200);
    expect((await stored(okMid)).length).toBe(1);
    const customer = await waitFor(
      () =>
        env.rt.storage.db
          .selectFrom('customers')
          .select(['workspace_id', 'page_id'])
          .where('psid', '=', `psid-${okMid}`)
          .executeTakeFirst(),
      { what: 'the customer of the accepted delivery', timeoutMs: 20_000 },
    );
    expect(customer).toEqual({ workspace_id: a.workspaceId, page_id: row.id });
    expect(
      await env.rt.storage.db
        .selectFrom('customers')
        .select('id')
        .where('psid', '=', `psid-${refusedMid}`)
        .execute(),
    ).toEqual([]);
  });

  it('ticking only some pages: the list holds only those', async () => {
    const { to } = await login(a.owner, { pages: [THIRD] });
    const offer = await call(base, 'GET', `/api/facebook/offers/${offerOf(to)}`, a.owner);
    expect(offer.body.pages.map((p: { fbPageId: string }) => p.fbPageId)).toEqual([THIRD]);
  });

  it('refusing in the dialog comes back with login_denied and stores nothing', async () => {
    const before = await env.rt.storage.db.selectFrom('pages').select('id').execute();
    const { to } = await login(a.owner, { approve: false });
    expect(to.searchParams.get('error')).toBe('login_denied');
    expect(await env.rt.storage.db.selectFrom('pages').select('id').execute()).toEqual(before);
  });

  it('a forged, reused or other-session state is refused (login_state_invalid); an offer is only for its session', async () => {
    const forged = await request(
      `${base}/api/facebook/callback?code=x&state=${randomBytes(24).toString('base64url')}`,
    );
    expect(forged.statusCode).toBe(302);
    expect(String(forged.headers.location)).toContain('error=login_state_invalid');
    await forged.body.dump();

    const { to, answer } = await login(a.owner, { pages: [THIRD] });
    // The same redirect again (a replay): the state was single use.
    const replay = await request(answer.location.toString(), { headers: { cookie: a.owner.cookie! } });
    await replay.body.dump();
    expect(String(replay.headers.location)).toContain('error=login_state_invalid');
    // Another session of the same shop cannot read the list; nor can another shop.
    const other = await call(base, 'GET', `/api/facebook/offers/${offerOf(to)}`, a.admin);
    expect(other.status).toBe(404);
    const foreign = await call(base, 'GET', `/api/facebook/offers/${offerOf(to)}`, b.owner);
    expect(foreign.status).toBe(404);

    // A state started by one session and returned with another's cookie is refused.
    const start = await call(base, 'POST', '/api/facebook/connect', a.owner);
    const ans = await answerDialog(start.body.url, {});
    const swapped = await request(ans.location.toString(), { headers: { cookie: a.admin.cookie! } });
    await swapped.body.dump();
    expect(String(swapped.headers.location)).toContain('error=login_state_invalid');
  });

  it('agents cannot start a connection (owner/admin only)', async () => {
    const res = await call(base, 'POST', '/api/facebook/connect', a.agent);
    expect(res.status).toBe(403);
  });

  it('a page held by another workspace is refused with page_taken and nothing changes', async () => {
    // The dialog remembers what the person granted last time (THIRD only): tick all three again.
    const { to } = await login(b.owner, { pages: [a.fbPageId, SECOND, THIRD] });
    const offer = await call(base, 'GET', `/api/facebook/offers/${offerOf(to)}`, b.owner);
    expect(offer.body.pages.find((p: { fbPageId: string }) => p.fbPageId === SECOND)).toMatchObject({
      taken: true,
      here: null,
    });
    const beforeA = await pageRow(SECOND);
    const bPages = await env.rt.storage.db
      .selectFrom('pages')
      .select('id')
      .where('workspace_id', '=', b.workspaceId)
      .execute();
    const res = await call(base, 'POST', `/api/facebook/offers/${offerOf(to)}/connect`, b.owner, {
      pages: [{ fbPageId: SECOND }],
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('page_taken');
    expect(await pageRow(SECOND)).toEqual(beforeA);
    expect(
      await env.rt.storage.db
        .selectFrom('pages')
        .select('id')
        .where('workspace_id', '=', b.workspaceId)
        .execute(),
    ).toEqual(bPages);
  });

  describe('page health', () => {
    let customerId: number;
    let pageId: number;
    const reply = (text: string) =>
      call(base, 'POST', `/api/customers/${customerId}/messages`, a.owner, { text });
    const page = async () => (await call(base, 'GET', `/api/pages/${pageId}`, a.owner)).body;

    beforeAll(async () => {
      pageId = (await pageRow(THIRD))!.id;
      const psid = `3${randomBytes(7).toString('hex').replace(/[a-f]/g, '1').slice(0, 15)}`;
      env.rt.sandbox!.state.addCustomer(THIRD, { psid, name: 'Khách Hà Nội' }, env.rt.clock.now());
      customerId = (
        await upsertCustomer(
          env.rt.storage.db,
          {
            workspaceId: a.workspaceId,
            pageId,
            psid,
            name: 'Khách Hà Nội',
            interactionAt: env.rt.clock.now(),
          },
          env.rt.clock.now(),
        )
      ).id;
    });

    it('revoked token → the send fails with 190, the page needs reconnect, sends stop with the reason; reconnecting resumes', async () => {
      expect((await reply('trước khi thu hồi')).status).toBe(201);
      await env.rt.sandbox!.state.login.revokeUser(DEMO_OWNER.id, undefined, 460);
      const failed = await reply('sau khi thu hồi');
      expect(failed.status).toBe(502);
      expect(failed.body.error.code).toBe('graph_page_token_invalid');
      expect(await page()).toMatchObject({ connection: 'needs_reconnect' });
      expect((await page()).connectionReason).toContain('page_token_invalid');
      const refused = await reply('lần nữa');
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('page_needs_reconnect');
      // A campaign on the page waits, paused with the reason, instead of sending.
      const topic = await createTopic(env.rt.ctx, a.workspaceId, pageId, {
        name: `Hà Nội ${randomBytes(2).toString('hex')}`,
        kind: 'one_time',
        title: 'Báo tôi khi có hàng',
      });
      const created = await call(base, 'POST', `/api/pages/${pageId}/campaigns`, a.owner, {
        name: 'Khi cần kết nối lại',
        topicId: topic.id,
        content: { type: 'text', text: 'Hàng về rồi!' },
      });
      expect(created.status).toBe(201);
      expect(
        (await call(base, 'POST', `/api/campaigns/${created.body.id}/start`, a.owner, {})).status,
      ).toBeLessThan(300);
      for (let i = 0; i < 100; i++) {
        const c = await call(base, 'GET', `/api/campaigns/${created.body.id}`, a.owner);
        if (c.body.status === 'paused') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await call(base, 'GET', `/api/campaigns/${created.body.id}`, a.owner)).body).toMatchObject({
        status: 'paused',
        pauseReason: 'page_token_invalid',
      });

      const { to } = await login(a.owner, { pages: [THIRD] });
      const res = await call(base, 'POST', `/api/facebook/offers/${offerOf(to)}/connect`, a.owner, {
        pages: [{ fbPageId: THIRD }],
      });
      expect(res.status).toBe(200);
      expect(await page()).toMatchObject({ connection: 'connected', restrictedReason: null });
      expect((await reply('đã kết nối lại')).status).toBe(201);
    });

    it('the health round (debug_token) marks a page whose token was revoked or that lost pages_messaging', async () => {
      const round = await env.rt.pageHealth();
      expect(round.find((r) => r.pageId === pageId)).toEqual({ pageId, ok: true, reason: null });
      env.rt.sandbox!.state.login.setLostPermissions(THIRD, ['pages_messaging']);
      const after = await env.rt.pageHealth();
      expect(after.find((r) => r.pageId === pageId)).toEqual({
        pageId,
        ok: false,
        reason: 'missing permission pages_messaging',
      });
      expect(await page()).toMatchObject({ connection: 'needs_reconnect' });
      expect((await reply('không gửi được')).body.error.code).toBe('page_needs_reconnect');
      // The other pages (configured tokens, all permissions) stay healthy.
      expect((await page()).healthCheckedAt).not.toBeNull();
      const pagesOfA = (await call(base, 'GET', '/api/pages', a.owner)).body.pages;
      expect(pagesOfA.find((p: { fbPageId: string }) => p.fbPageId === SECOND).connection).toBe('connected');
      env.rt.sandbox!.state.login.setLostPermissions(THIRD, []);
      env.rt.sandbox!.state.login.revokePage(THIRD, undefined, 467);
      const { to } = await login(a.owner, { pages: [THIRD] });
      await call(base, 'POST', `/api/facebook/offers/${offerOf(to)}/connect`, a.owner, {
        pages: [{ fbPageId: THIRD }],
      });
      expect((await reply('lại được rồi')).status).toBe(201);
    });

    it('disconnect unsubscribes the app, keeps the history and refuses sends with page_disconnected', async () => {
      const res = await call(base, 'POST', `/api/pages/${pageId}/disconnect`, a.owner);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        unsubscribed: true,
        page: { connection: 'disconnected', connected: false },
      });
      expect(env.rt.sandbox!.state.login.subscribedApps(THIRD)).toEqual({});
      const refused = await reply('sau khi ngắt');
      expect(refused.body.error.code).toBe('page_disconnected');
      const customer = await call(base, 'GET', `/api/customers/${customerId}`, a.owner);
      expect(customer.status).toBe(200);
      // Another workspace cannot disconnect it.
      expect((await call(base, 'POST', `/api/pages/${pageId}/disconnect`, b.owner)).status).toBe(404);
    });
  });
});
