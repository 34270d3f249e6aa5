// Webhook processing (the intake is in webhook-intake.ts): one customer at a time (advisory lock),
// oldest event first, each applied and marked processed in one transaction, so a crash anywhere leaves
// it pending and it is applied after restart. The page is loaded once per customer batch and passed
// down; each stored `messaging[]` element is parsed as it arrived, without rebuilding a delivery.
import { type MessengerEvent, parseMessagingEvent } from '../channel/index.ts';
import type { InboundForAssistant } from '../domain/assistant.ts';
import { matchTrigger } from '../domain/assistant.ts';
import { type CustomerEventKind, countsAsInteraction } from '../domain/interactions.ts';
import { optInShowsNotice } from '../domain/notice.ts';
import { phoneFromQuickReply } from '../domain/order-events.ts';
import { type AssistantReplyJob, type Enqueuer, JOBS, type WebhookCustomerJob } from '../jobs/queue.ts';
import { listTriggers } from '../storage/assistant.ts';
import * as customers from '../storage/customers.ts';
import { inTransaction, type Tx } from '../storage/db.ts';
import * as messages from '../storage/messages.ts';
import * as pages from '../storage/pages.ts';
import type { AssistantTriggerRow, CustomerRow, PageRow, WebhookEventRow } from '../storage/schema.ts';
import * as inbox from '../storage/webhook-events.ts';
import { recordPostbackClick } from './campaigns.ts';
import type { AppContext } from './context.ts';
import { applyOptIn, applyStopResume, type OptInEvent, type OptInOutcome } from './optins.ts';

export interface ProcessedBatch {
  applied: number;
  /** The customer's page, loaded once for the batch (undefined: nobody connected it). */
  page: PageRow | undefined;
  /** The customer as the batch last wrote it, if an event wrote it. */
  customer: CustomerRow | undefined;
}

/**
 * Failed attempts after which a stored event is given up on: marked processed with `failed:<code>`
 * (the row is kept for inspection and replay) so that the customer's later events are applied.
 */
export const MAX_EVENT_ATTEMPTS = 5;

/**
 * Applies every pending event of one customer, oldest first. An event whose application throws is
 * rolled back and counted; the job fails (and is retried) until the event has failed MAX_EVENT_ATTEMPTS
 * times, then the event is marked failed and the customer's later events go on.
 */
export async function processCustomerEvents(
  ctx: AppContext & { queue: Enqueuer },
  job: WebhookCustomerJob,
): Promise<ProcessedBatch> {
  const batch: ProcessedBatch = {
    applied: 0,
    page: await pages.findPageByFbId(ctx.db, job.fbPageId),
    customer: undefined,
  };
  for (;;) {
    const taken: { row?: WebhookEventRow } = {};
    // A rolled-back event's customer row is forgotten with the scope it wrote into.
    const scope: ApplyScope = { customer: batch.customer };
    let done: boolean;
    try {
      done = await inTransaction(ctx.db, async (tx) => {
        const row = await inbox.takeNextPending(tx, job.fbPageId, job.psid);
        if (!row) return false;
        taken.row = row;
        const parsed = storedEvent(row);
        const { page } = batch;
        const outcome = !parsed
          ? 'unparseable'
          : page
            ? await applyEvent({ ...ctx, db: tx }, tx, page, parsed, scope)
            : 'unknown_page';
        await inbox.markProcessed(tx, row.id, outcome, ctx.clock.now());
        return true;
      });
    } catch (e) {
      // A lost connection or a deadlock says nothing about the event: it is not counted against it.
      if (!taken.row || isTransient(e) || !(await giveUpOn(ctx, taken.row, e))) throw e;
      continue;
    }
    if (!done) return batch;
    batch.customer = scope.customer;
    batch.applied++;
  }
}

/** Counts a failed attempt; true when it was the last one allowed and the event is now marked failed. */
async function giveUpOn(ctx: AppContext, row: WebhookEventRow, error: unknown): Promise<boolean> {
  const outcome = `failed:${errorCode(error)}`;
  const attempts = await inTransaction(ctx.db, async (tx) => {
    const n = await inbox.countFailedAttempt(tx, row);
    if (n >= MAX_EVENT_ATTEMPTS) await inbox.markProcessed(tx, row.id, outcome, ctx.clock.now());
    return n;
  });
  if (attempts < MAX_EVENT_ATTEMPTS) return false;
  console.error(
    `[webhook] event ${row.id} (${row.kind}) of page ${row.fb_page_id} failed ${attempts} times: marked ${outcome}, the customer's later events go on`,
    error,
  );
  return true;
}

