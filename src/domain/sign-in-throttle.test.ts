// The sign-in throttle policy: which counter refuses, when the user may retry, and the known-address
// exemption that keeps the owner in while their account is attacked from elsewhere.
import { describe, expect, it } from 'vitest';
import {
  addressBlock,
  decide,
  SIGN_IN_LIMITS,
  type ThrottleCount,
  throttleKeys,
} from './sign-in-throttle.ts';

const now = new Date('2026-11-30T10:00:00Z');
const keys = throttleKeys('Owner@Shop.test ', '203.0.113.9');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const count = (key: string, attempts: number, startedMinutesAgo = 5, lastSuccess: Date | null = null) =>
  ({ key, attempts, windowStart: minutesAgo(startedMinutesAgo), lastSuccess }) satisfies ThrottleCount;

describe('sign-in throttle policy', () => {
  it('keys: emails case-insensitive, one key per account, address and pair', () => {
    expect(keys).toEqual({
      account: 'a:owner@shop.test',
      address: 'i:203.0.113.9',
      pair: 'p:owner@shop.test|203.0.113.9',
    });
  });

  it.each([
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('trust: an IPv6 client is counted by its /64 (%s → %s)', (ip, block) => {
    expect(addressBlock(ip)).toBe(block);
  });

  it.each([
    ['under every limit', [9, 29, 19], true],
    ['the pair is past its limit', [11, 11, 11], false],
    ['the address is past its limit', [1, 31, 1], false],
    ['the account is past its limit (unknown address)', [1, 1, 21], false],
  ])('%s', (_name, [pair, address, account], allowed) => {
    const d = decide(
      keys,
      [count(keys.pair, pair!), count(keys.address, address!), count(keys.account, account!)],
      now,
    );
    expect(d.allowed).toBe(allowed);
  });

  it('trust: a known address (signed in there within 30 days) is exempt from the account counter only', () => {
    const known = count(keys.pair, 1, 5, minutesAgo(60 * 24 * 29));
    expect(decide(keys, [known, count(keys.address, 1), count(keys.account, 500)], now).allowed).toBe(true);
    const stale = count(keys.pair, 1, 5, minutesAgo(60 * 24 * 31));
    expect(decide(keys, [stale, count(keys.address, 1), count(keys.account, 500)], now).allowed).toBe(false);
    const typos = count(keys.pair, 11, 5, minutesAgo(10));
    expect(decide(keys, [typos, count(keys.address, 11), count(keys.account, 11)], now)).toMatchObject({
      allowed: false,
      counter: 'pair',
    });
  });

  it('the retry time is the end of the latest refusing window', () => {
    const d = decide(
      keys,
      [count(keys.pair, 11, 10), count(keys.address, 31, 3), count(keys.account, 1)],
      now,
    );
    expect(d).toEqual({
      allowed: false,
      counter: 'address',
      retryAt: new Date(minutesAgo(3).getTime() + SIGN_IN_LIMITS.windowMs),
      retryAfterS: 12 * 60,
    });
  });
});
