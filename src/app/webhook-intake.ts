// Webhook intake: authenticate every entry against the app its own page is connected through, refuse
// what no Meta delivery contains, store every event with its idempotency key and enqueue its customer's
// processing — one transaction, shared by concurrent deliveries (group commit) — then 200.

import {
  carriesChanges,
  checkDelivery,
  type DeliveryProblem,
  entryPageIds,
  parseMarketingWebhook,
  parseTemplateStatusUpdates,
  parseWebhook,
} from '../channel/index.ts';
import { type Enqueuer, JOBS, type WebhookCustomerJob, webhookCustomerKey } from '../jobs/queue.ts';
import { inTransaction } from '../storage/db.ts';
import type { InboxEvent, PageBelief } from '../storage/webhook-events.ts';
import * as inbox from '../storage/webhook-events.ts';
import type { AppContext } from './context.ts';
import { applyMarketingEvents } from './marketing-stats.ts';
import { applyTemplateStatusChanges } from './templates.ts';
import { authenticate, beliefOf, IntakePages, writable } from './webhook-pages.ts';

export { webhookSecretFor } from './webhook-pages.ts';

/** A page changed under a group's cached beliefs this many times running: answered 500, Meta retries. */
const MAX_STALE_RETRIES = 3;

export type IntakeResult =
  /** `dropped`: events of suspended workspaces' pages, answered 200 but not stored (issue 12.2). */
  | { status: 'accepted'; events: number; stored: number; skipped: string[]; dropped: number }
  | { status: 'unsigned' } // 401
  /** 403. `unknown_page`: an entry names a page nobody connected (told apart only in metrics). */
  | { status: 'bad_signature'; reason: 'signature' | 'unknown_page' }
  | { status: 'invalid_body'; problem: DeliveryProblem }; // 400

interface Waiting {
  events: InboxEvent[];
  beliefs: PageBelief[];
  /** `stale`: nothing of the group was stored, a page changed since it was cached. */
  resolve(stored: number | 'stale'): void;
  reject(e: unknown): void;
}

/**
 * Group commit: deliveries that arrive while a commit runs are stored together in the next one — events
 * and jobs in one statement (or one transaction where the queue cannot say it). Up to
 * `commitsInFlight` groups commit at once (1 on PGlite's single connection), but a spare slot is
 * opened only once `spareSlotAt` deliveries wait: every commit costs a round trip, a statement and a
 * WAL flush whatever its size, and with 2 cores shared by the service and PostgreSQL, eager slots made
 * groups of ~4.5 deliveries at 270 µs of bench-process CPU per delivery where waiting for the running
 * commit made groups of ~11 at ~215 µs (BENCHMARKS.md, issue 13). Opening it at 32 waiting, not 16 (with
 * the bench's 32 connections: one commit at a time, groups of ~14) cut the CPU per delivery again: each
 * commit's socket write, which wakes PostgreSQL, is among a delivery's dearest parts. Each delivery is
 * still answered only after the commit that holds it; alone, a delivery commits at once (no added wait).
 * If a group fails, each member is retried alone, so one bad delivery never fails its neighbours.
 */
export class WebhookIntake {
  private waiting: Waiting[] = [];
  private committing = 0;
  private readonly pages: IntakePages;
  private readonly maxBatch: number;
  private readonly commitsInFlight: number;
  private readonly spareSlotAt: number;

  constructor(
    private readonly ctx: AppContext & { queue: Enqueuer },
    opts: { maxBatch?: number; commitsInFlight?: number; spareSlotAt?: number } = {},
  ) {
    this.pages = new IntakePages(ctx.db);
    this.maxBatch = opts.maxBatch ?? 500;
    this.commitsInFlight = Math.max(1, opts.commitsInFlight ?? 1);
    this.spareSlotAt = Math.max(1, opts.spareSlotAt ?? 32);
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
    const pageIds = entryPageIds(input.body);
    // Pages from the cache are believed only as far as the guarded store checks them: any other
    // outcome (a refusal, nothing to store) is decided again on a fresh lookup.
    let cached = this.pages.cached(pageIds);
    let parsed: ReturnType<typeof parseWebhook> | undefined;
    for (let stale = 0; ; ) {
      // A refused body is still authenticated first (as far as its entries can be read), so a stranger
      // learns nothing about what would be accepted.
      const found = cached ?? (await this.pages.fresh(pageIds));
      const auth = authenticate(found, input.appSecret, input.raw, input.signature, pageIds);
      if (!auth.ok || problem) {
        if (cached) {
          cached = undefined;
          continue;
        }
        if (!auth.ok) return { status: 'bad_signature', reason: auth.reason };
      }
      input.onAuthenticated?.();
      if (problem) return { status: 'invalid_body', problem };
      parsed ??= parseWebhook(input.body);
      // A suspended workspace's events are answered 200 (Meta redelivers a non-200 and in the end
      // disables the app's webhook for every shop) but not stored: the route counts and logs them.
      const events = parsed.events.filter((e) => !auth.pages.get(e.pageId)?.workspace_suspended_at);
      if (events.length === 0 && cached) {
        cached = undefined;
        continue;
      }
      const dropped = parsed.events.length - events.length;
      const rows = events.map((e) => ({
        fbPageId: e.pageId,
        psid: e.psid,
        kind: e.type,
        idempotencyKey: e.idempotencyKey,
        eventAt: e.timestamp,
        body: e.raw,
      }));
      // Every named page whose events may be stored, as authenticated: the store checks them.
      const beliefs = [...new Set(pageIds)]
        .map((id) => auth.pages.get(id))
        .filter(writable)
        .map(beliefOf);
      const stored = rows.length ? await this.store(rows, beliefs) : 0;
      if (stored === 'stale') {
        this.pages.forget(pageIds);
        cached = undefined;
        if (++stale > MAX_STALE_RETRIES)
          throw new Error('webhook intake: pages kept changing under the delivery');
        continue;
      }
      // Nothing page-level to apply (every delivery of messaging events only): answered as it is.
      if (!carriesChanges(input.body))
        return { status: 'accepted', events: events.length, stored, skipped: parsed.errors, dropped };
      return this.applyChanges(input.body, { events: events.length, stored, errors: parsed.errors, dropped });
    }
  }

