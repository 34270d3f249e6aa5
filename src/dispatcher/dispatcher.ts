// The campaign dispatcher (architecture.md: dispatcher/): `concurrency` loops in one process, each
// taking the next step of an active campaign — make a due scheduled campaign run, copy one keyset page
// of the audience, or send one bounded batch — and sleeping when there is nothing to do. All progress
// lives in the database, so any number of processes on one PostgreSQL share the work (rows are claimed
// with SKIP LOCKED) and a process killed at any point is simply continued by the next.
// On the embedded database run one process: PGlite is one session.
import { ErrorWindow } from '../domain/campaign-delivery.ts';
import { audienceOf, type PauseReason } from '../domain/campaigns.ts';
import { isDomainError } from '../domain/errors.ts';
import { openCount } from '../storage/campaign-deliveries.ts';
import * as store from '../storage/campaigns.ts';
import { inTransaction } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import type { CampaignRow } from '../storage/schema.ts';
import * as topics from '../storage/topics.ts';
import { type BatchOptions, type DispatchContext, runBatch } from './batch.ts';

export interface DispatcherOptions extends Partial<BatchOptions> {
  /** Loops in this process; default 2. */
  concurrency?: number;
  /** Sleep when idle; default 250 ms. */
  pollMs?: number;
  /** Customers copied per materialisation step; default 5 000. */
  materialisePage?: number;
  onError?: (e: unknown) => void;
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
  const pollMs = opts.pollMs ?? 250;
  const pageSize = opts.materialisePage ?? 5000;
  const onError = opts.onError ?? ((e: unknown) => console.error('[dispatcher]', e));
  const windows = new Map<number, ErrorWindow>();
  let stopped = false;
  const wakers = new Set<() => void>();
  let turn = 0;

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

  async function pause(c: CampaignRow, reason: PauseReason): Promise<void> {
    windows.delete(c.id);
    try {
      await ctx.lifecycle(c.id, { type: 'pause', reason });
    } catch (e) {
      if (!isDomainError(e, 'campaign_state_conflict')) throw e; // an admin paused or cancelled first
    }
  }

  /** One step of one campaign; false when it had nothing to do. */
  async function step(c: CampaignRow): Promise<boolean> {
    if (c.status === 'scheduled') {
      await ctx.lifecycle(c.id, { type: 'due' }).catch((e) => {
        if (!isDomainError(e, 'campaign_state_conflict')) throw e;
      });
      return true;
    }
    if (!c.materialized) {
      const now = ctx.clock.now();
      return inTransaction(ctx.db, async (tx) => {
        const locked = await store.lockCampaign(tx, c.id);
        if (!locked || locked.materialized || locked.status !== 'running') return false;
        const scope = { pageId: c.page_id, topicId: c.topic_id, filters: audienceOf(c) };
        await store.materialisePage(tx, locked, scope, pageSize, now);
        return true;
      });
    }
    const page = (await pages.findPage(ctx.db, c.workspace_id, c.page_id))!;
    // A disconnected page (issue 12) sends nothing either, like a restricted one.
    const stopped = page.restricted_reason ?? (page.disconnected_at ? 'page_disconnected' : null);
    if (stopped) {
      // R11b: nothing goes out on a restricted page; the campaign says why and waits for a resume.
      await pause(c, stopped.startsWith('page_token_invalid') ? 'page_token_invalid' : 'page_restricted');
      return true;
    }
    const topic = topics.toTopicState((await topics.findTopic(ctx.db, c.workspace_id, c.topic_id))!);
    const report = await runBatch(ctx, c, page, topic, batch);
    if (report.claimed === 0) {
      if ((await openCount(ctx.db, c.id)) === 0) {
        windows.delete(c.id);
        await ctx.lifecycle(c.id, { type: 'complete' }).catch((e) => {
          if (!isDomainError(e, 'campaign_state_conflict')) throw e;
        });
        return true;
      }
      return false; // only deferred or in-flight rows left: wait
    }
    if (report.pause) {
      await pause(c, report.pause);
      return true;
    }
    const w = windows.get(c.id) ?? new ErrorWindow();
    windows.set(c.id, w);
    for (const v of report.verdicts) w.record(v);
    if (w.tripped()) await pause(c, 'too_many_errors');
    return true;
  }

  async function tick(): Promise<boolean> {
    const active = await store.activeCampaigns(ctx.db, ctx.clock.now());
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
      try {
        worked = await tick();
      } catch (e) {
        onError(e);
      }
      if (!worked && !stopped) await sleep();
    }
  }

  const loops = Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, loop);
  return {
    kick() {
      for (const w of [...wakers]) w();
    },
    async stop() {
      stopped = true;
      for (const w of [...wakers]) w();
      await Promise.all(loops);
    },
  };
}
