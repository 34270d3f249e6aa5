// Webhook processing, many customers per transaction: the fast path for a burst. The jobs a worker
// fetched together are applied in one transaction — their customers locked in key order, their pending
// events read in one query (each customer's oldest first), the page read once, each page's triggers
// once, customers with nothing but plain messages pending applied set-based (webhook-messages.ts), those
// whose one pending event is an opt-in applied together (webhook-optins.ts), the events marked processed
// in one statement. Anything going wrong rolls that transaction back
// and the same customers are applied one event per transaction (webhook-processing.ts), where a poison
// event is counted and set aside alone: one bad event never fails its neighbours.
import type { Enqueuer, WebhookCustomerJob } from '../jobs/queue.ts';
import { inTransaction } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import type { CustomerRow, PageRow, WebhookEventRow } from '../storage/schema.ts';
import * as inbox from '../storage/webhook-events.ts';
import type { AppContext } from './context.ts';
import { applyPlainMessages, type PendingEvent, plainMessageCustomers } from './webhook-messages.ts';
import { applyOptInEvents, loneOptIns } from './webhook-optins.ts';
import {
  type ApplyScope,
  applyEvent,
  type ProcessedBatch,
  processCustomerEvents,
  storedEvent,
} from './webhook-processing.ts';

/** Events applied in one transaction at most; a longer backlog takes several. */
export const EVENTS_PER_TRANSACTION = 1000;
const DECODE_CHUNK = 25;

export interface CustomerOutcome extends ProcessedBatch {
  job: WebhookCustomerJob;
  /** Why this customer's job failed (it is retried by the queue), if it did. */
  error?: unknown;
}

export const keyOf = (j: WebhookCustomerJob) => `${j.fbPageId}\u0000${j.psid}`;

/**
 * Applies every pending event of the given customers. Jobs naming the same customer share one outcome
 * (one customer's waiting job and the one back for its retry can be fetched together).
 */
export async function processCustomersEvents(
  ctx: AppContext & { queue: Enqueuer },
  jobs: readonly WebhookCustomerJob[],
): Promise<Map<string, CustomerOutcome>> {
  const out = new Map<string, CustomerOutcome>();
  for (const job of jobs)
    if (!out.has(keyOf(job))) out.set(keyOf(job), { job, applied: 0, page: undefined, customer: undefined });
  const customers = [...out.values()].map((o) => o.job);
  const pageRows = await pages.findPagesByFbIds(ctx.db, [...new Set(customers.map((c) => c.fbPageId))]);
  const pageOf = new Map(pageRows.map((p) => [p.fb_page_id, p]));
  for (const o of out.values()) o.page = pageOf.get(o.job.fbPageId);
  try {
    for (;;) {
      const applied = await applyTogether(ctx, customers, pageOf, out);
      if (applied < EVENTS_PER_TRANSACTION) break;
    }
  } catch (e) {
    // Rolled back whole: what it wrote is gone. Each customer again, one event per transaction.
    console.warn(
      `[webhook] a batch of ${customers.length} customers fell back to one event per transaction:`,
      String(e),
    );
    for (const o of out.values()) {
      try {
        const alone = await processCustomerEvents(ctx, o.job);
        o.applied += alone.applied;
        o.customer = alone.customer ?? o.customer;
      } catch (e) {
        o.error = e;
      }
    }
  }
  return out;
}

/** One transaction over the customers' pending events; returns how many it applied. */
async function applyTogether(
  ctx: AppContext & { queue: Enqueuer },
  customers: readonly WebhookCustomerJob[],
  pageOf: Map<string, PageRow>,
  out: Map<string, CustomerOutcome>,
): Promise<number> {
  const written = new Map<string, CustomerRow | undefined>();
  const rows = await inTransaction(ctx.db, async (tx) => {
    const pending = await inbox.takePendingOf(tx, customers, EVENTS_PER_TRANSACTION);
    const txCtx = { ...ctx, db: tx };
    const triggers: ApplyScope['triggers'] = new Map();
    let marks: Array<{ id: number; outcome: string }> = [];
    const flush = async () => {
      await inbox.markProcessedMany(tx, marks, ctx.clock.now());
      marks = [];
    };
    const events: PendingEvent[] = [];
    for (const row of pending) {
      // Decoding (decrypt, parse) is the batch's longest stretch of JavaScript: the event loop is let go
      // every DECODE_CHUNK events, so a service running the worker inside it keeps answering meanwhile.
      if (events.length > 0 && events.length % DECODE_CHUNK === 0) await new Promise(setImmediate);
      events.push({
        row,
        key: keyOf({ fbPageId: row.fb_page_id, psid: row.psid }),
        parsed: storedEvent(row),
      });
    }
    // Customers with nothing but plain messages pending: applied set-based (webhook-messages.ts).
    const plain = plainMessageCustomers(events, pageOf);
    const bulk = events.filter((ev) => plain.has(ev.key));
    const done = await applyPlainMessages(
      txCtx,
      tx,
      bulk,
      pageOf,
      { customer: undefined, triggers },
      written,
    );
    for (const [id, outcome] of done) marks.push({ id, outcome });
    // Customers whose one pending event is an opt-in: applied together (webhook-optins.ts).
    const optedIn = await applyOptInEvents(txCtx, tx, loneOptIns(events, pageOf), pageOf);
    for (const [id, outcome] of optedIn) {
      marks.push({ id, outcome });
      done.set(id, outcome);
    }
    for (const { row, key, parsed } of events) {
      if (done.has(row.id)) continue;
      // An opt-in replays the Stop/Resume events already marked `unknown_token`: those marks must be
      // written before it reads them, as they are on the one-event path.
      if (parsed?.type === 'optin_recurring') await flush();
      const page = pageOf.get(row.fb_page_id);
      const scope: ApplyScope = { customer: written.get(key), triggers };
      const outcome = !parsed
        ? 'unparseable'
        : page
          ? await applyEvent(txCtx, tx, page, parsed, scope)
          : 'unknown_page';
      written.set(key, scope.customer);
      marks.push({ id: row.id, outcome });
    }
    await flush();
    return pending;
  });
  // Committed: count what each customer got.
  countApplied(rows, written, out);
  return rows.length;
}

function countApplied(
  rows: readonly WebhookEventRow[],
  written: Map<string, CustomerRow | undefined>,
  out: Map<string, CustomerOutcome>,
): void {
  for (const row of rows) {
    const o = out.get(keyOf({ fbPageId: row.fb_page_id, psid: row.psid }));
    if (o) o.applied++;
  }
  for (const [key, customer] of written) {
    const o = out.get(key);
    if (o && customer) o.customer = customer;
  }
}
