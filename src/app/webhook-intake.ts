// Webhook intake: authenticate every entry against the app its own page is connected through, refuse
// what no Meta delivery contains, store every event with its idempotency key and enqueue its customer's
// processing — one transaction, shared by concurrent deliveries (group commit) — then 200.

import {
  checkDelivery,
  type DeliveryProblem,
  entryPageIds,
  parseMarketingWebhook,
  parseTemplateStatusUpdates,
  parseWebhook,
  verifySignature,
} from '../channel/index.ts';
import { type Enqueuer, JOBS, type WebhookCustomerJob } from '../jobs/queue.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import type { IntakePage } from '../storage/pages.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow } from '../storage/schema.ts';
import type { InboxEvent } from '../storage/webhook-events.ts';
import * as inbox from '../storage/webhook-events.ts';
import type { AppContext } from './context.ts';
import { applyMarketingEvents } from './marketing-stats.ts';
import { applyTemplateStatusChanges } from './templates.ts';

export type IntakeResult =
  /** `dropped`: events of suspended workspaces' pages, answered 200 but not stored (issue 12.2). */
  | { status: 'accepted'; events: number; stored: number; skipped: string[]; dropped: number }
  | { status: 'unsigned' } // 401
  /** 403. `unknown_page`: an entry names a page nobody connected (told apart only in metrics). */
  | { status: 'bad_signature'; reason: 'signature' | 'unknown_page' }
  | { status: 'invalid_body'; problem: DeliveryProblem }; // 400

/**
 * The one place that says which app secret signs a page's webhooks. One Meta app per deployment: pages
 * connected through app/page-connections.ts store no secret and are verified with the deployment's
 * (FB_APP_SECRET / the sandbox's). A page stored with a secret of its own — the sandbox's demo pages
 * and pages from before issue 12 — keeps being verified with it, so existing data needs no migration;
 * the single-page shortcut reconnects its page at start, which clears it.
 */
export function webhookSecretFor(page: PageRow, configured: string | undefined): string | undefined {
  return page.app_secret ?? configured;
}

/**
 * Page lookups of concurrent deliveries, coalesced like the group commit: lookups asked for while one
 * query runs are answered together by the next, so the hot path costs one query per group.
 */
class PageLookup {
  private waiting: Array<{
    ids: string[];
    resolve(p: Map<string, IntakePage>): void;
    reject(e: unknown): void;
  }> = [];
  private running = false;

  constructor(private readonly db: Executor) {}

