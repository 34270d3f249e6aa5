// Issue 6: fuzzed webhook bodies and signatures, oversized bodies, invalid JSON, wrong content types and
// absurd query parameters — each a 4xx with a clear code, the process keeps serving, nothing is stored.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boot, type Caller, call, signInAs } from './harness.ts';

describe('bad input', () => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  let owner: Caller;
  let secret: string;

  const count = async (table: 'webhook_events' | 'topics' | 'customers' | 'messages') =>
    Number(
      (
        await env.rt.storage.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    env = await boot();
    base = env.rt.url!;
    owner = await signInAs(base, env.rt.firstOwner!.email, env.rt.firstOwner!.password);
    secret = env.rt.sandbox!.info().appSecret;
  });
  afterAll(async () => env?.close());

  it('fuzzed webhook bodies with missing, wrong or malformed signatures: 401/403, nothing stored', async () => {
    const before = await count('webhook_events');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.json(), fc.constant(JSON.stringify({ object: 'page', entry: [] }))),
        fc.oneof(
          fc.constant(undefined),
          fc.string(),
          fc.stringMatching(/^[0-9a-f]{64}$/).map((h: string) => `sha256=${h}`),
          fc.constant('sha1=abc'),
        ),
        async (body, signature) => {
          const res = await call(
            base,
            'POST',
            '/webhooks/messenger',
            {},
            body,
            signature === undefined ? {} : { 'x-hub-signature-256': signature },
          );
          expect([400, 401, 403]).toContain(res.status);
          if (res.status !== 400 || typeof res.body === 'object')
            expect(res.body?.error?.code).toMatch(/^[a-z_]+$/);
        },
      ),
      { numRuns: 150 },
    );
    expect(await count('webhook_events')).toBe(before);
    expect((await call(base, 'GET', '/healthz')).status).toBe(200);
  });

  it('correctly signed but malformed deliveries: 400 with a clear code, nothing stored', async () => {
    const before = await count('webhook_events');
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(fc.json(), fc.constant('{"object":"user"}'), fc.constant('[]'), fc.constant('null'))
          .filter((j) => {
            try {
              return (JSON.parse(j) as { object?: unknown })?.object !== 'page';
            } catch {
              return true;
            }
          }),
        async (body) => {
          const sig = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
          const res = await call(base, 'POST', '/webhooks/messenger', {}, body, {
            'x-hub-signature-256': sig,
          });
          expect(res.status).toBe(400);
          expect(res.body.error.code).toMatch(/^(invalid_webhook|invalid_json)$/);
        },
      ),
      { numRuns: 100 },
    );
    expect(await count('webhook_events')).toBe(before);
  });

  it('invalid JSON, oversized bodies and wrong content types are refused before any work', async () => {
    const topics = await count('topics');
    const path = `/api/pages/${env.rt.page.id}/topics`;
    const bad = await call(base, 'POST', path, owner, '{"name": "x", ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    const huge = await call(
      base,
      'POST',
      path,
      owner,
      JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), kind: 'one_time', title: 't' }),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toMatch(/too_large|body_too_large/);
    const form = await call(base, 'POST', path, owner, 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('unsupported_media_type');
    const text = await call(base, 'POST', path, owner, 'name=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    expect(text.body.error.code).toBe('validation_failed');
    const webhookHuge = await call(base, 'POST', '/webhooks/messenger', {}, 'x'.repeat(3 * 1024 * 1024), {
      'x-hub-signature-256': 'sha256=00',
    });
    expect(webhookHuge.status).toBe(413);
    expect(await count('topics')).toBe(topics);
    expect((await call(base, 'GET', '/healthz')).status).toBe(200);
  });

  it('absurd parameters and fields get 400 with validation_failed, and change nothing', async () => {
    const topics = await count('topics');
    for (const [method, path, body] of [
      ['GET', '/api/pages/abc/topics', undefined],
      ['GET', '/api/pages/99999999999999999999/topics', undefined],
      ['GET', '/api/pages/-1/topics', undefined],
      ['GET', '/api/topics/1.5', undefined],
      ['GET', '/api/audit?limit=-5', undefined],
      ['GET', '/api/audit?format=xml', undefined],
      ['POST', `/api/pages/${env.rt.page.id}/topics`, { name: 'x', kind: 'weekly', title: 't' }],
      ['POST', `/api/pages/${env.rt.page.id}/topics`, { name: 'x', kind: 'one_time', title: 't', extra: 1 }],
      ['PATCH', `/api/pages/${env.rt.page.id}`, { profile: '1999' }],
      ['PATCH', `/api/pages/${env.rt.page.id}`, { timeZone: 'Mars/Olympus' }],
    ] as const) {
      const res = await call(base, method, path, owner, body);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.body.error.code, `${method} ${path}`).toMatch(/^[a-z_]+$/);
    }
    expect(await count('topics')).toBe(topics);
  });
});
