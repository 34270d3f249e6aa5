// Issue 9, item 5: the sign-in throttle against a running server. Attempts are counted atomically
// before the password is checked, per account, per client address and per pair of both; an address
// that signed in to an account before is exempt from that account's counter (docs/SECURITY.md). The
// service sits behind a trusted proxy (loopback), so X-Forwarded-For names each client's address.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createUser } from '../../src/app/accounts.ts';
import type { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { SIGN_IN_LIMITS } from '../../src/domain/sign-in-throttle.ts';
import { BACKENDS } from '../support/backends.ts';
import { boot, call, type Reply } from './harness.ts';

type Env = Awaited<ReturnType<typeof boot>>;

async function account(env: Env) {
  const email = `user-${randomBytes(4).toString('hex')}@shop.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await createUser(env.rt.ctx, { email, name: 'User', password });
  await addMember(env.rt.ctx, env.rt.workspaceId, user.id, 'admin');
  return { email, password };
}

const signIn = (env: Env, email: string, password: string, ip?: string) =>
  call(
    env.rt.url!,
    'POST',
    '/api/auth/sign-in',
    {},
    { email, password },
    ip ? { 'x-forwarded-for': ip } : {},
  );

const statuses = (replies: Reply[]) => {
  const n: Record<number, number> = {};
  for (const r of replies) n[r.status] = (n[r.status] ?? 0) + 1;
  return n;
};

describe.each(BACKENDS)('sign-in throttle behind a trusted proxy on %s', (backend) => {
  let env: Env;
  beforeAll(async () => {
    env = await boot(backend, { trustedProxies: ['loopback'] });
  });
  afterAll(async () => env?.close());

  it('trust: 60 concurrent wrong passwords: only the limit is evaluated, the rest refused before the password check', async () => {
    const victim = await account(env);
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => signIn(env, victim.email, `wrong-${i}-password`, '198.51.100.10')),
    );
    expect(statuses(replies)).toEqual({ 401: SIGN_IN_LIMITS.pair, 429: 60 - SIGN_IN_LIMITS.pair });
  });

  it('trust: the owner at their own address is not locked out by failures from other addresses', async () => {
    const owner = await account(env);
    expect((await signIn(env, owner.email, owner.password, '198.51.100.20')).status).toBe(200);
    // One address hammers the account concurrently, then many addresses try it once each.
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => signIn(env, owner.email, `wrong-${i}-password`, '198.51.100.21')),
    );
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => signIn(env, owner.email, 'wrong-password', `198.51.101.${i + 1}`)),
    );
    expect((await signIn(env, owner.email, owner.password, '198.51.100.20')).status).toBe(200);
  });

  it('trust: many addresses against one account are slowed on the account (a known address is not)', async () => {
    const victim = await account(env);
    expect((await signIn(env, victim.email, victim.password, '192.0.2.200')).status).toBe(200);
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        signIn(env, victim.email, `wrong-${i}-password`, `192.0.2.${i + 1}`),
      ),
    );
    expect(statuses(replies)).toEqual({ 401: SIGN_IN_LIMITS.account, 429: 40 - SIGN_IN_LIMITS.account });
    // The policy: a new address waits for the window, even with the right password; the known one does not.
    const fresh = await signIn(env, victim.email, victim.password, '192.0.2.150');
    expect(fresh.status).toBe(429);
    expect(fresh.body.error.code).toBe('sign_in_blocked');
    expect((await signIn(env, victim.email, victim.password, '192.0.2.200')).status).toBe(200);
  });

  it('trust: one address trying many accounts is slowed on the address', async () => {
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        signIn(env, `nobody-${i}@shop.test`, 'wrong-password', '203.0.113.50'),
      ),
    );
    expect(statuses(replies)).toEqual({ 401: SIGN_IN_LIMITS.address, 429: 40 - SIGN_IN_LIMITS.address });
    const user = await account(env);
    expect((await signIn(env, user.email, user.password, '203.0.113.50')).status).toBe(429);
    expect((await signIn(env, user.email, user.password, '203.0.113.51')).status).toBe(200);
  });

  it('trust: successful sign-ins from one address do not refund its budget for trying other accounts', async () => {
    const mine = await account(env);
    const ip = '203.0.113.60';
    let wrong = 0;
    // The attacker alternates a guess against someone else with a sign-in to an account they hold.
    for (let i = 0; i < SIGN_IN_LIMITS.address; i++) {
      const guess = await signIn(env, `victim-${i}@shop.test`, 'wrong-password', ip);
      if (guess.status === 401) wrong++;
      await signIn(env, mine.email, mine.password, ip);
    }
    expect(wrong).toBeLessThan(SIGN_IN_LIMITS.address);
    expect((await signIn(env, 'victim-last@shop.test', 'wrong-password', ip)).status).toBe(429);
  });

  it('trust: a blocked sign-in says when to retry (Retry-After and the time in the body), and ends then', async () => {
    const user = await account(env);
    const ip = '198.51.100.30';
    for (let i = 0; i < SIGN_IN_LIMITS.pair; i++) {
      expect((await signIn(env, user.email, `wrong-${i}-password`, ip)).status).toBe(401);
    }
    const blocked = await signIn(env, user.email, user.password, ip);
    expect(blocked.status).toBe(429);
    const { details } = blocked.body.error;
    const retryAfterS = Number(blocked.headers['retry-after']);
    expect(details.retryAfterS).toBe(retryAfterS);
    expect(retryAfterS).toBeGreaterThan(0);
    expect(retryAfterS).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowMs / 1000);
    const until = new Date(details.retryAt).getTime() - env.rt.clock.now().getTime();
    expect(Math.abs(until - retryAfterS * 1000)).toBeLessThan(60_000);
    expect(details.en).toContain(details.retryAt);
    expect(details.vi).toContain(details.retryAt);
    // Nothing was evaluated meanwhile: the right password is refused until the time it named.
    expect((await signIn(env, user.email, user.password, ip)).status).toBe(429);
    (env.rt.clock as ManualClock).advance(retryAfterS * 1000);
    expect((await signIn(env, user.email, user.password, ip)).status).toBe(200);
  });
});

describe.each(BACKENDS)('sign-in throttle without a trusted proxy on %s', (backend) => {
  let env: Env;
  beforeAll(async () => {
    env = await boot(backend);
  });
  afterAll(async () => env?.close());

  it('trust: X-Forwarded-For from an untrusted peer is ignored (a client cannot pick its address)', async () => {
    const victim = await account(env);
    const replies: Reply[] = [];
    for (let i = 0; i <= SIGN_IN_LIMITS.pair; i++) {
      replies.push(await signIn(env, victim.email, `wrong-${i}-password`, `10.9.${i}.1`));
    }
    expect(replies.map((r) => r.status)).toEqual([...Array(SIGN_IN_LIMITS.pair).fill(401), 429]);
  });
});

describe('TRUSTED_PROXIES', () => {
  it('takes addresses, CIDRs and the loopback/linklocal/uniquelocal keywords; refuses anything else', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(
      loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, loopback ,2001:db8::/32,192.0.2.7' }).trustedProxies,
    ).toEqual(['10.0.0.0/8', 'loopback', '2001:db8::/32', '192.0.2.7']);
    for (const bad of ['proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1', 'all']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
  });
});
