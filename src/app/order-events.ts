// Order events from the shop's own system (R13c): stored under their Idempotency-Key before they are
// acknowledged, sent once (a lease on the row makes one sender), and settled sent / sent_as_reply /
// refused with a reason. A transient Meta failure leaves the event pending for the `order-event` job,
// which pg-boss retries with backoff; after MAX_ORDER_EVENT_ATTEMPTS it is refused.
import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import {
  mappedValues,
  normalizePhone,
  ORDER_EVENT_TYPES,
  type OrderEventInput,
  type OrderEventReason,
  type OrderEventStatus,
  validateMapping,
  validateOrderEvent,
} from '../domain/order-events.ts';
import { RETRYABLE } from '../domain/send-errors.ts';
import { type Enqueuer, JOBS, type OrderEventJob } from '../jobs/queue.ts';
import * as customers from '../storage/customers.ts';
import { inTransaction } from '../storage/db.ts';
import * as events from '../storage/order-events.ts';
import * as pages from '../storage/pages.ts';
import type { OrderEventMappingRow, OrderEventRow } from '../storage/schema.ts';
import * as store from '../storage/templates.ts';
import type { AppContext } from './context.ts';
import { loadTemplate } from './templates.ts';
import { sendUtility, type UtilityContext } from './utility-sends.ts';
import { getPage } from './workspaces.ts';

export const MAX_ORDER_EVENT_ATTEMPTS = 5;
/** How long one sender holds an event; a crashed sender's event is free again after it. */
const LEASE_MS = 60_000;

export type OrderEventContext = UtilityContext & { queue: Enqueuer };

// ---- mappings ------------------------------------------------------------------------------------

export async function putMapping(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  eventType: string,
  input: { templateId: number; params?: unknown },
): Promise<OrderEventMappingRow> {
  await getPage(ctx, workspaceId, pageId);
  if (!ORDER_EVENT_TYPES.includes(eventType as (typeof ORDER_EVENT_TYPES)[number])) {
    throw new DomainError('invalid_mapping', `The event type is one of ${ORDER_EVENT_TYPES.join(', ')}.`, {
      field: 'eventType',
    });
  }
  const template = await loadTemplate(ctx, workspaceId, input.templateId);
  if (template.page_id !== pageId) {
    throw new DomainError('template_not_found', `No template ${input.templateId} on this page.`);
  }
  const params = validateMapping(template.parameters, input.params ?? {});
  return store.upsertMapping(
    ctx.db,
    { workspaceId, pageId, eventType, templateId: template.id, params },
    ctx.clock.now(),
  );
}

export async function listMappings(ctx: AppContext, workspaceId: number, pageId: number) {
  await getPage(ctx, workspaceId, pageId);
  return store.listMappings(ctx.db, workspaceId, pageId);
}

export async function removeMapping(ctx: AppContext, workspaceId: number, pageId: number, eventType: string) {
  await getPage(ctx, workspaceId, pageId);
  if (!(await store.deleteMapping(ctx.db, workspaceId, pageId, eventType))) {
    throw new DomainError('mapping_not_found', `No mapping for ${eventType} on this page.`);
  }
}

// ---- events --------------------------------------------------------------------------------------

const KEY_RE = /^[\x21-\x7e]{1,255}$/;

function requestHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/**
 * POST …/order-events. The event is stored (pending) before anything is sent; the first post of a key
 * sends it and answers the outcome, a retried post answers the stored event and sends nothing.
 */
export async function postOrderEvent(
  ctx: OrderEventContext,
  workspaceId: number,
  pageId: number,
  input: { idempotencyKey: string | undefined; body: OrderEventInput },
): Promise<{ event: OrderEventRow; replayed: boolean }> {
  await getPage(ctx, workspaceId, pageId);
  const key = input.idempotencyKey?.trim() ?? '';
  if (!KEY_RE.test(key)) {
    throw new DomainError(
      'idempotency_key_required',
      'Send an Idempotency-Key header (1–255 visible ASCII characters), one per event.',
    );
  }
  const draft = validateOrderEvent(input.body);
  const hash = requestHash(draft);
  const { row, created } = await events.insertOrderEvent(ctx.db, {
    workspaceId,
    pageId,
    idempotencyKey: key,
    requestHash: hash,
    draft,
    now: ctx.clock.now(),
  });
  if (!created) {
    if (row.request_hash !== hash) {
      throw new DomainError('idempotency_key_reused', `Idempotency-Key ${key} was used for another event.`, {
        eventId: row.id,
      });
    }
    return { event: row, replayed: true };
  }
  return { event: await processOrderEvent(ctx, workspaceId, row.id), replayed: false };
}

type Settle = Parameters<typeof events.settleOrderEvent>[2];

function refused(reason: OrderEventReason | string, base: Partial<Settle> = {}): Settle {
  return {
    status: 'refused',
    reason,
    customerId: null,
    templateId: null,
    messageId: null,
    text: null,
    ...base,
  };
}

/** What a Graph failure makes of the event: retried (null) or refused with a reason. */
function graphReason(cls: string): OrderEventReason | null {
  if (RETRYABLE.has(cls as never)) return null;
  if (cls === 'customer_unreachable' || cls === 'outside_window') return 'customer_unreachable';
  if (cls === 'page_restricted' || cls === 'page_token_invalid') return 'page_restricted';
  return 'meta_refused';
}

