// The deployment-wide Graph call ledger (issue 9, "Also") at the level of the limiter: three limiters, each on
// its own connection pool as three processes would be, share one page's limit through PostgreSQL.
// The calls they admit, all together, never exceed the limit in any one-second window, and they take
// calls from the ledger in chunks: far fewer queries than calls.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { SharedPageRateLimiter } from '../../src/channel/rate-limiter.ts';
import { openStorage, type Storage } from '../../src/storage/db.ts';
import { takeCalls } from '../../src/storage/graph-rate.ts';
import { hasPostgres, openTestStorage } from '../support/backends.ts';

const opened: Storage[] = [];
afterAll(async () => {
  for (const s of opened.reverse()) await s.close();
});

describe.skipIf(!hasPostgres())(
  'trust: the per-page Graph rate limit is per process (issue 9, "Also"): the ledger',
  () => {
    it('trust: three limiters on three pools admit at most the page limit in any second, taking calls in chunks', async () => {
      const main = await openTestStorage('postgres');
      opened.push(main);
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(main.db)).rows[0]!.s;
      const LIMIT = 60;
      const TOTAL = 240;
      let queries = 0;
      const limiters = await Promise.all(
        [0, 1, 2].map(async () => {
          const s = await openStorage({
            databaseUrl: process.env.DATABASE_URL!,
            schema,
            migrate: false,
            poolSize: 2,
          });
          opened.push(s);
          return new SharedPageRateLimiter({
            perSecond: LIMIT,
            chunk: 10,
            source: {
              take: (pageId, o) => {
                queries++;
                return takeCalls(s.db, pageId, o);
              },
            },
          });
        }),
      );
      const admitted: number[] = [];
      // Four senders per limiter, one call each time, until TOTAL calls went out.
      await Promise.all(
        limiters.flatMap((l) =>
          Array.from({ length: 4 }, async () => {
            while (admitted.length < TOTAL) {
              await l.acquire('page-1', 1);
              admitted.push(Date.now());
            }
          }),
        ),
      );
      admitted.sort((a, b) => a - b);
      let peak = 0;
      for (let i = 0, j = 0; i < admitted.length; i++) {
        while (admitted[i]! - admitted[j]! >= 1000) j++;
        peak = Math.max(peak, i - j + 1);
      }
      const seen = `peak ${peak}/s, ${queries} ledger queries for ${admitted.length} calls`;
      expect(peak, seen).toBeLessThanOrEqual(LIMIT);
      expect(peak, seen).toBeGreaterThan(LIMIT / 3); // the limit is used, not starved
      expect(queries, seen).toBeLessThan(admitted.length / 2); // chunks, not a query per call
    });
  },
);
