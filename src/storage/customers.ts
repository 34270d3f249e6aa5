// Customers of a page (known by PSID) and their last interaction.
import type { CustomerState } from '../domain/model.ts';
import type { Executor } from './db.ts';
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
  labels?: string[];
  attributes?: Record<string, unknown>;
}

/** Insert or update by (page, psid); returns the row. */
export async function upsertCustomer(db: Executor, c: CustomerUpsert, now: Date): Promise<CustomerRow> {
  return db
    .insertInto('customers')
    .values({
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
    })
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
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
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
