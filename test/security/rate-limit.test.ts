// Issue 9, item 7: the API rate limit. Requests are charged to the client address until they
// authenticate; only an authenticated request is counted on its principal (API key or user). A new
// random "Authorization: Bearer …" per request therefore gets no new bucket, and once an address has
// spent its budget its requests are refused before any credential is looked up in the database.
import { randomBytes } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/accounts.ts';
import { BACKENDS } from '../support/backends.ts';
import { boot, call } from './harness.ts';

const LIMIT = 5;
const from = (ip: string) => ({ 'x-forwarded-for': ip });
const randomKey = () => `rk_${randomBytes(24).toString('base64url')}`;

/** Counts the statements that read credentials (api_keys, sessions): each is a database lookup. */
function credentialLookups() {
  const counter = { n: 0 };
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      if (/"name":"(api_keys|sessions)"/.test(JSON.stringify(args.node))) counter.n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { counter, plugin };
}

describe.each(BACKENDS)('API rate limit on %s', (backend) => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  const lookups = credentialLookups();
  beforeAll(async () => {
    env = await boot(backend, {
      apiRatePerMinute: LIMIT,
      trustedProxies: ['loopback'],
      onStorage: (s) => {
        s.db = s.db.withPlugin(lookups.plugin);
      },
    });
    base = env.rt.url!;
  });
  afterAll(async () => env?.close());

  it('trust: a different random bearer per request gets no bucket of its own (the address is charged)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      const res = await call(
        base,
        'GET',
        '/api/auth/me',
        { apiKey: randomKey() },
        undefined,
        from('203.0.113.1'),
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429, 429, 429]);
    const limited = await call(
      base,
      'GET',
      '/api/auth/me',
      { apiKey: randomKey() },
      undefined,
      from('203.0.113.1'),
    );
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client address has its own budget.
    expect((await call(base, 'GET', '/api/auth/me', {}, undefined, from('203.0.113.2'))).status).toBe(401);
  });

  it('trust: an IPv6 client rotating addresses inside its /64 shares one budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await call(
        base,
        'GET',
        '/api/auth/me',
        {},
        undefined,
        from(`2001:db8:1:2::${(i + 1).toString(16)}`),
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429, 429]);
    // The next /64 is another client.
    expect((await call(base, 'GET', '/api/auth/me', {}, undefined, from('2001:db8:1:3::1'))).status).toBe(
      401,
    );
  });

  it('trust: once an address has spent its budget, garbage bearer tokens cost no database lookup', async () => {
    lookups.counter.n = 0;
    for (let i = 0; i < 40; i++) {
      await call(base, 'GET', '/api/auth/me', { apiKey: randomKey() }, undefined, from('203.0.113.3'));
    }
    expect(lookups.counter.n).toBe(LIMIT);
    // Tokens not of the shape this service issues are refused without a lookup at all.
    lookups.counter.n = 0;
    for (const garbage of ['x', 'rk_short', `rk_${'a'.repeat(33)}`, `${randomKey()}'--`]) {
      const res = await call(
        base,
        'GET',
        '/api/auth/me',
        { apiKey: garbage },
        undefined,
        from('203.0.113.4'),
      );
      expect(res.status).toBe(401);
    }
    const cookie = await call(
      base,
      'GET',
      '/api/auth/me',
      { cookie: 'rn_session=forged' },
      undefined,
      from('203.0.113.4'),
    );
    expect(cookie.status).toBe(401);
    expect(lookups.counter.n).toBe(0);
  });

  it('trust: an authenticated request is counted on its principal, not on its address', async () => {
    const { key } = await createApiKey(
      env.rt.ctx,
      env.rt.workspaceId,
      { name: 'limited', role: 'agent' },
      null,
    );
    const ok: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) {
      ok.push(
        (await call(base, 'GET', '/api/auth/me', { apiKey: key }, undefined, from('203.0.113.5'))).status,
      );
    }
    expect(ok).toEqual([...Array(LIMIT).fill(200), 429]);
    // The key's bucket follows the key to another address…
    expect(
      (await call(base, 'GET', '/api/auth/me', { apiKey: key }, undefined, from('203.0.113.6'))).status,
    ).toBe(429);
    // …and its requests did not spend the address's budget: unauthenticated calls from there still get through.
    for (let i = 0; i < LIMIT; i++) {
      expect((await call(base, 'GET', '/api/auth/me', {}, undefined, from('203.0.113.5'))).status).toBe(401);
    }
    expect((await call(base, 'GET', '/api/auth/me', {}, undefined, from('203.0.113.5'))).status).toBe(429);
  });
});
