// Customers of a page (known by PSID) and their last interaction.
import { sql } from 'kysely';
import type { CustomerState } from '../domain/model.ts';
import { type Executor, prepared } from './db.ts';
import type { CustomerRow } from './schema.ts';

export function toCustomerState(row: CustomerRow): CustomerState {
  return {
    id: row.id,
    psid: row.psid,
    lastInteractionAt: row.last_interaction_at,
    unreachableReason: row.unreachable_reason,
    optInBackoffUntil: row.optin_backoff_until,
  };
}

export interface CustomerUpsert {
  workspaceId: number;
  pageId: number;
  psid: string;
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  locale?: string | null;
  /** Only moves forward: an older event never rewinds the last interaction. */
  interactionAt?: Date | null;
  /** The whole label set: replaces the stored one (absent: the stored set is kept). */
  labels?: string[];
  /** Merged into the stored attributes (given keys win). */
  attributes?: Record<string, unknown>;
}

// The common upsert — a customer named only by page and PSID, maybe with a new last interaction (every
// webhook event) — as one prepared statement for any number of rows. Same effect as upsertChunk with no
// other field given: the stored fields are kept, the last interaction only moves forward.
const touch = prepared<CustomerRow>(
  'customers_touch',
  `INSERT INTO customers (workspace_id, page_id, psid, last_interaction_at, created_at)
   SELECT w, p, s, at, $5::timestamptz FROM unnest($1::int[], $2::int[], $3::text[], $4::timestamptz[]) AS v(w, p, s, at)
   ON CONFLICT ON CONSTRAINT customers_page_psid_key DO UPDATE
     SET last_interaction_at = greatest(customers.last_interaction_at, excluded.last_interaction_at)
   RETURNING *`,
);

type Touch = Pick<CustomerUpsert, 'workspaceId' | 'pageId' | 'psid' | 'interactionAt'>;

/** Customers named by page and PSID only: inserted, or their last interaction moved forward. */
export async function touchCustomers(
  db: Executor,
  rows: readonly Touch[],
  now: Date,
): Promise<CustomerRow[]> {
  if (rows.length === 0) return [];
  return touch.run(db, [
    rows.map((c) => c.workspaceId),
    rows.map((c) => c.pageId),
    rows.map((c) => c.psid),
    rows.map((c) => c.interactionAt ?? null),
    now,
  ]);
}

const onlyTouches = (c: CustomerUpsert) =>
  Object.keys(c).every((k) => k === 'workspaceId' || k === 'pageId' || k === 'psid' || k === 'interactionAt');

/** Insert or update by (page, psid); returns the row. */
export async function upsertCustomer(db: Executor, c: CustomerUpsert, now: Date): Promise<CustomerRow> {
  if (onlyTouches(c)) return (await touchCustomers(db, [c], now))[0]!;
  const [{ inserted: _, ...row }] = (await upsertCustomers(db, [c], now)) as [
    CustomerRow & { inserted: boolean },
  ];
  return row;
}

/**
 * The one customer upsert (webhooks, opt-ins, imports): insert or update by (page, psid), in chunks
 * of one statement each. Given fields win, absent ones keep what is stored; the last interaction only
 * moves forward; given labels replace the stored set (callers merge them first); given attributes are
 * merged into the stored ones (given keys win). Each row says whether it was new.
 */
export async function upsertCustomers(
  db: Executor,
  rows: readonly CustomerUpsert[],
  now: Date,
): Promise<Array<CustomerRow & { inserted: boolean }>> {
  const out: Array<CustomerRow & { inserted: boolean }> = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    // Labels absent must keep the stored set, so rows with and without labels go in separate statements.
    const labelled = chunk.filter((c) => c.labels !== undefined);
    const unlabelled = chunk.filter((c) => c.labels === undefined);
    if (labelled.length) out.push(...(await upsertChunk(db, labelled, now, true)));
    if (unlabelled.length) out.push(...(await upsertChunk(db, unlabelled, now, false)));
  }
  return out;
}

