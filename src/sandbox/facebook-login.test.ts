// Facebook Login in the sandbox (issue 12 item 6): the dialog, /oauth/access_token, /me/accounts,
// /debug_token, per-app /subscribed_apps, the revocation and lost-permission knobs, webhooks to every
// subscribed app signed with its own secret, and the state surviving a restart. Real servers on loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { seedDemoOwner } from './demo-owner.ts';
import { answerDialog } from './login-flow.ts';
import {
  errOf,
  GraphCaller,
  type Harness,
  type Receiver,
  startReceiver,
  startSandbox,
} from './test-helpers.ts';

const PSID = '2000000000000021';
const REDIRECT = 'https://shop.example/connect/callback';
const SCOPE = 'pages_show_list,pages_messaging,pages_manage_metadata';
let h: Harness;
let pages: string[];
let appId: string;
let secret: string;
const receivers: Receiver[] = [];

beforeEach(async () => {
  h = await startSandbox({ customers: [{ psid: PSID, name: 'An Nguyen' }] });
  pages = seedDemoOwner(h.sb);
  appId = h.sb.info().appId;
  secret = h.appSecret;
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
  await h.close();
});

const dialogUrl = (state = 'st-1', scope = SCOPE, app = appId) =>
  `${h.url}/v23.0/dialog/oauth?${new URLSearchParams({ client_id: app, redirect_uri: REDIRECT, state, scope, response_type: 'code' })}`;
const g = () => new GraphCaller(h.url, '', secret);
const get = (p: string, q: Record<string, string>) => g().raw('GET', `${p}?${new URLSearchParams(q)}`);
const exchange = (code: string, extra: Record<string, string> = {}) =>
  get('oauth/access_token', {
    client_id: appId,
    client_secret: secret,
    redirect_uri: REDIRECT,
    code,
    ...extra,
  });

async function connect(opts: { pages?: string[] } = {}) {
  const answer = await answerDialog(dialogUrl(), opts);
  const code = answer.location.searchParams.get('code') ?? '';
  const short = await exchange(code);
  const long = await get('oauth/access_token', {
    grant_type: 'fb_exchange_token',
    client_id: appId,
    client_secret: secret,
    fb_exchange_token: String(short.body.access_token),
  });
  const accounts = await get('me/accounts', { access_token: String(long.body.access_token) });
  const data = accounts.body.data as Array<{
    id: string;
    access_token: string;
    name: string;
    tasks: string[];
  }>;
  return { answer, short, long, accounts, data, userToken: String(long.body.access_token) };
}

