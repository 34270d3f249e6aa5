import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageRateLimiter } from './rate-limiter.ts';

/** Simulated time: sleeping advances the clock, so the tests run instantly and deterministically. */
function simulated(opts: { perSecond: number; slowDownMs?: number }) {
  let now = 0;
  const limiter = new PageRateLimiter({
    ...opts,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return {
    limiter,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Largest number of calls admitted in any window [t, t + 1000). */
function maxInAnySecond(admitted: Array<[number, number]>): number {
  let max = 0;
  for (const [start] of admitted) {
    const n = admitted.filter(([t]) => t >= start && t < start + 1000).reduce((s, [, c]) => s + c, 0);
    max = Math.max(max, n);
  }
  return max;
}

describe('PageRateLimiter', () => {
  it('keeps ≤ N calls in any one-second window (N = 300, Send API per page)', async () => {
    const { limiter, now } = simulated({ perSecond: 300 });
    const admitted: Array<[number, number]> = [];
    for (let i = 0; i < 1000; i++) {
      await limiter.acquire('p1', 1);
      admitted.push([now(), 1]);
    }
    expect(maxInAnySecond(admitted)).toBe(300);
    // 1000 calls at 300/s need a little over three seconds, not more.
    expect(now()).toBeGreaterThanOrEqual(3000);
    expect(now()).toBeLessThan(4000);
  });

  it('counts a batch of n as n calls', async () => {
    const { limiter, now } = simulated({ perSecond: 100 });
    const admitted: Array<[number, number]> = [];
    for (let i = 0; i < 10; i++) {
      await limiter.acquire('p1', 50);
      admitted.push([now(), 50]);
    }
    expect(maxInAnySecond(admitted)).toBeLessThanOrEqual(100);
    expect(now()).toBeGreaterThanOrEqual(4000);
  });

  it('property: any mix of acquire sizes, concurrent or not, never exceeds N in a second', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.record({ n: fc.integer({ min: 1, max: 20 }), gap: fc.integer({ min: 0, max: 300 }) }), {
          maxLength: 60,
        }),
        async (perSecond, calls) => {
          const { limiter, now, advance } = simulated({ perSecond });
          const admitted: Array<[number, number]> = [];
          const pending: Promise<void>[] = [];
          for (const c of calls) {
            advance(c.gap);
            const n = Math.min(c.n, perSecond);
            pending.push(limiter.acquire('p', n).then(() => void admitted.push([now(), n])));
          }
          await Promise.all(pending);
          expect(maxInAnySecond(admitted)).toBeLessThanOrEqual(perSecond);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('pages are independent', async () => {
    const { limiter, now } = simulated({ perSecond: 2 });
    await limiter.acquire('a');
    await limiter.acquire('a');
    await limiter.acquire('b');
    await limiter.acquire('b');
    expect(now()).toBe(0);
    await limiter.acquire('a');
    expect(now()).toBe(1000);
  });

  it('admits a request larger than the rate alone into an empty window instead of deadlocking', async () => {
    const { limiter, now } = simulated({ perSecond: 10 });
    await limiter.acquire('p', 50);
    expect(now()).toBe(0);
    await limiter.acquire('p', 1);
    expect(now()).toBe(1000);
  });

  it('slowDown halves the page rate for slowDownMs, compounds, then restores it', async () => {
    const { limiter, advance } = simulated({ perSecond: 300, slowDownMs: 60_000 });
    limiter.slowDown('p');
    expect(limiter.currentRate('p')).toBe(150);
    limiter.slowDown('p');
    expect(limiter.currentRate('p')).toBe(75);
    expect(limiter.currentRate('other')).toBe(300);
    advance(60_000);
    expect(limiter.currentRate('p')).toBe(300);
    limiter.slowDown('p');
    expect(limiter.currentRate('p')).toBe(150); // a new period starts from full speed
  });

  it('a slowed page is held to the reduced rate', async () => {
    const { limiter, now } = simulated({ perSecond: 100 });
    limiter.slowDown('p');
    const admitted: Array<[number, number]> = [];
    for (let i = 0; i < 200; i++) {
      await limiter.acquire('p');
      admitted.push([now(), 1]);
    }
    expect(maxInAnySecond(admitted)).toBe(50);
  });

  it('serves waiters first come, first served', async () => {
    const { limiter } = simulated({ perSecond: 10 });
    const order: string[] = [];
    await limiter.acquire('p', 10);
    const big = limiter.acquire('p', 10).then(() => order.push('big'));
    const small = limiter.acquire('p', 1).then(() => order.push('small'));
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
  });
});