/**
 * Errors of the database or the network rather than of the event: connection (08), transaction
 * rollback such as deadlock or serialization (40), resources (53), operator intervention (57), system
 * (58) SQLSTATE classes, Node's socket errors, and the driver's own message for a dropped connection.
 */
export function isTransient(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(08|40|53|57|58)[0-9A-Z]{3}$/.test(code) || /^E[A-Z]+$/.test(code)) return true;
  return typeof e?.message === 'string' && /connection terminated|connection (is )?closed/i.test(e.message);
}

/** A short, stable name for what went wrong: the SQLSTATE of a database error, else the error's class. */
function errorCode(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'unknown';
  return code.replace(/[^\w.-]/g, '_').slice(0, 40) || 'unknown';
}

/**
 * What one processing transaction remembers: the customer row the last event wrote, and each page's
 * triggers, read once per transaction (so a trigger edited meanwhile is seen by the next transaction;
 * nothing outlives it that would need invalidating).
 */
export interface ApplyScope {
  customer: CustomerRow | undefined;
  triggers?: Map<number, Promise<AssistantTriggerRow[]>>;
}

export async function replyWith(
  ctx: AppContext & { queue: Enqueuer },
  tx: Tx,
  page: PageRow,
  customerId: number,
  inbound: InboundForAssistant,
  scope: ApplyScope,
) {
  scope.triggers ??= new Map();
  let rows = scope.triggers.get(page.id);
  if (!rows) {
    rows = listTriggers(tx, page.id);
    scope.triggers.set(page.id, rows);
  }
  const trigger = matchTrigger(await rows, inbound);
  if (!trigger) return;
  const job: AssistantReplyJob = {
    kind: 'trigger',
    workspaceId: page.workspace_id,
    customerId,
    triggerId: trigger.id,
  };
  await ctx.queue.send(JOBS.assistantReply, job, { tx });
}

/** One event → state. Runs inside the processing transaction; follow-up sends are enqueued in it. */
export async function applyEvent(
  ctx: AppContext & { queue: Enqueuer },
  tx: Tx,
  page: PageRow,
  e: MessengerEvent,
  /** Remembers the customer row this event wrote. */
  batch: ApplyScope,
): Promise<string> {
  const scope = { workspaceId: page.workspace_id, pageId: page.id, psid: e.psid };
  const now = ctx.clock.now();
  // Whether the event moves the last interaction is the domain's decision (rules.md, Words).
  const customer = async (kind: CustomerEventKind) => {
    batch.customer = await customers.upsertCustomer(
      tx,
      { ...scope, ...(countsAsInteraction(kind) && { interactionAt: e.timestamp }) },
      now,
    );
    return batch.customer;
  };
  // Opt-in events carry tokens: their log entry keeps only what the inbox shows.
  const logged = e.type === 'optin_otn' || e.type === 'optin_recurring' ? optInLogPayload(e) : e.raw;
  const log = (
    customerId: number,
    direction: 'in' | 'out',
    kind: string,
    mid: string | null,
    text: string | null,
  ) =>
    messages.insertMessage(tx, {
      workspaceId: page.workspace_id,
      pageId: page.id,
      customerId,
      direction,
      senderKind: direction === 'in' ? 'customer' : 'page',
      kind,
      mid,
      text,
      payload: logged,
      at: e.timestamp,
    });

  switch (e.type) {
    case 'message': {
      if (e.isEcho) {
        // Our own sends are logged when sent (same mid); anything else came from another tool or the Page inbox.
        const c = await customer('echo');
        return (await log(c.id, 'out', 'echo', e.mid, e.text)) ? 'echo_logged' : 'echo_known';
      }
      const c = await customer(e.quickReplyPayload ? 'quick_reply' : 'message');
      const kind = e.quickReplyPayload ? 'quick_reply' : e.attachments.length ? 'attachment' : 'text';
      if (!(await log(c.id, 'in', kind, e.mid, e.text))) return 'duplicate';
      // Messenger's phone quick reply (content_type user_phone_number) carries the number the customer
      // chose as its payload: kept so the shop's order events can find the customer by phone (R13c).
      const phone = e.quickReplyPayload ? phoneFromQuickReply(e.quickReplyPayload) : null;
      if (phone) await customers.setCustomerPhone(tx, c.id, phone);
      if (e.quickReplyPayload)
        await replyWith(ctx, tx, page, c.id, { kind: 'quick_reply', payload: e.quickReplyPayload }, batch);
      else if (e.text) await replyWith(ctx, tx, page, c.id, { kind: 'text', text: e.text }, batch);
      return 'message';
    }
    case 'postback': {
      const c = await customer('postback');
      await log(c.id, 'in', 'postback', e.mid, e.title);
      // A campaign's postback button (R10a "clicked").
      if (e.payload && (await recordPostbackClick(ctx, tx, c.id, e.payload))) return 'campaign_click';
      if (e.payload) await replyWith(ctx, tx, page, c.id, { kind: 'postback', payload: e.payload }, batch);
      return 'postback';
    }
    case 'reaction': {
      await customer('reaction');
      return 'reaction';
    }
    case 'optin_otn':
    case 'optin_recurring': {
      if (e.type === 'optin_recurring' && e.status) {
        return applyStatusChange(ctx, page, e, e.status);
      }
      const result = await applyOptIn(ctx, optInEventOf(page, e));
      if (!('customerId' in result)) return result.outcome;
      await log(result.customerId, 'in', 'optin', null, null);
      if (e.type === 'optin_recurring') await replayEarlyStatusChanges(ctx, tx, page, e);
      const notice = noticeJob(page, result);
      if (notice) await ctx.queue.send(JOBS.assistantReply, notice, { tx });
      return result.outcome;
    }
    case 'delivery': {
      const c = await customer('delivery');
      await messages.markDelivered(tx, c.id, e.mids, e.watermark);
      return 'delivery';
    }
    case 'read': {
      const c = await customer('read');
      await messages.markRead(tx, c.id, e.watermark);
      return 'read';
    }
  }
}