/**
 * Sends one stored event if it is pending and free; answers the event as it stands afterwards. Safe to
 * run twice at once and after a crash: the claim lets one sender through per lease.
 */
export async function processOrderEvent(
  ctx: OrderEventContext,
  workspaceId: number,
  eventId: number,
  opts: { fromJob?: boolean } = {},
): Promise<OrderEventRow> {
  const now = ctx.clock.now();
  const lease = new Date(now.getTime() + LEASE_MS);
  const claimed = await events.claimOrderEvent(ctx.db, workspaceId, eventId, now, lease);
  if (!claimed) {
    const row = await events.findOrderEvent(ctx.db, workspaceId, eventId);
    if (!row) throw new DomainError('validation_failed', `No order event ${eventId}.`, { notFound: true });
    return row;
  }
  const page = (await pages.findPage(ctx.db, workspaceId, claimed.page_id))!;
  const customer =
    (claimed.customer_psid && (await customers.findCustomerByPsid(ctx.db, page.id, claimed.customer_psid))) ||
    (claimed.customer_phone &&
      (await customers.findCustomerByPhone(ctx.db, page.id, claimed.customer_phone))) ||
    undefined;
  const settle = (s: Settle) => events.settleOrderEvent(ctx.db, eventId, s, ctx.clock.now());
  if (!customer) return settle(refused('customer_unknown'));
  const mapping = await store.findMapping(ctx.db, workspaceId, page.id, claimed.event_type);
  if (!mapping) return settle(refused('no_mapping', { customerId: customer.id }));
  const template = await loadTemplate(ctx, workspaceId, mapping.template_id);
  const r = await sendUtility(ctx, {
    page,
    customer,
    template,
    values: mappedValues(mapping.params, claimed.fields),
    sender: 'order_event',
  });
  const base = { customerId: customer.id, templateId: template.id };
  if (r.ok) {
    return settle({
      ...base,
      status: r.route === 'reply' ? 'sent_as_reply' : 'sent',
      reason: null,
      messageId: r.messageId,
      text: r.text,
    });
  }
  if (r.stage === 'rules') return settle(refused(r.detail ? `${r.reason}:${r.detail}` : r.reason, base));
  const reason = graphReason(r.error.class);
  if (reason) return settle(refused(reason, base));
  if (claimed.attempts >= MAX_ORDER_EVENT_ATTEMPTS) return settle(refused('retries_exhausted', base));
  // Transient: pending again. The first failure hands the event to the `order-event` job; the job's
  // own retries (pg-boss, with backoff) are the later attempts.
  return inTransaction(ctx.db, async (tx) => {
    const row = await events.releaseOrderEvent(tx, eventId, `graph_${r.error.class}`);
    const job: OrderEventJob = { workspaceId, eventId };
    if (!opts.fromJob) await ctx.queue.send(JOBS.orderEvent, job, { tx });
    return row;
  });
}

/**
 * The `order-event` job: one more attempt. Throws while the failure stays transient so pg-boss retries
 * with its backoff; the attempt count on the row bounds it.
 */
export async function retryOrderEvent(ctx: OrderEventContext, job: OrderEventJob): Promise<void> {
  const row = await processOrderEvent(ctx, job.workspaceId, job.eventId, { fromJob: true });
  if (row.status === 'pending' && row.claimed_until === null && row.attempts < MAX_ORDER_EVENT_ATTEMPTS) {
    throw new Error(`order event ${job.eventId}: ${row.reason ?? 'still pending'}; retrying`);
  }
}

export async function listOrderEvents(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  opts: { status?: OrderEventStatus; q?: string; before?: number; limit?: number } = {},
): Promise<OrderEventRow[]> {
  await getPage(ctx, workspaceId, pageId);
  return events.listOrderEvents(ctx.db, workspaceId, pageId, opts);
}

/**
 * A phone number the customer gave in the conversation, recorded by an agent (Messenger's phone quick
 * reply records itself, webhook-processing.ts). Null forgets it.
 */
export async function recordCustomerPhone(
  ctx: AppContext,
  workspaceId: number,
  customerId: number,
  raw: string | null,
): Promise<string | null> {
  const customer = await customers.findCustomer(ctx.db, workspaceId, customerId);
  if (!customer) throw new DomainError('customer_not_found', `No customer ${customerId} in this workspace.`);
  const phone = raw === null || raw.trim() === '' ? null : normalizePhone(raw);
  if (raw !== null && raw.trim() !== '' && !phone) {
    throw new DomainError('invalid_order_event', 'This is not a phone number.', { field: 'phone' });
  }
  await customers.setCustomerPhone(ctx.db, customer.id, phone);
  return phone;
}

/**
 * The worker's sweep: orphaned pending events (a crash between storing and settling) get an
 * `order-event` job again, one per event per minute whichever process sweeps.
 */
export async function requeueOrphanedOrderEvents(ctx: AppContext & { queue: Enqueuer }): Promise<number> {
  const now = ctx.clock.now();
  const rows = await events.orphanedOrderEvents(ctx.db, now, new Date(now.getTime() - LEASE_MS));
  for (const r of rows) {
    const job: OrderEventJob = { workspaceId: r.workspace_id, eventId: Number(r.id) };
    await ctx.queue.send(JOBS.orderEvent, job, { singletonKey: `order-event:${r.id}`, singletonSeconds: 60 });
  }
  return rows.length;
}
