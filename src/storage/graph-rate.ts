// The deployment-wide ledger of Graph calls per page (migration 008): every process on one PostgreSQL
// database takes its calls from here, in chunks, so that their sum respects Meta's per-page limit.
// Raw SQL: the table is internal to this module.
import { sql } from 'kysely';
import type { Db } from './db.ts';

export interface CallGrant {
  /** Calls granted now (0 when fewer than `min` were free). */
  granted: number;
  /** When nothing was granted: how long until enough calls leave the window. */
  retryInMs: number;
}

/**
 * Grants up to `want` (at least `min`, or none) of the page's `limit` calls per `windowMs`, counting
 * every grant made in the last `windowMs` by any process. One transaction under a per-page advisory
 * lock, so concurrent takers are serialised; the database's clock orders the grants.
 */
export async function takeCalls(
  db: Db,
  pageId: string,
  opts: { want: number; min: number; limit: number; windowMs: number },
): Promise<CallGrant> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`renotify.graph_rate:${pageId}`}))`.execute(tx);
    // clock_timestamp(), not now(): the transaction may have waited for the lock.
    const at = (await sql<{ at: Date }>`SELECT clock_timestamp() AS at`.execute(tx)).rows[0]!.at;
    const cutoff = new Date(at.getTime() - opts.windowMs);
    await sql`DELETE FROM graph_rate_grants WHERE page_id = ${pageId} AND granted_at <= ${cutoff}`.execute(
      tx,
    );
    const grants = (
      await sql<{ calls: number; granted_at: Date }>`
        SELECT calls, granted_at FROM graph_rate_grants WHERE page_id = ${pageId} ORDER BY granted_at`.execute(
        tx,
      )
    ).rows;
    const used = grants.reduce((n, g) => n + g.calls, 0);
    const free = opts.limit - used;
    if (free >= opts.min) {
      const granted = Math.min(opts.want, free);
      await sql`INSERT INTO graph_rate_grants (page_id, granted_at, calls) VALUES (${pageId}, ${at}, ${granted})`.execute(
        tx,
      );
      return { granted, retryInMs: 0 };
    }
    // The oldest grants leave the window first: wait until enough of them have.
    let freed = free;
    for (const g of grants) {
      freed += g.calls;
      if (freed >= opts.min)
        return { granted: 0, retryInMs: Math.max(1, g.granted_at.getTime() + opts.windowMs - at.getTime()) };
    }
    return { granted: 0, retryInMs: opts.windowMs };
  });
}
