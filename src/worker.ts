// The worker's room: the campaign dispatcher, the job handlers (webhook customers, assistant replies,
// order events, page health) and the periodic sweeps, started by runtime.ts in every process that
// works (the service unless told otherwise, and each `renotify worker`). Handlers live in app/.
import type { MarketingContext } from './app/ad-accounts.ts';
import { campaignLifecycle } from './app/campaigns.ts';
import type { FacebookApp } from './app/facebook-connect.ts';
import {
  handleAssistantReply,
  handleWebhookCustomers,
  PENDING_SWEEP_SECONDS,
  requeuePendingCustomers,
  sweepOnce as sweepRound,
  type WorkerContext,
  type WorkerObserver,
} from './app/job-handlers.ts';
import { sendCampaignMessagePaid } from './app/marketing-messages.ts';
import { marketingSweep } from './app/marketing-tokens.ts';
import { type OrderEventContext, requeueOrphanedOrderEvents, retryOrderEvent } from './app/order-events.ts';
import { checkPageHealth } from './app/page-connections.ts';
import { BackgroundProfiles } from './app/profiles.ts';
import type { GraphClient } from './channel/index.ts';
import type { Config, WebhookConfig } from './config.ts';
import { type Dispatcher, type DispatcherOptions, startDispatcher } from './dispatcher/dispatcher.ts';
import type { Clock } from './domain/model.ts';
import type { Metrics } from './http/metrics.ts';
import {
  type AssistantReplyJob,
  JOBS,
  type JobQueue,
  LEGACY_JOBS,
  type OrderEventJob,
  type WebhookCustomerJob,
} from './jobs/queue.ts';
import type { Storage } from './storage/db.ts';
import { createDispatchStore } from './storage/dispatch-store.ts';

/** What the runtime gives every use-case it wires: messaging, marketing, order events and the queue. */
export type RuntimeContext = WorkerContext & MarketingContext & OrderEventContext & { queue: JobQueue };

export interface WorkerDeps {
  ctx: RuntimeContext;
  storage: Storage;
  clock: Clock;
  graph: GraphClient;
  config: Config;
  metrics: Metrics;
  facebookApp: FacebookApp | null;
  /** One round of the periodic sweeps (periodicSweep), shared with Runtime.sweep. */
  sweepOnce: () => Promise<void>;
}

export interface Worker {
  dispatcher: Dispatcher;
  /** Clears the timers and stops the dispatcher; the queue is stopped by the runtime. */
  stop(): Promise<void>;
}

/** One round of the periodic sweeps (expiries, sign-in throttle, webhook retention, marketing stops). */
export function periodicSweep(ctx: RuntimeContext, config: Config): () => Promise<void> {
  // R14b/R14e: stops told to Meta every round; Meta's token lists read once an hour (every 60th round).
  let sweepRounds = 0;
  return async () => {
    await sweepRound(ctx, { webhookRetentionDays: config.webhook.retentionDays });
    await marketingSweep(ctx, { syncTokens: sweepRounds++ % 60 === 0 }).catch((e: unknown) =>
      console.error('[marketing sweep]', e),
    );
  };
}

/** Webhook batches a worker process applies at once: the setting on PostgreSQL, 1 on PGlite's one connection. */
export function webhookBatchesAtOnce(webhook: WebhookConfig, kind: Storage['kind']): number {
  return kind === 'postgres' ? webhook.workerBatches : 1;
}

