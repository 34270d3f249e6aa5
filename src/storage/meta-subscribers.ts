// The Meta side of consent for paid marketing messages (R14b, R14e): Meta's token list as last
// synchronised, and the stops not yet told to Meta.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import { decrypt, encrypt, lookupHash } from './secrets.ts';

export async function upsertMetaSubscribers(
  db: Executor,
  pageId: number,
  rows: ReadonlyArray<{ token: string; psid: string }>,
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('meta_subscribers')
    .values(
      rows.map((r) => ({
        page_id: pageId,
        token_hash: lookupHash(r.token),
        token: encrypt(r.token),
        psid: r.psid,
        first_seen_at: now,
        last_seen_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['page_id', 'token_hash']).doUpdateSet({ last_seen_at: now }))
    .execute();
}

/** Of these token hashes, the ones a customer of ours holds on the page (any topic). */
export async function knownTokenHashes(db: Executor, pageId: number, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db
    .selectFrom('subscriptions')
    .select('token_hash')
    .where('page_id', '=', pageId)
    .where(sql<boolean>`token_hash = any(${hashes}::text[])`)
    .execute();
  return new Set(rows.map((r) => r.token_hash));
}

/** R14b: the customer's token in Meta's list as last synchronised (one per customer and page), if any. */
export async function tokenOfPsid(db: Executor, pageId: number, psid: string): Promise<string | null> {
  const row = await db
    .selectFrom('meta_subscribers')
    .select('token')
    .where('page_id', '=', pageId)
    .where('psid', '=', psid)
    .orderBy('last_seen_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? decrypt(row.token) : null;
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

/** R14e: recurring subscriptions stopped on these pages with no `meta_unsubscribed` since the stop. */
export async function stopsNotToldToMeta(
  db: Executor,
  pageIds: number[],
  limit: number,
): Promise<StopToTell[]> {
  if (pageIds.length === 0) return [];
  const rows = await db
    .selectFrom('subscriptions as s')
    .innerJoin('customers as c', 'c.id', 's.customer_id')
    .select([
      's.id',
      's.workspace_id',
      's.page_id',
      's.topic_id',
      's.customer_id',
      's.token',
      's.stopped_at',
      'c.psid',
    ])
    .where('s.kind', '=', 'recurring')
    .where('s.stopped_at', 'is not', null)
    .where(sql<boolean>`s.page_id = any(${pageIds}::int[])`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('consent_history as h')
            .select(sql`1`.as('one'))
            .whereRef('h.subscription_id', '=', 's.id')
            .where('h.event', '=', 'meta_unsubscribed')
            .whereRef('h.at', '>=', 's.stopped_at'),
        ),
      ),
    )
    .orderBy('s.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    subscriptionId: r.id,
    workspaceId: r.workspace_id,
    pageId: r.page_id,
    topicId: r.topic_id,
    customerId: r.customer_id,
    psid: r.psid,
    token: decrypt(r.token),
    stoppedAt: new Date(r.stopped_at!),
  }));
}
