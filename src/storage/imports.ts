// Bulk SQL for import and export: customers upserted in chunks, and the consent history read in
// keyset batches with its topic and customer. Subscriptions go through storage/subscriptions.ts, which
// owns the token encryption.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { CustomerRow } from './schema.ts';

export interface ImportedCustomer {
  psid: string;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  locale: string | null;
  lastInteractionAt: Date | null;
  /** The customer's whole label set after the import (merged by the caller). */
  labels: string[];
  /** Merged into the stored attributes (given keys win). */
  attributes: Record<string, string>;
}

/** The page's customers with these PSIDs, locked: their labels are merged before the upsert. */
export async function lockCustomersByPsid(
  db: Executor,
  pageId: number,
  psids: string[],
): Promise<CustomerRow[]> {
  if (psids.length === 0) return [];
  return db
    .selectFrom('customers')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('psid', 'in', psids)
    .forUpdate()
    .execute();
}

/**
 * Insert or update by (page, psid). Given fields win, absent ones keep what is stored; the last
 * interaction only moves forward. Returns how many rows were new.
 */
export async function upsertCustomers(
  db: Executor,
  scope: { workspaceId: number; pageId: number },
  rows: ImportedCustomer[],
  now: Date,
): Promise<{ created: number; updated: number }> {
  let created = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const res = await db
      .insertInto('customers')
      .values(
        chunk.map((c) => ({
          workspace_id: scope.workspaceId,
          page_id: scope.pageId,
          psid: c.psid,
          name: c.name,
          first_name: c.firstName,
          last_name: c.lastName,
          locale: c.locale,
          last_interaction_at: c.lastInteractionAt,
          unreachable_reason: null,
          labels: c.labels,
          attributes: JSON.stringify(c.attributes),
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
          labels: eb.ref('excluded.labels'),
          attributes: sql`customers.attributes || excluded.attributes`,
        })),
      )
      // xmax is 0 on a freshly inserted row version: tells created from updated in one statement.
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute();
    created += res.filter((r) => r.inserted).length;
  }
  return { created, updated: rows.length - created };
}

export interface ConsentExportRow {
  id: number;
  at: Date;
  event: string;
  topic_id: number;
  topic_name: string;
  topic_kind: string;
  customer_id: number;
  psid: string;
  subscription_id: number | null;
  invitation_id: number | null;
  sender_kind: string | null;
  detail: Record<string, unknown>;
}

/** One keyset batch of the workspace's consent history, oldest first (ids grow with time of writing). */
export async function consentBatch(
  db: Executor,
  workspaceId: number,
  filter: { topicId?: number | undefined; customerId?: number | undefined },
  afterId: number,
  limit: number,
): Promise<ConsentExportRow[]> {
  let q = db
    .selectFrom('consent_history as h')
    .innerJoin('topics as t', 't.id', 'h.topic_id')
    .innerJoin('customers as c', 'c.id', 'h.customer_id')
    .select([
      'h.id',
      'h.at',
      'h.event',
      'h.topic_id',
      't.name as topic_name',
      't.kind as topic_kind',
      'h.customer_id',
      'c.psid',
      'h.subscription_id',
      'h.invitation_id',
      'h.sender_kind',
      'h.detail',
    ])
    .where('h.workspace_id', '=', workspaceId)
    .where('h.id', '>', afterId);
  if (filter.topicId !== undefined) q = q.where('h.topic_id', '=', filter.topicId);
  if (filter.customerId !== undefined) q = q.where('h.customer_id', '=', filter.customerId);
  return q.orderBy('h.id').limit(limit).execute();
}