describe('Login dialog and /oauth/access_token', () => {
  it('shows the person and their three pages; approving redirects with code and the same state', async () => {
    const answer = await answerDialog(dialogUrl('s-42'));
    expect(answer.html).toContain('Chủ shop demo');
    for (const id of pages) expect(answer.html).toContain(`page_${id}`);
    expect(answer.location.origin + answer.location.pathname).toBe(REDIRECT);
    expect(answer.location.searchParams.get('state')).toBe('s-42');
    expect(answer.location.searchParams.get('code')).toMatch(/^[\w-]{100,}$/);
  });

  it('works without a version in the path', async () => {
    const res = await request(`${h.url}/dialog/oauth?client_id=${appId}&redirect_uri=${REDIRECT}&state=x`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toContain('Continue');
  });

  it('cancelling redirects with access_denied / user_denied and the state', async () => {
    const { location } = await answerDialog(dialogUrl('s-9'), { approve: false });
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      error: 'access_denied',
      error_reason: 'user_denied',
      error_description: 'Permissions error',
      state: 's-9',
    });
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('code → short-lived token (2 h); fb_exchange_token → long-lived (~60 days)', async () => {
    const { short, long } = await connect();
    expect(short.status).toBe(200);
    expect(short.body).toMatchObject({ token_type: 'bearer', expires_in: 7200 });
    expect(long.body.expires_in).toBe(60 * 86_400);
  });

  it('refuses a reused code (100/36009), a wrong secret (1), a redirect_uri mismatch (100/36008), an expired code (100/36007)', async () => {
    const code = async () => (await answerDialog(dialogUrl())).location.searchParams.get('code') ?? '';
    const c1 = await code();
    expect((await exchange(c1)).status).toBe(200);
    expect(errOf(await exchange(c1))).toEqual([100, 36009]);
    const c2 = await code();
    expect(errOf(await exchange(c2, { client_secret: 'nope' }))).toEqual([1, undefined]);
    expect(errOf(await exchange(c2, { redirect_uri: 'https://evil.example/cb' }))).toEqual([100, 36008]);
    h.sb.clock.advance(11 * 60_000);
    const res = await exchange(c2);
    expect(res.status).toBe(400);
    expect(errOf(res)).toEqual([100, 36007]);
  });
});

describe('/me/accounts and /debug_token', () => {
  it('lists only the ticked pages, each with its page token, tasks and paging', async () => {
    const { data, accounts } = await connect({ pages: [pages[0]!, pages[2]!] });
    expect(data.map((p) => p.id)).toEqual([pages[0], pages[2]]);
    expect(data[0]).toMatchObject({ name: 'Sandbox Shop', tasks: expect.arrayContaining(['MODERATE']) });
    expect(data[0]?.access_token).toMatch(/^EAAP/);
    expect(accounts.body.paging).toMatchObject({
      cursors: { before: expect.any(String), after: expect.any(String) },
    });
  });

  it('pages the list with limit/after', async () => {
    const { userToken } = await connect();
    const first = await get('me/accounts', { access_token: userToken, limit: '2' });
    const paging = first.body.paging as { next: string; cursors: { after: string } };
    expect((first.body.data as unknown[]).length).toBe(2);
    const rest = await get('me/accounts', {
      access_token: userToken,
      limit: '2',
      after: paging.cursors.after,
    });
    expect((rest.body.data as Array<{ id: string }>).map((p) => p.id)).toEqual([pages[2]]);
  });

  it('debug_token: scopes and granular_scopes with the ticked pages, user_id, expiry; page tokens carry profile_id', async () => {
    const { userToken, data } = await connect({ pages: [pages[1]!] });
    const u = await get('debug_token', { input_token: userToken, access_token: `${appId}|${secret}` });
    const d = u.body.data as Record<string, unknown>;
    expect(d).toMatchObject({ app_id: appId, type: 'USER', is_valid: true, user_id: '100000000000001' });
    expect(d.scopes).toEqual(SCOPE.split(','));
    expect(d.granular_scopes).toContainEqual({ scope: 'pages_messaging', target_ids: [pages[1]] });
    expect(d.expires_at).toBeGreaterThan(Math.floor(h.sb.clock.now().getTime() / 1000));
    const p = await get('debug_token', {
      input_token: data[0]!.access_token,
      access_token: `${appId}|${secret}`,
    });
    expect(p.body.data).toMatchObject({ type: 'PAGE', profile_id: pages[1], is_valid: true });
    const wrong = await get('debug_token', { input_token: userToken, access_token: `${appId}|bad` });
    expect(errOf(wrong)).toEqual([1, undefined]);
  });

  it("debug_token of the page's configured token: a valid PAGE token of the page's app; garbage is 190", async () => {
    const cfg = await get('debug_token', { input_token: h.token, access_token: `${appId}|${secret}` });
    expect(cfg.body.data).toMatchObject({
      type: 'PAGE',
      is_valid: true,
      profile_id: h.pageId,
      expires_at: 0,
    });
    expect((cfg.body.data as { scopes: string[] }).scopes).toContain('pages_messaging');
    const junk = await get('debug_token', {
      input_token: 'EAAnot-a-token',
      access_token: `${appId}|${secret}`,
    });
    expect(errOf(junk)).toEqual([190, undefined]);
  });

  it('a page token sends on its own page only', async () => {
    const { data } = await connect({ pages: [pages[0]!, pages[1]!] });
    const t0 = data.find((p) => p.id === pages[0])!.access_token;
    const t1 = data.find((p) => p.id === pages[1])!.access_token;
    const ok = await g().raw('POST', `${pages[0]}/messages?access_token=${t0}`, {
      json: { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'via login token' } },
    });
    expect(ok.status).toBe(200);
    const other = await g().raw('POST', `${pages[0]}/messages?access_token=${t1}`, {
      json: { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'wrong page' } },
    });
    expect(errOf(other)).toEqual([100, 33]);
  });
});