export async function startWorker(deps: WorkerDeps, dispatcherOpts?: DispatcherOptions): Promise<Worker> {
  const { ctx, storage, clock, graph, config, metrics, facebookApp, sweepOnce } = deps;
  const { queue } = ctx;
  let healthTimer: NodeJS.Timeout | null = null;
  const observe: WorkerObserver = {
    webhookEventsProcessed: (n) => metrics.webhookEvents.inc({ stage: 'processed' }, n),
    botSend: (outcome) => metrics.sends.inc({ kind: 'bot', outcome }),
  };
  // --- campaign dispatcher (src/dispatcher; campaigns owner) ---
  // Every worker process runs one; on PostgreSQL they share campaigns row by row (SKIP LOCKED).
  const running = startDispatcher(
    {
      store: createDispatchStore(storage.db),
      clock,
      channel: graph,
      publicUrl: config.publicUrl,
      lifecycle: campaignLifecycle({ db: storage.db, clock }),
      paid: (req) => sendCampaignMessagePaid(ctx, req),
    },
    dispatcherOpts,
  );
  // A campaign started or resumed in any process (the service, another worker) sends this job.
  await queue.work(JOBS.campaignWake, async () => running.kick());
  // --- end campaign dispatcher ---
  // Customers are independent (each holds its own advisory lock while applied), so on PostgreSQL
  // several batches run at once; PGlite has one connection, where one at a time is all there is.
  // A fetched batch of customers is applied in one transaction (webhook-batch.ts). 200 jobs a fetch, not
  // 100: pg-boss's fetch walks the index entries of the jobs already claimed, so fewer fetches read half
  // the job rows per event (bench:webhooks --backlog: 287–291 vs 447–587 rows, 43–47 % vs 38–41 % of the
  // claim ceiling; then one job per customer per group commit). Since one job at most waits per customer
  // (JOBS.webhookCustomer), the same backlog bench reads 6.7 job rows per event, 265.6 before.
  // Up to 4 × 200 advisory locks per process at once (WEBHOOK_WORKER_BATCHES goes no higher; the lock
  // table is shared: max_locks_per_transaction × max_connections, 6,400 by default).
  // First-seen customers' names are fetched beside the processing, paced by the page's Graph rate.
  const profiles = new BackgroundProfiles(ctx);
  const webhookCustomers = (jobs: WebhookCustomerJob[]) =>
    handleWebhookCustomers(ctx, observe, jobs, profiles);
  await queue.workBatch<WebhookCustomerJob>(JOBS.webhookCustomer, webhookCustomers, {
    batchSize: 200,
    concurrency: webhookBatchesAtOnce(config.webhook, storage.kind),
  });
  // The webhook queue of earlier versions: jobs waiting there when the installation upgraded (or sent by
  // a process of the earlier version still running) are applied by the same handler. Nothing of this
  // version sends to it, so one slow poll is enough; the pending sweep would find their events anyway,
  // but only 30 s on and 1,000 customers a round.
  await queue.workBatch<WebhookCustomerJob>(LEGACY_JOBS.webhookCustomer, webhookCustomers, {
    batchSize: 200,
    pollSeconds: 5,
  });
  await queue.work<AssistantReplyJob>(JOBS.assistantReply, (job) => handleAssistantReply(ctx, observe, job));
  await queue.work<OrderEventJob>(JOBS.orderEvent, (job) => retryOrderEvent(ctx, job));
  if (facebookApp) {
    await queue.work(JOBS.pageHealth, async () => {
      await checkPageHealth(ctx, facebookApp);
    });
    // One health round per interval for the whole fleet: the singleton key lets one process's job in.
    const everyS = Math.round(config.facebookLogin.healthIntervalMin * 60);
    healthTimer = setInterval(
      () =>
        void queue
          .send(JOBS.pageHealth, {}, { singletonKey: 'page-health', singletonSeconds: everyS })
          .catch((e) => console.error('[page health]', e)),
      everyS * 1000,
    );
    healthTimer.unref();
  }
  // Events stored but not applied (a crash before the job ran): enqueue their customers again.
  await requeuePendingCustomers(ctx);
  const sweep = setInterval(() => void sweepOnce(), 60_000);
  sweep.unref();
  // A job can be lost to a dropped connection (pg-boss could not record its failure, so it sits
  // "active" until it expires): events still pending after half a minute get their customer enqueued
  // again. Applying is idempotent and serialised per customer, so a duplicate job costs one query.
  const pendingSweep = setInterval(
    () =>
      void requeuePendingCustomers(ctx, new Date(clock.now().getTime() - 30_000))
        .then(() => requeueOrphanedOrderEvents(ctx))
        .catch((e) => console.error('[pending sweep]', e)),
    PENDING_SWEEP_SECONDS * 1000,
  );
  pendingSweep.unref();
  return {
    dispatcher: running,
    async stop() {
      clearInterval(sweep);
      clearInterval(pendingSweep);
      if (healthTimer) clearInterval(healthTimer);
      await running.stop();
      await profiles.stop();
    },
  };
}
