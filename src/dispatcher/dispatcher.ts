// The campaign dispatcher (architecture.md: dispatcher/): `concurrency` loops in one process, each
// taking the next step of an active campaign — make a due scheduled campaign run, copy one keyset page
// of the audience, or send one bounded batch — and sleeping when there is nothing to do. All progress
// lives in the database, so any number of processes on one PostgreSQL share the work (rows are claimed
// with SKIP LOCKED) and a process killed at any point is simply continued by the next.
// It is woken, not polling: starting or resuming a campaign calls `kick()` in the process that did it
// and sends a `campaign-wake` job that a worker in any process turns into `kick()` (runtime.ts).
// On the embedded database run one process: PGlite is one session.
import { ErrorWindow } from '../domain/campaign-delivery.ts';
import type { PauseReason } from '../domain/campaigns.ts';
import { isDomainError } from '../domain/errors.ts';
import type { ActiveCampaign } from '../storage/dispatch-store.ts';
import { type BatchOptions, runBatch } from './batch.ts';
import type { DispatchContext } from './store.ts';

/**
 * The safety poll: a crashed process's lapsed leases, a scheduled campaign coming due, deferred
 * recipients coming due, and a wake job lost with its process are found by looking again this often.
 * Starting or resuming a campaign does not wait for it (kick / the wake job).
 */
export const SAFETY_POLL_MS = 5_000;

export interface DispatcherOptions extends Partial<BatchOptions> {
  /** Loops in this process; default 2. */
  concurrency?: number;
  /** Sleep when idle before looking again (the safety poll); default SAFETY_POLL_MS. */
  pollMs?: number;
  /** Customers copied per materialisation step; default 5 000. */
  materialisePage?: number;
  onError?: (e: unknown) => void;
  /** Called each time a loop goes to sleep with nothing to do (tests wait for an idle dispatcher). */
  onIdle?: () => void;
}

export interface Dispatcher {
  /** Wake idle loops now (a campaign was started). */
  kick(): void;
  /** Finish the steps in flight, then stop. */
  stop(): Promise<void>;
}

export function startDispatcher(ctx: DispatchContext, opts: DispatcherOptions = {}): Dispatcher {
  const batch: BatchOptions = {
    batchSize: opts.batchSize ?? 200,
    leaseMs: opts.leaseMs ?? 120_000,
    parallelCalls: opts.parallelCalls ?? 4,
  };
  const pollMs = opts.pollMs ?? SAFETY_POLL_MS;
  const pageSize = opts.materialisePage ?? 5000;
  const onError = opts.onError ?? ((e: unknown) => console.error('[dispatcher]', e));
  const windows = new Map<number, ErrorWindow>();
  let stopped = false;
  const wakers = new Set<() => void>();
  let turn = 0;
  // Counts kicks, so that a kick arriving while a loop is mid-tick (it may have read the campaigns
  // before the start committed) keeps that loop from going to sleep on a stale answer.
  let kicks = 0;

  const sleep = () =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, pollMs);
      function done() {
        clearTimeout(t);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
    });

  async function pause(campaignId: number, reason: PauseReason): Promise<void> {
    windows.delete(campaignId);
    try {
      await ctx.lifecycle(campaignId, { type: 'pause', reason });
    } catch (e) {
      if (!isDomainError(e, 'campaign_state_conflict')) throw e; // an admin paused or cancelled first
    }
  }

  /** One step of one campaign (as read this tick, with its page and topic); false when it had nothing to do. */
  async function step(target: ActiveCampaign): Promise<boolean> {
    const c = target.campaign;
    if (c.status === 'scheduled') {
      await ctx.lifecycle(c.id, { type: 'due' }).catch((e) => {
        if (!isDomainError(e, 'campaign_state_conflict')) throw e;
      });
      return true;
    }
    // One loop (in any process) copies the audience page by page under the campaign row's lock; a loop
    // that finds it held sends from the rows already copied instead of polling for the lock, so the
    // copy overlaps the sending and adds no idle polling while it runs (issue 13).
    if (!c.materialized && (await ctx.store.materialiseNext(c.id, pageSize, ctx.clock.now()))) return true;
    const restricted = target.page.restricted_reason;
    if (restricted) {
      // R11b: nothing goes out on a restricted page; the campaign says why and waits for a resume.
      await pause(
        c.id,
        restricted.startsWith('page_token_invalid') ? 'page_token_invalid' : 'page_restricted',
      );
      return true;
    }
    const report = await runBatch(ctx, target, batch);
    if (report.claimed === 0) {
      // Completing needs the whole audience copied (R9d: nobody dropped), as read at this tick's start.
      if (c.materialized && (await ctx.store.openCount(c.id)) === 0) {
        windows.delete(c.id);
        await ctx.lifecycle(c.id, { type: 'complete' }).catch((e) => {
          if (!isDomainError(e, 'campaign_state_conflict')) throw e;
        });
        return true;
      }
      return false; // only deferred or in-flight rows left: wait
    }
    if (report.pause) {
      await pause(c.id, report.pause);
      return true;
    }
    const w = windows.get(c.id) ?? new ErrorWindow();
    windows.set(c.id, w);
    for (const v of report.verdicts) w.record(v);
    if (w.tripped()) await pause(c.id, 'too_many_errors');
    return true;
  }

  async function tick(): Promise<boolean> {
    const active = await ctx.store.activeCampaigns(ctx.clock.now());
    // Rotate the starting campaign so that loops spread over several running campaigns.
    const start = turn++;
    for (let i = 0; i < active.length; i++) {
      if (stopped) return false;
      if (await step(active[(start + i) % active.length]!)) return true;
    }
    return false;
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      let worked = false;
      const seen = kicks;
      try {
        worked = await tick();
      } catch (e) {
        onError(e);
      }
      if (!worked && !stopped && seen === kicks) {
        opts.onIdle?.();
        await sleep();
      }
    }
  }

  const loops = Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, loop);
  return {
    kick() {
      kicks++;
      for (const w of [...wakers]) w();
    },
    async stop() {
      stopped = true;
      for (const w of [...wakers]) w();
      await Promise.all(loops);
    },
  };
}
