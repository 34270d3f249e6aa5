// Order events (R13c): stored under (page, Idempotency-Key) before they are acknowledged; a claim with a
// lease makes one sender of each event at a time, so a retried or concurrent post sends once.
import { sql } from 'kysely';
import type { OrderEventDraft, OrderEventStatus } from '../domain/order-events.ts';
import type { Executor } from './db.ts';
import type { OrderEventRow } from './schema.ts';

/** Inserts the event, or returns the one already stored under its key (`created: false`). */
export async function insertOrderEvent(
  db: Executor,
  e: {
    workspaceId: number;
    pageId: number;
    idempotencyKey: string;
    requestHash: string;
    draft: OrderEventDraft;
    now: Date;
  },
): Promise<{ row: OrderEventRow; created: boolean }> {
  const inserted = await db
    .insertInto('order_events')
    .values({
      workspace_id: e.workspaceId,
      page_id: e.pageId,
      idempotency_key: e.idempotencyKey,
      request_hash: e.requestHash,
      event_type: e.draft.type,
      order_id: e.draft.orderId,
      customer_psid: e.draft.psid,
      customer_phone: e.draft.phone,
      customer_id: null,
      fields: JSON.stringify(e.draft.fields),
      status: 'pending',
      reason: null,
      template_id: null,
      message_id: null,
      text: null,
      claimed_until: null,
      created_at: e.now,
      settled_at: null,
    })
    .onConflict((oc) => oc.constraint('order_events_page_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const row = await db
    .selectFrom('order_events')
    .selectAll()
    .where('page_id', '=', e.pageId)
    .where('idempotency_key', '=', e.idempotencyKey)
    .executeTakeFirstOrThrow();
  return { row, created: false };
}

export async function findOrderEvent(
  db: Executor,
  workspaceId: number,
  id: number,
): Promise<OrderEventRow | undefined> {
  return db
    .selectFrom('order_events')
    .selectAll()
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
}

/**
 * Takes the event for sending until `leaseUntil` when it is pending and nobody holds it; counts the attempt.
 * Undefined when it is settled or another sender holds it.
 */
export async function claimOrderEvent(
  db: Executor,
  workspaceId: number,
  id: number,
  now: Date,
  leaseUntil: Date,
): Promise<OrderEventRow | undefined> {
  return db
    .updateTable('order_events')
    .set({ claimed_until: leaseUntil, attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
}

export async function settleOrderEvent(
  db: Executor,
  id: number,
  s: {
    status: Exclude<OrderEventStatus, 'pending'>;
    reason: string | null;
    customerId: number | null;
    templateId: number | null;
    messageId: string | null;
    text: string | null;
  },
  now: Date,
): Promise<OrderEventRow> {
  return db
    .updateTable('order_events')
    .set({
      status: s.status,
      reason: s.reason,
      customer_id: s.customerId,
      template_id: s.templateId,
      message_id: s.messageId,
      text: s.text,
      claimed_until: null,
      settled_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A transient failure: the event stays pending, free for the retry job to claim. */
export async function releaseOrderEvent(db: Executor, id: number, reason: string): Promise<OrderEventRow> {
  return db
    .updateTable('order_events')
    .set({ claimed_until: null, reason })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The page's log, newest first, keyset-paged by id; `q` matches order id, PSID, phone or key. */
export async function listOrderEvents(
  db: Executor,
  workspaceId: number,
  pageId: number,
  opts: { status?: OrderEventStatus; q?: string; before?: number; limit?: number } = {},
): Promise<OrderEventRow[]> {
  let q = db
    .selectFrom('order_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('page_id', '=', pageId);
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.before) q = q.where('id', '<', opts.before);
  const term = opts.q?.trim();
  if (term) {
    const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('order_id', 'ilike', like),
        eb('customer_psid', '=', term),
        eb('customer_phone', 'like', like),
        eb('idempotency_key', '=', term),
        eb('event_type', '=', term),
      ]),
    );
  }
  return q
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 50)
    .execute();
}

/**
 * Pending events nobody will send unless told: claimed by a sender that never settled nor released them
 * (a crash mid-send; the lease ran out), or stored and never tried (a crash before the first attempt).
 * Released ones (attempts > 0, no claim) belong to their retry job.
 */
export async function orphanedOrderEvents(
  db: Executor,
  now: Date,
  storedBefore: Date,
  limit = 500,
): Promise<Array<{ id: number; workspace_id: number }>> {
  return db
    .selectFrom('order_events')
    .select(['id', 'workspace_id'])
    .where('status', '=', 'pending')
    .where((eb) =>
      eb.or([
        eb('claimed_until', '<', now),
        eb.and([
          eb('claimed_until', 'is', null),
          eb('attempts', '=', 0),
          eb('created_at', '<', storedBefore),
        ]),
      ]),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
}
