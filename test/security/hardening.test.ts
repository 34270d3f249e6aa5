// Issue 6: secrets at rest, brute-force protection, refusing to start unsafe, security headers.
// The API rate limit is in rate-limit.test.ts.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { WEB_DIST } from '../../src/http/server.ts';
import { SandboxClient } from '../../src/sandbox/index.ts';
import { toSubscriptionState } from '../../src/storage/subscriptions.ts';
import { boot, call } from './harness.ts';

describe('hardening', () => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;

  beforeAll(async () => {
    env = await boot();
    base = env.rt.url!;
  });
  afterAll(async () => env?.close());

  it('outside sandbox mode the service refuses to start without an app secret and a verify token', () => {
    expect(() => loadConfig({ FB_PAGE_ACCESS_TOKEN: 'EAAreal', FB_PAGE_ID: '1' })).toThrow(
      /FB_APP_SECRET.*FB_VERIFY_TOKEN/,
    );
    expect(() =>
      loadConfig({ FB_PAGE_ACCESS_TOKEN: 'EAAreal', FB_PAGE_ID: '1', FB_APP_SECRET: 's' }),
    ).toThrow(/FB_VERIFY_TOKEN/);
    expect(
      loadConfig({
        FB_PAGE_ACCESS_TOKEN: 'EAAreal',
        FB_PAGE_ID: '1',
        FB_APP_SECRET: 's',
        FB_VERIFY_TOKEN: 'v',
      }).mode,
    ).toBe('live');
  });

  it('every unsigned webhook is rejected, whatever the body', async () => {
    const body = JSON.stringify({
      object: 'page',
      entry: [{ id: env.rt.page.fb_page_id, time: 1, messaging: [] }],
    });
    const res = await call(base, 'POST', '/webhooks/messenger', {}, body);
    expect(res.status).toBe(401);
    const verify = await call(
      base,
      'GET',
      '/webhooks/messenger?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42',
    );
    expect(verify.status).toBe(403);
  });

  it('security headers are set on the API (answers and refusals) and the console, not on webhook deliveries', async () => {
    for (const [method, url] of [
      ['GET', '/healthz'],
      ['GET', '/api/topics'], // 401: refusals carry them too
      ['GET', '/no-such-route'],
      // The handshake echoes what the caller sent (here refused): it keeps them.
      ['GET', '/webhooks/messenger?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42'],
    ] as const) {
      const res = await call(base, method, url);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(String(res.headers['content-security-policy']), url).toContain("default-src 'self'");
      expect(String(res.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security'], url).toContain('max-age=');
    }
    // Meta reads none of them: a delivery's answer is not a page a browser renders.
    const delivery = await call(
      base,
      'POST',
      '/webhooks/messenger',
      {},
      JSON.stringify({ object: 'page', entry: [] }),
    );
    expect(delivery.status).toBe(401);
    expect(delivery.headers['content-security-policy']).toBeUndefined();
    expect(delivery.headers['x-frame-options']).toBeUndefined();
  });

  // The console is served only once built (the browser suites' global setup builds it where Chromium is).
  it.skipIf(!existsSync(path.join(WEB_DIST, 'index.html')))(
    'the console: hashed assets are cached for good, the page itself is asked for again every time',
    async () => {
      const asset = readdirSync(path.join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
      for (const [url, cache] of [
        ['/', 'no-cache'],
        ['/index.html', 'no-cache'],
        ['/topics', 'no-cache'], // the single-page app's fallback
        [`/assets/${asset}`, 'public, max-age=31536000, immutable'],
      ] as const) {
        const res = await env.rt.server!.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['cache-control'], url).toBe(cache);
      }
    },
  );

  it('a webhook delivery runs none of the console’s and the API’s hooks (the intake’s hottest path)', () => {
    // Fastify's own listing of each route's hooks: the webhook routes' block ends at the next route.
    const listing = env.rt.server!.printRoutes({ includeHooks: true, commonPrefix: false });
    const lines = listing.split('\n');
    const at = lines.findIndex((l) => l.includes('webhooks/messenger (POST)'));
    expect(at).toBeGreaterThan(-1);
    const next = lines.findIndex((l, i) => i > at && /[├└]──/.test(l));
    const hooks = lines
      .slice(at + 1, next === -1 ? undefined : next)
      .map((l) => /• \((\w+)\) (.*)$/.exec(l)?.slice(1).join(' '))
      .filter(Boolean);
    // Only its own body gate (webhook-gate.ts).
    expect(hooks).toEqual(['onRequest ["enter()"]']);
    // …while the API's routes have them (the listing shows hooks at all).
    expect(listing).toMatch(/\(preHandler\)/);
  });

  it('the database holds no page token, app secret or notification token in clear text (a dump is grepped)', async () => {
    const info = env.rt.sandbox!.info();
    const sandbox = new SandboxClient(env.rt.sandboxUrl!);
    const psid = info.customers[0]!.psid;
    // A customer asks, the assistant offers both cards, the customer takes both: tokens reach the database.
    await sandbox.message(psid, 'khuyến mãi');
    const tokens: string[] = [];
    for (let i = 0; i < 100 && tokens.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const thread = await sandbox.thread(psid);
      const cards = thread.items.filter((it) => it.optInCard);
      if (cards.length >= 2) {
        for (const card of cards) tokens.push((await sandbox.optin(psid, card.mid)).token as string);
        break;
      }
    }
    expect(tokens).toHaveLength(2);
    await sandbox.flushWebhooks();
    for (let i = 0; i < 100; i++) {
      const n = await env.rt.storage.db
        .selectFrom('subscriptions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(n.n) >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The dump: every row of every table in every schema we own, as text.
    const tables = await sql<{ schemaname: string; tablename: string }>`
      SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`.execute(
      env.rt.storage.db,
    );
    let dump = '';
    for (const t of tables.rows) {
      const rows = await sql
        .raw(`SELECT t::text AS r FROM "${t.schemaname}"."${t.tablename}" t`)
        .execute(env.rt.storage.db);
      dump += rows.rows.map((r) => (r as { r: string }).r).join('\n');
    }
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump).toContain(psid); // the dump is real: it has the customer
    for (const secret of [info.pageAccessToken, info.appSecret, ...tokens]) {
      expect(dump.includes(secret), `clear text secret in the database: ${secret.slice(0, 8)}…`).toBe(false);
    }
    // …and the product still reads them: the stored tokens decrypt to exactly what Meta (the sandbox) issued.
    const stored = await env.rt.storage.db.selectFrom('subscriptions').selectAll().execute();
    expect(stored.map((r) => toSubscriptionState(r).token).sort()).toEqual([...tokens].sort());
  });

  it('sign-in brute force on one account is blocked after 10 failures (more in throttle.test.ts)', async () => {
    const email = 'victim@shop.test';
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await call(
        base,
        'POST',
        '/api/auth/sign-in',
        {},
        { email, password: `guess-${i}-password` },
      );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const blocked = await call(
      base,
      'POST',
      '/api/auth/sign-in',
      {},
      { email, password: 'the-right-one-maybe' },
    );
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is not locked out by an attack on this one.
    const other = await call(
      base,
      'POST',
      '/api/auth/sign-in',
      {},
      { email: env.rt.firstOwner!.email, password: env.rt.firstOwner!.password },
    );
    expect(other.status).toBe(200);
  });
});