  find(ids: string[]): Promise<Map<string, IntakePage>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ids, resolve, reject });
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, 500);
        try {
          const ids = [...new Set(batch.flatMap((b) => b.ids))];
          const found = new Map((await pages.findPagesByFbIds(this.db, ids)).map((p) => [p.fb_page_id, p]));
          for (const b of batch) b.resolve(found);
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

type Authenticated =
  | { ok: true; pages: Map<string, IntakePage> }
  | { ok: false; reason: 'signature' | 'unknown_page' };

/**
 * Is every named page connected (a disconnected page counts as unknown) and does the signature verify
 * under each one's app secret? A delivery that names no page must be signed by the deployment's app.
 */
async function authenticate(
  lookup: PageLookup,
  configured: string | undefined,
  raw: Buffer,
  signature: string,
  pageIds: string[],
): Promise<Authenticated> {
  if (pageIds.length === 0)
    return configured && verifySignature(configured, raw, signature)
      ? { ok: true, pages: new Map() }
      : { ok: false, reason: 'signature' };
  const found = await lookup.find(pageIds);
  const verified = new Map<string, boolean>();
  for (const id of pageIds) {
    const page = found.get(id);
    if (!page || page.connection_status === 'disconnected') return { ok: false, reason: 'unknown_page' };
    const secret = webhookSecretFor(page, configured);
    if (!secret) return { ok: false, reason: 'signature' };
    if (!verified.has(secret)) verified.set(secret, verifySignature(secret, raw, signature));
    if (!verified.get(secret)) return { ok: false, reason: 'signature' };
  }
  return { ok: true, pages: found };
}

interface Waiting {
  events: InboxEvent[];
  resolve(stored: number): void;
  reject(e: unknown): void;
}

/**
 * Group commit: deliveries that arrive while every commit slot is busy are stored together in the next
 * free one — events and jobs in one statement (or one transaction where the queue cannot say it). Several groups commit at once
 * (`commitsInFlight`, one per pooled connection worth using; 1 on PGlite's single connection), so a
 * commit's round trips and fsync overlap the next group's. Each delivery is still answered only after
 * the commit that holds it; alone, a delivery commits at once (no added wait). If a group fails, each
 * member is retried alone, so one bad delivery never fails its neighbours.
 */
export class WebhookIntake {
  private waiting: Waiting[] = [];
  private committing = 0;
  private readonly pages: PageLookup;
  private readonly maxBatch: number;
  private readonly commitsInFlight: number;

  constructor(
    private readonly ctx: AppContext & { queue: Enqueuer },
    opts: { maxBatch?: number; commitsInFlight?: number } = {},
  ) {
    this.pages = new PageLookup(ctx.db);
    this.maxBatch = opts.maxBatch ?? 500;
    this.commitsInFlight = Math.max(1, opts.commitsInFlight ?? 1);
  }

  /**
   * `onAuthenticated` runs once the delivery's origin is known (the route frees its slot for
   * unauthenticated bodies there).
   */
  async accept(input: {
    raw: Buffer;
    signature: string | undefined;
    body: unknown;
    appSecret: string | undefined;
    onAuthenticated?: () => void;
  }): Promise<IntakeResult> {
    if (!input.signature) return { status: 'unsigned' };
    const problem = checkDelivery(input.body);
    // A refused body is still authenticated first (as far as its entries can be read), so a stranger
    // learns nothing about what would be accepted.
    const auth = await authenticate(
      this.pages,
      input.appSecret,
      input.raw,
      input.signature,
      entryPageIds(input.body),
    );
    if (!auth.ok) return { status: 'bad_signature', reason: auth.reason };
    input.onAuthenticated?.();
    if (problem) return { status: 'invalid_body', problem };
    const { events: parsed, errors } = parseWebhook(input.body);
    // A suspended workspace's events are answered 200 (Meta redelivers a non-200 and in the end
    // disables the app's webhook for every shop) but not stored: the route counts and logs them.
    const events = parsed.filter((e) => !auth.pages.get(e.pageId)?.workspace_suspended_at);
    const dropped = parsed.length - events.length;
    const rows = events.map((e) => ({
      fbPageId: e.pageId,
      psid: e.psid,
      kind: e.type,
      idempotencyKey: e.idempotencyKey,
      eventAt: e.timestamp,
      body: e.raw,
    }));
    const stored = rows.length ? await this.store(rows) : 0;
    // R13b: template statuses are page-level changes (entry[].changes[]), few and idempotent: applied
    // before the 200, so an acknowledged status is a stored one.
    const statuses = parseTemplateStatusUpdates(input.body);
    const changed = statuses.length ? await applyTemplateStatusChanges(this.ctx, statuses) : 0;
    // R14d: the marketing_message_* changes are applied (idempotently) before the delivery is answered.
    const paid = parseMarketingWebhook(input.body, this.ctx.clock.now());
    await applyMarketingEvents(this.ctx, paid.events);
    const changesOnly = statuses.length > 0 || paid.events.length > 0;
    return {
      status: 'accepted',
      events: events.length + statuses.length + paid.events.length,
      stored: stored + changed,
      skipped: [
        ...(changesOnly ? errors.filter((e) => !e.endsWith('no messaging array')) : errors),
        ...paid.errors,
      ],
      dropped,
    };
  }

  private store(events: InboxEvent[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (this.committing < this.commitsInFlight) void this.commitLoop();
    });
  }

  private async commitLoop(): Promise<void> {
    this.committing++;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          this.settle(batch, await this.commit(batch));
        } catch (e) {
          if (batch.length === 1) {
            // Nothing of it was stored: it answers 500 and Meta retries it.
            batch[0]!.reject(e);
            continue;
          }
          // Retry the members one by one: only the one that fails on its own answers 500.
          for (const w of batch) {
            try {
              this.settle([w], await this.commit([w]));
            } catch (alone) {
              w.reject(alone);
            }
          }
        }
      }
    } finally {
      this.committing--;
    }
  }

  /**
   * One statement when the queue can give its job insert (events and jobs together, atomic on its own,
   * one round trip); else one transaction of two inserts. Either way: stored before acknowledged, and
   * every event's customer has its job. A job per customer of the group, duplicates included (as ever).
   */
  private commit(batch: Waiting[]): Promise<Set<string>> {
    const all = batch.flatMap((w) => w.events);
    const customersInBatch = new Map(all.map((e) => [`${e.fbPageId}:${e.psid}`, e]));
    const jobs: WebhookCustomerJob[] = [...customersInBatch.values()].map((e) => ({
      fbPageId: e.fbPageId,
      psid: e.psid,
    }));
    const insert = this.ctx.queue.jobsInsert?.(JOBS.webhookCustomer);
    if (insert)
      return inbox.storeEvents(this.ctx.db, all, this.ctx.clock.now(), {
        insert: insert.text,
        payload: insert.payload(jobs),
      });
    return inTransaction(this.ctx.db, async (tx) => {
      const inserted = await inbox.storeEvents(tx, all, this.ctx.clock.now());
      await this.ctx.queue.sendMany(JOBS.webhookCustomer, jobs, { tx });
      return inserted;
    });
  }

  private settle(batch: Waiting[], fresh: Set<string>): void {
    for (const w of batch) {
      let n = 0;
      for (const k of new Set(w.events.map((e) => e.idempotencyKey))) if (fresh.delete(k)) n++;
      w.resolve(n);
    }
  }
}

export interface RetentionOptions {
  /** Processed events older than this are deleted. */
  days: number;
  /** Rows per DELETE, and the most batches one sweep runs (the rest waits for the next sweep). */
  batch?: number;
  maxBatches?: number;
}

/**
 * Deletes processed webhook events older than the retention (time from the injected clock), in bounded
 * batches; pending events are kept whatever their age. Returns how many were deleted.
 */
export async function pruneWebhookEvents(ctx: AppContext, opts: RetentionOptions): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - opts.days * 86_400_000);
  const batch = opts.batch ?? 1000;
  let total = 0;
  for (let i = 0; i < (opts.maxBatches ?? 20); i++) {
    const n = await inbox.pruneProcessed(ctx.db, before, batch);
    total += n;
    if (n < batch) break;
  }
  return total;
}
