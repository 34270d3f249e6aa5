// The Meta side of consent for paid marketing messages (R14b, R14e): Meta's token list as last
// synchronised, and the stops not yet told to Meta.
import { sql, type UpdateObject } from 'kysely';
import type { Executor } from './db.ts';
import type { Database } from './schema.ts';
import { decrypt, encrypt, lookupHash } from './secrets.ts';

/** One row of Meta's list; `unsubscribed` when the row itself says the person stopped (R14b). */
export interface MetaTokenRow {
  token: string;
  psid: string;
  unsubscribed: boolean;
}

/**
 * Records a chunk of Meta's list: seen now; a live row clears an earlier unsubscribe, a stopped one sets
 * it. Returns how many rows this call marked unsubscribed (a STOP row already marked is not counted).
 */
export async function upsertMetaSubscribers(
  db: Executor,
  pageId: number,
  rows: ReadonlyArray<MetaTokenRow>,
  now: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const written = await db
    .insertInto('meta_subscribers')
    .values(
      rows.map((r) => ({
        page_id: pageId,
        token_hash: lookupHash(r.token),
        token: encrypt(r.token),
        psid: r.psid,
        first_seen_at: now,
        last_seen_at: now,
        unsubscribed_at: r.unsubscribed ? now : null,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['page_id', 'token_hash']).doUpdateSet({
        // Never back in time: an older read writing after a newer one would make the newer read's
        // markUnlistedUnsubscribed call listed tokens gone.
        last_seen_at: sql`greatest(meta_subscribers.last_seen_at, excluded.last_seen_at)`,
        // The first time Meta said so is kept; a live row again (the person came back) clears it. A read
        // older than the one stored says nothing new (two syncs may overlap).
        unsubscribed_at: sql`CASE WHEN excluded.last_seen_at < meta_subscribers.last_seen_at
            THEN meta_subscribers.unsubscribed_at
          WHEN excluded.unsubscribed_at IS NULL THEN NULL
          ELSE coalesce(meta_subscribers.unsubscribed_at, excluded.unsubscribed_at) END`,
      }),
    )
    // The first time is kept, so a row marked by this call is one whose time is this call's.
    .returning('unsubscribed_at')
    .execute();
  return written.filter((r) => r.unsubscribed_at?.getTime() === now.getTime()).length;
}

/**
 * After a complete read of Meta's list: a token seen before but not in it has unsubscribed (Meta's
 * tokens "do not expire unless a subscriber opts out"). Returns the tokens marked now.
 */
export async function markUnlistedUnsubscribed(
  db: Executor,
  pageId: number,
  listedSince: Date,
  now: Date,
): Promise<Array<{ token: string; psid: string }>> {
  const rows = await db
    .updateTable('meta_subscribers')
    .set({ unsubscribed_at: now })
    .where('page_id', '=', pageId)
    .where('last_seen_at', '<', listedSince)
    .where('unsubscribed_at', 'is', null)
    .returning(['token', 'psid'])
    .execute();
  return rows.map((r) => ({ token: decrypt(r.token), psid: r.psid }));
}

/**
 * Tokens Meta's list says unsubscribed whose subscription in the product is still live (not stopped, not
 * expired): the stops a sync has yet to apply — including those a sync marked but did not get to apply.
 */
export async function unsubscribedButLive(
  db: Executor,
  pageId: number,
  now: Date,
): Promise<Array<{ token: string; psid: string }>> {
  const rows = await db
    .selectFrom('meta_subscribers as m')
    .innerJoin('subscriptions as s', (j) =>
      j.onRef('s.page_id', '=', 'm.page_id').onRef('s.token_hash', '=', 'm.token_hash'),
    )
    .select(['m.token', 'm.psid'])
    .distinct()
    .where('m.page_id', '=', pageId)
    .where('m.unsubscribed_at', 'is not', null)
    .where('s.stopped_at', 'is', null)
    .where('s.expires_at', '>', now)
    .execute();
  return rows.map((r) => ({ token: decrypt(r.token), psid: r.psid }));
}

/**
 * 2300004: Meta calls the token invalid. Its row in Meta's list (if synchronised) is unsubscribed, and
 * the page's subscriptions on it expire now. Returns the subscriptions expired.
 */
export async function markTokenDead(
  db: Executor,
  pageId: number,
  token: string,
  now: Date,
): Promise<number[]> {
  const hash = lookupHash(token);
  await db
    .updateTable('meta_subscribers')
    .set({ unsubscribed_at: now })
    .where('page_id', '=', pageId)
    .where('token_hash', '=', hash)
    .where('unsubscribed_at', 'is', null)
    .execute();
  const rows = await db
    .updateTable('subscriptions')
    .set({ expires_at: now, updated_at: now })
    .where('page_id', '=', pageId)
    .where('token_hash', '=', hash)
    .where('expires_at', '>', now)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Of these token hashes, the ones a customer of ours holds on the page (any topic). */
export async function knownTokenHashes(db: Executor, pageId: number, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const { rows } = await knownTokenHashesStatement(pageId, hashes).execute(db);
  return new Set(rows.map((r) => r.token_hash));
}

// Each hash by the page's key (LATERAL; OFFSET 0 keeps it a lookup per hash): with statistics taken
// before a burst of opt-ins on the page ("few tokens"), `token_hash = any(…)` was planned as a filter
// over every token of the page, for each chunk of Meta's list.
export function knownTokenHashesStatement(pageId: number, hashes: readonly string[]) {
  return sql<{ token_hash: string }>`
    SELECT s.token_hash FROM unnest(${hashes as string[]}::text[]) AS h(hash)
    CROSS JOIN LATERAL (
      SELECT token_hash FROM subscriptions s WHERE s.page_id = ${pageId} AND s.token_hash = h.hash OFFSET 0
    ) s`;
}

/**
 * R14b: the customer's token in Meta's list as last synchronised (one per customer and page), if any,
 * and whether Meta's list says it unsubscribed.
 */
export async function tokenOfPsid(
  db: Executor,
  pageId: number,
  psid: string,
): Promise<{ token: string; unsubscribed: boolean } | null> {
  const row = await db
    .selectFrom('meta_subscribers')
    .select(['token', 'unsubscribed_at'])
    .where('page_id', '=', pageId)
    .where('psid', '=', psid)
    .orderBy('last_seen_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { token: decrypt(row.token), unsubscribed: row.unsubscribed_at !== null } : null;
}

export async function countMetaSubscribers(db: Executor, pageId: number): Promise<number> {
  const r = await db
    .selectFrom('meta_subscribers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface StopToTell {
  subscriptionId: number;
  workspaceId: number;
  pageId: number;
  topicId: number;
  customerId: number;
  psid: string;
  token: string;
  stoppedAt: Date;
}

/**
 * R14e: recurring subscriptions stopped on these pages and not yet confirmed stopped by Meta since the
 * stop, never-tried first, then the longest since a refused try; at most `limit`. Each page is read on
 * its own through migration 040's partial index, which holds only the stops still to tell: the read
 * touches at most `limit` of them per page, whatever was stopped and told before.
 */
function stopsNotToldQuery(pageIds: number[], limit: number) {
  // Literals, not parameters, in the predicate: the partial index matches them in any plan.
  return sql<{
    id: number;
    workspace_id: number;
    page_id: number;
    topic_id: number;
    customer_id: number;
    token: string;
    stopped_at: Date | string;
    psid: string;
  }>`SELECT s.id, s.workspace_id, s.page_id, s.topic_id, s.customer_id, s.token, s.stopped_at, c.psid
    FROM unnest(${pageIds}::int[]) AS p(id)
    CROSS JOIN LATERAL (
      SELECT s.id, s.workspace_id, s.page_id, s.topic_id, s.customer_id, s.token, s.stopped_at,
        s.meta_stop_tried_at
      FROM subscriptions s
      WHERE s.page_id = p.id AND s.kind = 'recurring' AND s.stopped_at IS NOT NULL
        AND (s.meta_stop_told_at IS NULL OR s.meta_stop_told_at < s.stopped_at)
      ORDER BY s.meta_stop_tried_at NULLS FIRST, s.id
      LIMIT ${limit}) s
    JOIN customers c ON c.id = s.customer_id
    ORDER BY s.meta_stop_tried_at NULLS FIRST, s.id
    LIMIT ${limit}`;
}

/** `stopsNotToldToMeta`'s read, compiled (a plan test looks at it). */
export function stopsNotToldToMetaStatement(db: Executor, pageIds: number[], limit: number) {
  return stopsNotToldQuery(pageIds, limit).compile(db);
}

export async function stopsNotToldToMeta(
  db: Executor,
  pageIds: number[],
  limit: number,
): Promise<StopToTell[]> {
  if (pageIds.length === 0) return [];
  const { rows } = await stopsNotToldQuery(pageIds, limit).execute(db);
  return rows.map((r) => ({
    subscriptionId: r.id,
    workspaceId: r.workspace_id,
    pageId: r.page_id,
    topicId: r.topic_id,
    customerId: r.customer_id,
    psid: r.psid,
    token: decrypt(r.token),
    stoppedAt: new Date(r.stopped_at),
  }));
}

/**
 * R14e: Meta confirmed the stop the sweep read (`stoppedAt`), with the consent row in the caller's
 * transaction. Never marked before the stop itself (a stop Meta timed a little ahead of this clock would
 * be told again and again); a refused try is forgotten, so the token's next stop is not queued behind
 * the stops never tried.
 */
export function markStopTold(db: Executor, subscriptionId: number, stoppedAt: Date, at: Date): Promise<void> {
  return markStopRead(db, subscriptionId, stoppedAt, {
    meta_stop_told_at: sql`GREATEST(${at}::timestamptz, stopped_at)`,
    meta_stop_tried_at: null,
  });
}

/** R14e: Meta refused the stop the sweep read (`stoppedAt`): the next sweeps try the others first. */
export function markStopTried(
  db: Executor,
  subscriptionId: number,
  stoppedAt: Date,
  at: Date,
): Promise<void> {
  return markStopRead(db, subscriptionId, stoppedAt, { meta_stop_tried_at: at });
}

/**
 * Marks a token's stop only while the token still stands stopped as the sweep read it: a resume and a new
 * stop while Meta was being called leave the new stop to tell, untouched.
 */
async function markStopRead(
  db: Executor,
  subscriptionId: number,
  stoppedAt: Date,
  marks: UpdateObject<Database, 'subscriptions'>,
): Promise<void> {
  await db
    .updateTable('subscriptions')
    .set(marks)
    .where('id', '=', subscriptionId)
    // To the millisecond it was read with (a stored time may carry microseconds); a later stop is a later
    // webhook.
    .where('stopped_at', '<', new Date(stoppedAt.getTime() + 1))
    .execute();
}