function upsertChunk(db: Executor, chunk: readonly CustomerUpsert[], now: Date, replaceLabels: boolean) {
  return (
    db
      .insertInto('customers')
      .values(
        chunk.map((c) => ({
          workspace_id: c.workspaceId,
          page_id: c.pageId,
          psid: c.psid,
          name: c.name ?? null,
          first_name: c.firstName ?? null,
          last_name: c.lastName ?? null,
          locale: c.locale ?? null,
          last_interaction_at: c.interactionAt ?? null,
          unreachable_reason: null,
          labels: c.labels ?? [],
          attributes: JSON.stringify(c.attributes ?? {}),
          created_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.constraint('customers_page_psid_key').doUpdateSet((eb) => ({
          name: eb.fn.coalesce('excluded.name', 'customers.name'),
          first_name: eb.fn.coalesce('excluded.first_name', 'customers.first_name'),
          last_name: eb.fn.coalesce('excluded.last_name', 'customers.last_name'),
          locale: eb.fn.coalesce('excluded.locale', 'customers.locale'),
          last_interaction_at: eb.fn('greatest', [
            'customers.last_interaction_at',
            'excluded.last_interaction_at',
          ]),
          labels: replaceLabels ? eb.ref('excluded.labels') : eb.ref('customers.labels'),
          attributes: sql`customers.attributes || excluded.attributes`,
        })),
      )
      // xmax is 0 on a freshly inserted row version: tells created from updated in one statement.
      .returningAll()
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute()
  );
}

/** The page's customers with these PSIDs, locked: an import merges their labels before the upsert. */
export async function lockCustomersByPsid(
  db: Executor,
  pageId: number,
  psids: string[],
): Promise<CustomerRow[]> {
  if (psids.length === 0) return [];
  return (await lockCustomersByPsidStatement(pageId, psids).execute(db)).rows;
}

// One array parameter, not one per PSID: an import of 100,000 rows must stay under 65,535 parameters.
// Each PSID's row by the page's key (LATERAL, a lookup per PSID), locked in PSID order. With statistics
// taken before a burst of new customers on the page ("few"), `psid = any(…)` was planned as a filter over
// every customer of the page, for each marketing send (one PSID) as for an import; the page id comes in
// beside each PSID, not as a constant, or the lookup still takes another index of the page and filters.
export function lockCustomersByPsidStatement(pageId: number, psids: readonly string[]) {
  return sql<CustomerRow>`
    SELECT c.* FROM (
      SELECT DISTINCT ${pageId}::int AS page_id, psid FROM unnest(${psids as string[]}::text[]) AS p(psid) ORDER BY psid
    ) p
    CROSS JOIN LATERAL (
      SELECT * FROM customers c WHERE c.page_id = p.page_id AND c.psid = p.psid OFFSET 0 FOR UPDATE
    ) c`;
}

export async function findCustomer(
  db: Executor,
  workspaceId: number,
  customerId: number,
  opts: { forUpdate?: boolean } = {},
): Promise<CustomerRow | undefined> {
  let q = db
    .selectFrom('customers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', customerId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findCustomerByPsid(
  db: Executor,
  pageId: number,
  psid: string,
): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('psid', '=', psid)
    .executeTakeFirst();
}

export async function touchInteraction(db: Executor, customerId: number, at: Date): Promise<void> {
  await db
    .updateTable('customers')
    .set((eb) => ({ last_interaction_at: eb.fn('greatest', ['last_interaction_at', eb.val(at)]) }))
    .where('id', '=', customerId)
    .execute();
}
/** The customer's whole label set (the inbox's change, applied by the domain). */
export async function setLabels(db: Executor, customerId: number, labels: string[]): Promise<string[]> {
  const row = await db
    .updateTable('customers')
    .set({ labels })
    .where('id', '=', customerId)
    .returning('labels')
    .executeTakeFirstOrThrow();
  return row.labels;
}

export async function findCustomerByPhone(
  db: Executor,
  pageId: number,
  phone: string,
): Promise<CustomerRow | undefined> {
  // Several customers may have given one number (a shared family phone): the latest to interact wins.
  return db
    .selectFrom('customers')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('phone', '=', phone)
    .orderBy(sql`last_interaction_at DESC NULLS LAST`)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function setCustomerPhone(
  db: Executor,
  customerId: number,
  phone: string | null,
): Promise<void> {
  await db.updateTable('customers').set({ phone }).where('id', '=', customerId).execute();
}
