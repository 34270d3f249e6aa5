// API rate limit, in memory, fixed one-minute windows. Two kinds of bucket: a client address (every
// request is charged to it before any credential is looked up) and an authenticated principal (an
// API key or a user; a request that authenticated is moved from its address to its principal). So a
// fresh random "Authorization: Bearer …" per request gets no fresh bucket, and once an address has
// spent its budget its requests are refused before they cost a database lookup.
import type { FastifyReply } from 'fastify';
import { addressBlock } from '../domain/sign-in-throttle.ts';
import { errorBody } from './errors.ts';

interface Bucket {
  count: number;
  resetAt: number;
}

/** Buckets beyond this many are swept of expired ones; beyond MAX_BUCKETS the oldest go too, so a spray
 *  of addresses cannot grow memory within one window. */
const SWEEP_AT = 10_000;
const MAX_BUCKETS = 100_000;

export class ApiRateLimit {
  private buckets = new Map<string, Bucket>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** An IPv6 client is one /64 (what one subscriber is given), as in the sign-in throttle. */
  static addressKey(ip: string): string {
    return `ip:${addressBlock(ip)}`;
  }

  /** Structural (auth.ts imports this file): the caller's key or user. */
  static principalKey(auth: { apiKeyId: number | null; userId: number | null }): string {
    return auth.apiKeyId !== null ? `key:${auth.apiKeyId}` : `user:${auth.userId}`;
  }

  /** Charges one request; false (and the 429 sent) when the bucket is spent. */
  take(key: string, reply: FastifyReply): boolean {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b || b.resetAt <= now) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(now);
      b = { count: 0, resetAt: now + this.windowMs };
      this.buckets.set(key, b);
    }
    b.count++;
    if (b.count <= this.max) return true;
    const s = Math.max(1, Math.ceil((b.resetAt - now) / 1000));
    reply
      .status(429)
      .header('retry-after', s)
      .send(
        errorBody('rate_limited', `Too many requests; retry in ${s} s.`, {
          retryAfterS: s,
          en: `Too many requests; retry in ${s} s.`,
          vi: `Quá nhiều yêu cầu; thử lại sau ${s} giây.`,
        }),
      );
    return false;
  }

  /** Gives back one request (an address charged for a request that then authenticated). */
  refund(key: string): void {
    const b = this.buckets.get(key);
    if (b && b.count > 0) b.count--;
  }

  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (b.resetAt <= now) this.buckets.delete(k);
    // Still full: forget the oldest (a Map iterates in insertion order).
    for (const k of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS) break;
      this.buckets.delete(k);
    }
  }
}