  private async applyChanges(
    body: unknown,
    r: { events: number; stored: number; errors: string[]; dropped: number },
  ): Promise<IntakeResult> {
    // R13b: template statuses are page-level changes (entry[].changes[]), few and idempotent: applied
    // before the 200, so an acknowledged status is a stored one.
    const statuses = parseTemplateStatusUpdates(body);
    const changed = statuses.length ? await applyTemplateStatusChanges(this.ctx, statuses) : 0;
    // R14d: the marketing_message_* changes are applied (idempotently) before the delivery is answered.
    const paid = parseMarketingWebhook(body, this.ctx.clock.now());
    await applyMarketingEvents(this.ctx, paid.events);
    const changesOnly = statuses.length > 0 || paid.events.length > 0;
    return {
      status: 'accepted',
      events: r.events + statuses.length + paid.events.length,
      stored: r.stored + changed,
      skipped: [
        ...(changesOnly ? r.errors.filter((e) => !e.endsWith('no messaging array')) : r.errors),
        ...paid.errors,
      ],
      dropped: r.dropped,
    };
  }

  private store(events: InboxEvent[], beliefs: PageBelief[]): Promise<number | 'stale'> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, beliefs, resolve, reject });
      const spare = this.committing < this.commitsInFlight && this.waiting.length >= this.spareSlotAt;
      if (this.committing === 0 || spare) void this.commitLoop();
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
   * every event's customer has a job that runs after the event is visible — a job of the group, or the
   * customer's job already waiting (the queue keeps one per customer: `JOBS.webhookCustomer`; the
   * statement holds that job back from workers until it commits, see queue.ts LOCK_WAITING_JOB).
   * The statement also checks every member's page beliefs: if one is stale, nothing of the group is
   * stored (`stale`), and every member goes back to `accept`, which looks its pages up afresh and joins a
   * later group. Each stale group counts for all its members, so a page that keeps changing can bring a
   * neighbour to MAX_STALE_RETRIES (a 500, redelivered by Meta): rare enough to keep the group whole.
   *
   * The check reads the page rows without locking them (as the lookup before it always did): a
   * disconnect or suspension committed while the statement runs can still let that group in.
   */
  private commit(batch: Waiting[]): Promise<Set<string> | 'stale'> {
    const all = batch.flatMap((w) => w.events);
    const beliefs = batch.flatMap((w) => w.beliefs);
    const customersInBatch = new Map(all.map((e) => [webhookCustomerKey(e), e]));
    const jobs: WebhookCustomerJob[] = [...customersInBatch.values()].map((e) => ({
      fbPageId: e.fbPageId,
      psid: e.psid,
    }));
    const insert = this.ctx.queue.jobsInsert?.(JOBS.webhookCustomer);
    if (insert)
      return inbox.storeEventsIfPages(this.ctx.db, beliefs, all, this.ctx.clock.now(), {
        insert: insert.text,
        payload: insert.payload(jobs),
      });
    return inTransaction(this.ctx.db, async (tx) => {
      const inserted = await inbox.storeEventsIfPages(tx, beliefs, all, this.ctx.clock.now());
      if (inserted !== 'stale') await this.ctx.queue.sendMany(JOBS.webhookCustomer, jobs, { tx });
      return inserted;
    });
  }

  private settle(batch: Waiting[], fresh: Set<string> | 'stale'): void {
    for (const w of batch) {
      if (fresh === 'stale') {
        w.resolve('stale');
        continue;
      }
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