export type OptInMessengerEvent = Extract<MessengerEvent, { type: 'optin_otn' | 'optin_recurring' }>;

/** An opt-in webhook event as the opt-in use-case takes it (optins.ts). */
export function optInEventOf(page: PageRow, e: OptInMessengerEvent): OptInEvent & { page: PageRow } {
  return {
    page,
    fbPageId: e.pageId,
    psid: e.psid,
    kind: e.type === 'optin_otn' ? 'one_time' : 'recurring',
    token: e.token,
    payload: e.payload,
    at: e.timestamp,
    ...(e.type === 'optin_recurring' && {
      title: e.title,
      metaExpiry: e.tokenExpiresAt,
      frequency: e.frequency,
    }),
  };
}

/** R4f: a customer opting in to a topic they already hold gets the page's notice text (the job, or null). */
export function noticeJob(
  page: PageRow,
  result: Extract<OptInOutcome, { customerId: number }>,
): AssistantReplyJob | null {
  if (!optInShowsNotice(result)) return null;
  return { kind: 'notice', workspaceId: page.workspace_id, customerId: result.customerId };
}

/** What an opt-in's entry in the conversation log keeps: the event carries tokens, the inbox shows only this. */
export const optInLogPayload = (e: OptInMessengerEvent) => ({ type: e.type, payload: e.payload });

/** A stored event, decoded as it arrived (the inbox keeps the raw `messaging[]` element, encrypted). */
export function storedEvent(row: WebhookEventRow): MessengerEvent | undefined {
  const parsed = parseMessagingEvent(row.fb_page_id, inbox.eventBody(row));
  return typeof parsed === 'string' ? undefined : parsed;
}

/** R8c: a Stop / Resume from the customer's Manage menu. */
function applyStatusChange(
  ctx: AppContext,
  page: PageRow,
  e: Extract<MessengerEvent, { type: 'optin_recurring' }>,
  status: 'STOP' | 'RESUME',
) {
  return applyStopResume(ctx, {
    page,
    fbPageId: e.pageId,
    psid: e.psid,
    token: e.token,
    action: status === 'STOP' ? 'stop' : 'resume',
    at: e.timestamp,
  });
}

/**
 * Out of order: a Stop / Resume stamped after this opt-in may have been applied first, when its token
 * was still unknown (outcome `unknown_token`). Apply those now, oldest first, so the result is the one
 * timestamp order gives.
 */
async function replayEarlyStatusChanges(
  ctx: AppContext,
  tx: Tx,
  page: PageRow,
  e: Extract<MessengerEvent, { type: 'optin_recurring' }>,
): Promise<void> {
  for (const row of await inbox.processedWithOutcome(tx, e.pageId, e.psid, 'unknown_token', e.timestamp)) {
    const parsed = storedEvent(row);
    if (parsed?.type !== 'optin_recurring' || !parsed.status || parsed.token !== e.token) continue;
    const outcome = await applyStatusChange({ ...ctx, db: tx }, page, parsed, parsed.status);
    await inbox.markProcessed(tx, row.id, outcome, ctx.clock.now());
  }
}
