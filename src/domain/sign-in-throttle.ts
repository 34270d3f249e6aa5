// The sign-in throttle policy (docs/SECURITY.md). Every attempt is counted, before the password is
// checked, on three counters with fixed windows: the account, the client address, and the pair of
// both. A pair that signed in successfully in the last KNOWN_DAYS is a known address of the account:
// it is exempt from the account's counter, so failures from elsewhere never lock the owner out of
// their own address. Storage does the counting (one atomic statement); this decides.

export interface SignInLimits {
  windowMs: number;
  /** Attempts per window on one account from one address. */
  pair: number;
  /** Attempts per window from one address, whatever the accounts (one address trying many). */
  address: number;
  /** Attempts per window on one account from addresses it is not known at (many addresses, one account). */
  account: number;
  /** How long a successful sign-in makes its address known to the account. */
  knownMs: number;
}

export const SIGN_IN_LIMITS: SignInLimits = {
  windowMs: 15 * 60_000,
  pair: 10,
  address: 30,
  account: 20,
  knownMs: 30 * 86_400_000,
};

export interface ThrottleKeys {
  account: string;
  address: string;
  pair: string;
}

/** A counter after this attempt was counted. */
export interface ThrottleCount {
  key: string;
  attempts: number;
  windowStart: Date;
  lastSuccess: Date | null;
}

export type ThrottleDecision =
  | { allowed: true }
  | { allowed: false; retryAt: Date; retryAfterS: number; counter: 'pair' | 'address' | 'account' };

/**
 * The counters' keys. Emails compare case-insensitively; an IPv6 client is counted by its /64 (one
 * subscriber's allocation), so rotating addresses inside it gains nothing.
 */
export function throttleKeys(email: string, clientAddress: string): ThrottleKeys {
  const account = email.trim().toLowerCase();
  const address = addressBlock(clientAddress);
  return { account: `a:${account}`, address: `i:${address}`, pair: `p:${account}|${address}` };
}

export function decide(
  keys: ThrottleKeys,
  counts: readonly ThrottleCount[],
  now: Date,
  limits: SignInLimits = SIGN_IN_LIMITS,
): ThrottleDecision {
  const find = (key: string) => counts.find((c) => c.key === key);
  const pair = find(keys.pair);
  const known = pair?.lastSuccess != null && now.getTime() - pair.lastSuccess.getTime() < limits.knownMs;
  const over: Array<['pair' | 'address' | 'account', ThrottleCount]> = [];
  if (pair && pair.attempts > limits.pair) over.push(['pair', pair]);
  const address = find(keys.address);
  if (address && address.attempts > limits.address) over.push(['address', address]);
  const account = find(keys.account);
  if (!known && account && account.attempts > limits.account) over.push(['account', account]);
  if (!over.length) return { allowed: true };
  // Retry when every counter that refused has started a new window.
  let [counter, latest] = over[0]!;
  for (const [name, c] of over) if (c.windowStart > latest.windowStart) [counter, latest] = [name, c];
  const retryAt = new Date(latest.windowStart.getTime() + limits.windowMs);
  const retryAfterS = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  return { allowed: false, retryAt, retryAfterS, counter };
}

/** IPv4 as is (IPv4-mapped IPv6 unwrapped); IPv6 as its /64 prefix. */
export function addressBlock(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, '') || '0')
    .join(':')}::/64`;
}
