// The commonest webhook event — a customer's plain message (no echo, no quick reply) — applied set-based
// within a processing transaction (webhook-batch.ts): every such customer upserted in one prepared statement,
// every message logged in one, instead of two statements per event. Only customers whose pending events
// in the transaction are all plain messages go this way, so each customer's events keep their order;
// the rest are applied one by one (webhook-processing.ts). Same outcomes as applyEvent: `message`, or
// `duplicate` for a mid already logged.
import type { MessageEvent, MessengerEvent } from '../channel/index.ts';
import { countsAsInteraction } from '../domain/interactions.ts';
import type { Enqueuer } from '../jobs/queue.ts';
import * as customers from '../storage/customers.ts';
import type { Tx } from '../storage/db.ts';
import * as messages from '../storage/messages.ts';
import type { CustomerRow, PageRow, WebhookEventRow } from '../storage/schema.ts';
import type { AppContext } from './context.ts';
import { type ApplyScope, replyWith } from './webhook-processing.ts';

export interface PendingEvent {
  row: WebhookEventRow;
  key: string;
  parsed: MessengerEvent | undefined;
}

const isPlainMessage = (e: MessengerEvent | undefined): e is MessageEvent =>
  e?.type === 'message' && !e.isEcho && !e.quickReplyPayload;

/** The customers (keys) whose every pending event here is a plain message of a known page. */
export function plainMessageCustomers(
  events: readonly PendingEvent[],
  pageOf: Map<string, PageRow>,
): Set<string> {
  const plain = new Set<string>();
  const mixed = new Set<string>();
  for (const ev of events) {
    if (isPlainMessage(ev.parsed) && pageOf.has(ev.row.fb_page_id)) plain.add(ev.key);
    else mixed.add(ev.key);
  }
  for (const k of mixed) plain.delete(k);
  return plain;
}

/**
 * Applies the given events (all plain messages, oldest first per customer); returns each event's
 * outcome by event id and records in `written` the customer row each customer ends with.
 */
export async function applyPlainMessages(
  ctx: AppContext & { queue: Enqueuer },
  tx: Tx,
  events: readonly PendingEvent[],
  pageOf: Map<string, PageRow>,
  scope: ApplyScope,
  written: Map<string, CustomerRow | undefined>,
): Promise<Map<number, string>> {
  const outcomes = new Map<number, string>();
  if (events.length === 0) return outcomes;
  // One upsert row per customer: the last interaction only moves forward, so the latest event's time.
  const latest = new Map<string, { page: PageRow; psid: string; at: Date }>();
  for (const { row, key, parsed } of events) {
    const e = parsed as MessageEvent;
    const seen = latest.get(key);
    if (!seen || seen.at < e.timestamp)
      latest.set(key, { page: pageOf.get(row.fb_page_id)!, psid: e.psid, at: e.timestamp });
  }
  const keys = [...latest.keys()];
  const interacts = countsAsInteraction('message');
  const rows = await customers.touchCustomers(
    tx,
    keys.map((k) => {
      const c = latest.get(k)!;
      return {
        workspaceId: c.page.workspace_id,
        pageId: c.page.id,
        psid: c.psid,
        ...(interacts && { interactionAt: c.at }),
      };
    }),
    ctx.clock.now(),
  );
  const byPagePsid = new Map(rows.map((c) => [`${c.page_id}\u0000${c.psid}`, c]));
  const customerOf = new Map<string, CustomerRow>();
  for (const [k, c] of latest) {
    const row = byPagePsid.get(`${c.page.id}\u0000${c.psid}`)!;
    customerOf.set(k, row);
    written.set(k, row);
  }
  // A mid twice in the batch (Meta redelivered it under another key) is logged once, as in order.
  const firstOfMid = new Map<string, number>();
  const logRows: Parameters<typeof messages.insertInboundMessages>[1][number][] = [];
  for (const { row, key, parsed } of events) {
    const e = parsed as MessageEvent;
    const page = pageOf.get(row.fb_page_id)!;
    if (firstOfMid.has(`${page.id}\u0000${e.mid}`)) continue;
    firstOfMid.set(`${page.id}\u0000${e.mid}`, row.id);
    logRows.push({
      workspaceId: page.workspace_id,
      pageId: page.id,
      customerId: customerOf.get(key)!.id,
      kind: e.attachments.length ? 'attachment' : 'text',
      mid: e.mid,
      text: e.text,
      payload: e.raw,
      at: e.timestamp,
    });
  }
  const logged = await messages.insertInboundMessages(tx, logRows);
  for (const { row, key, parsed } of events) {
    const e = parsed as MessageEvent;
    const page = pageOf.get(row.fb_page_id)!;
    const midKey = `${page.id}\u0000${e.mid}`;
    const isNew = firstOfMid.get(midKey) === row.id && logged.has(midKey);
    outcomes.set(row.id, isNew ? 'message' : 'duplicate');
    // The chat assistant answers each new text, in order, as applyEvent does.
    if (isNew && e.text)
      await replyWith(ctx, tx, page, customerOf.get(key)!.id, { kind: 'text', text: e.text }, scope);
  }
  return outcomes;
}