describe('knobs: revocation (190) and a lost permission', () => {
  it('revoking the user → 190/460 on the user token, its page tokens and sends; debug_token is_valid false', async () => {
    const { userToken, data } = await connect();
    const res = await request(`${h.url}/sandbox/login/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: '100000000000001' }),
    });
    // The short- and long-lived user tokens and the three page tokens.
    expect(await res.body.json()).toEqual({ revoked: 5 });
    expect(errOf(await get('me/accounts', { access_token: userToken }))).toEqual([190, 460]);
    const pt = new GraphCaller(h.url, data[0]!.access_token, secret);
    const refused = await pt.text(PSID, 'after revoke');
    expect(errOf(refused)).toEqual([190, 460]);
    expect(refused.headers['www-authenticate']).toContain('invalid_token');
    const dbg = await get('debug_token', {
      input_token: data[0]!.access_token,
      access_token: `${appId}|${secret}`,
    });
    expect(dbg.body.data).toMatchObject({ is_valid: false, scopes: [], error: { code: 190, subcode: 460 } });
  });

  it('revoking one page (467) leaves the other pages working', async () => {
    const { data } = await connect();
    await h.client.revokeLogin({ pageId: pages[0], subcode: 467 });
    const t0 = new GraphCaller(h.url, data.find((p) => p.id === pages[0])!.access_token, secret);
    expect(errOf(await t0.text(PSID, 'x'))).toEqual([190, 467]);
    const t1 = data.find((p) => p.id === pages[1])!.access_token;
    const me = await get(pages[1]!, { access_token: t1 });
    expect(me.body).toMatchObject({ id: pages[1] });
  });

  it('a page losing pages_messaging: sends answer 10, debug_token drops the scope; restoring resumes', async () => {
    const { data } = await connect();
    const token = data.find((p) => p.id === pages[0])!.access_token;
    await h.client.setLostPermissions(pages[0]!, ['pages_messaging']);
    const pt = new GraphCaller(h.url, token, secret);
    const res = await pt.text(PSID, 'x');
    expect(errOf(res)).toEqual([10, undefined]);
    expect(res.body.error?.message).toContain('pages_messaging');
    const dbg = await get('debug_token', { input_token: token, access_token: `${appId}|${secret}` });
    expect((dbg.body.data as { scopes: string[] }).scopes).not.toContain('pages_messaging');
    await h.client.setLostPermissions(pages[0]!, []);
    expect((await pt.text(PSID, 'again')).status).toBe(200);
  });
});

describe('subscribed_apps per app, and webhooks to each subscribed app', () => {
  it('POST/GET/DELETE with a page token; needs pages_manage_metadata (200)', async () => {
    const { data } = await connect();
    const token = data[0]!.access_token;
    const sub = await g().raw('POST', `${pages[0]}/subscribed_apps?access_token=${token}`, {
      form: { subscribed_fields: 'messages,messaging_postbacks' },
    });
    expect(sub.body).toEqual({ success: true });
    const list = await get(`${pages[0]}/subscribed_apps`, { access_token: token });
    expect(list.body.data).toEqual([
      { id: appId, name: 'renotify (sandbox)', subscribed_fields: ['messages', 'messaging_postbacks'] },
    ]);
    expect((await g().raw('DELETE', `${pages[0]}/subscribed_apps?access_token=${token}`)).body).toEqual({
      success: true,
    });
    expect((await get(`${pages[0]}/subscribed_apps`, { access_token: token })).body.data).toEqual([]);
    await h.client.setLostPermissions(pages[0]!, ['pages_manage_metadata']);
    const refused = await g().raw('POST', `${pages[0]}/subscribed_apps?access_token=${token}`, {
      form: { subscribed_fields: 'messages' },
    });
    expect(errOf(refused)).toEqual([200, undefined]);
  });

  it('a page subscribed by two apps: each gets the event at its URL, signed with its own secret', async () => {
    const r1 = await startReceiver(secret);
    const r2 = await startReceiver('second-app-secret');
    receivers.push(r1, r2);
    await h.client.updateLoginApp(appId, { webhookUrl: r1.url });
    await h.client.addLoginApp({
      id: '2222222222',
      name: 'Other tool',
      secret: 'second-app-secret',
      webhookUrl: r2.url,
    });
    for (const app of [appId, '2222222222']) {
      const s = app === appId ? secret : 'second-app-secret';
      const ans = await answerDialog(dialogUrl('s', SCOPE, app), { pages: [pages[0]!] });
      const code = ans.location.searchParams.get('code') ?? '';
      const tok = await get('oauth/access_token', {
        client_id: app,
        client_secret: s,
        redirect_uri: REDIRECT,
        code,
      });
      const acc = await get('me/accounts', { access_token: String(tok.body.access_token) });
      const pt = (acc.body.data as Array<{ access_token: string }>)[0]!.access_token;
      await g().raw('POST', `${pages[0]}/subscribed_apps?access_token=${pt}`, {
        form: { subscribed_fields: 'messages' },
      });
    }
    await h.client.message(PSID, 'xin chào');
    await h.sb.webhooks.idle();
    for (const r of [r1, r2]) {
      expect(r.hits.length).toBe(1);
      expect(r.hits[0]?.signatureOk).toBe(true);
      expect(r.events()[0]).toMatchObject({ message: { text: 'xin chào' } });
    }
  });
});

describe('persistence', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'renotify-login-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('people, apps, grants and tokens survive a restart', async () => {
    const first = await startSandbox({ stateDir: dir, clock: new ManualClock() });
    seedDemoOwner(first.sb);
    first.sb.flush();
    const ans = await answerDialog(
      `${first.url}/dialog/oauth?client_id=${appId}&redirect_uri=${REDIRECT}&state=p&scope=pages_messaging`,
    );
    const code = ans.location.searchParams.get('code') ?? '';
    const c = new GraphCaller(first.url, '', secret);
    const tok = await c.raw(
      'GET',
      `oauth/access_token?client_id=${appId}&client_secret=${secret}&redirect_uri=${encodeURIComponent(REDIRECT)}&code=${code}`,
    );
    await first.close();
    const second = await startSandbox({ stateDir: dir, clock: new ManualClock() });
    try {
      expect(second.sb.restored).toBe(true);
      const again = new GraphCaller(second.url, '', secret);
      const acc = await again.raw('GET', `me/accounts?access_token=${tok.body.access_token}`);
      expect((acc.body.data as unknown[]).length).toBe(3);
      expect(second.sb.state.login.users.get('100000000000001')?.name).toBe('Chủ shop demo');
    } finally {
      await second.close();
    }
  });
});
