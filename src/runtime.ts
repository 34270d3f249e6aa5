// Composes and runs renotify: storage, queue, Graph client, HTTP service, worker and — in sandbox
// mode — the Graph API sandbox sharing one controllable clock. main.ts and the end-to-end tests use it.

import { bootstrapOwner } from './app/accounts.ts';
import { campaignLifecycle } from './app/campaigns.ts';
import type { AppContext } from './app/context.ts';
import {
  handleAssistantReply,
  handleWebhookCustomer,
  PENDING_SWEEP_SECONDS,
  requeuePendingCustomers,
  sweepOnce as sweepRound,
  type WorkerContext,
  type WorkerObserver,
} from './app/job-handlers.ts';
import { sendCampaignMessagePaid } from './app/marketing-messages.ts';
import { marketingSweep } from './app/marketing-tokens.ts';
import { GraphClient, MarketingApi, SharedPageRateLimiter } from './channel/index.ts';
import { ManualClock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { seedDemo } from './demo.ts';
import { type Dispatcher, startDispatcher } from './dispatcher/dispatcher.ts';
import { isDomainError } from './domain/errors.ts';
import type { Clock } from './domain/model.ts';
import { requireAuth } from './http/auth.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { type App, buildServer, type ServerDeps } from './http/server.ts';
import { type AssistantReplyJob, JOBS, JobQueue, type WebhookCustomerJob } from './jobs/queue.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox/index.ts';
import { openStorage, type Storage } from './storage/db.ts';
import { takeCalls } from './storage/graph-rate.ts';
import * as pages from './storage/pages.ts';
import type { PageRow } from './storage/schema.ts';
import { loadOrCreateKey, setSecretKey } from './storage/secrets.ts';

export interface RuntimeOptions {
  config: Config;
  /** Use an already opened database (tests); otherwise opened from the config. */
  storage?: Storage;
  /** Start the worker (webhook processing, assistant replies, expiry sweep) in this process. */
  worker?: boolean;
  /** Serve HTTP (the service). Off for a worker-only process. */
  web?: boolean;
  sandbox?: Partial<SandboxOptions>;
  /** pg-boss schema; tests give each run its own. */
  queueSchema?: string;
  logger?: boolean;
  security?: ServerDeps['security'];
}

export interface Runtime {
  config: Config;
  url: string | null;
  sandboxUrl: string | null;
  storage: Storage;
  queue: JobQueue;
  server: App | null;
  sandbox: Sandbox | null;
  clock: Clock;
  ctx: WorkerContext & { queue: JobQueue };
  graph: GraphClient;
  metrics: Metrics;
  workspaceId: number;
  page: PageRow;
  /** Set on the very first start only: the owner account's credentials, to print once. */
  firstOwner: { email: string; password: string } | null;
  /** One round of the periodic sweeps (expiries, webhook retention); the worker runs it every minute. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

async function ensureWorkspace(
  ctx: AppContext,
  config: Config,
  sandbox: Sandbox | null,
): Promise<{ workspaceId: number; page: PageRow }> {
  const existing = await pages.firstPage(ctx.db);
  if (existing) return { workspaceId: existing.workspace_id, page: existing };
  if (sandbox) {
    const seeded = await seedDemo(ctx, sandbox, config.page.profile);
    return { workspaceId: seeded.workspaceId, page: seeded.page };
  }
  const { createWorkspace } = await import('./app/workspaces.ts');
  return createWorkspace(ctx, 'My shop', {
    fbPageId: config.page.fbPageId!,
    name: 'Facebook Page',
    profile: config.page.profile,
    timeZone: config.page.timeZone,
    region: config.page.region ?? null,
    accessToken: config.page.accessToken ?? null,
    appSecret: config.page.appSecret ?? null,
  });
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  // Secrets at rest must be readable after a restart: the configured key (RENOTIFY_SECRET_KEY or the
  // key file). Only a test's throw-away storage with no key configured keeps the ephemeral one.
  if (config.secretKey || !opts.storage) {
    setSecretKey(await loadOrCreateKey({ key: config.secretKey, file: config.secretKeyFile }));
  }
  const storage =
    opts.storage ??
    (await openStorage({
      databaseUrl: config.databaseUrl,
      dataDir: config.databaseUrl ? undefined : config.dataDir,
    }));
  let sandbox: Sandbox | null = null;
  let sandboxUrl: string | null = null;
  let clock: Clock = systemClock;
  if (config.mode === 'sandbox') {
    // One clock for both sides: moving the sandbox's clock moves the service's (R1/R7/R8 demos and tests).
    const sandboxClock = opts.sandbox?.clock ?? new ManualClock();
    clock = sandboxClock;
    sandbox = createSandbox({
      ...opts.sandbox,
      clock: sandboxClock,
      webhookUrl: opts.sandbox?.webhookUrl ?? `${config.publicUrl}/webhooks/messenger`,
    });
    sandboxUrl = await sandbox.listen(config.sandboxPort, config.host);
  }
  const graphBaseUrl = sandboxUrl ?? config.graph.baseUrl;
  const graph = new GraphClient({
    baseUrl: graphBaseUrl,
    version: config.graph.version,
    timeoutMs: config.graph.timeoutMs,
    rateLimitPerSecond: config.graph.rateLimitPerSecond,
    // On PostgreSQL the service and every `renotify worker` send for the same pages: Meta's per-page
    // limit is shared through the database. PGlite means one process, whose own window is enough.
    ...(storage.kind === 'postgres' && {
      limiter: new SharedPageRateLimiter({
        perSecond: config.graph.rateLimitPerSecond,
        source: { take: (pageId, o) => takeCalls(storage.db, pageId, o) },
      }),
    }),
  });
  const queue = new JobQueue(storage, { schema: opts.queueSchema ?? config.queueSchema });
  await queue.start();
  const metrics = createMetrics();
  // R14: paid marketing messages go through the same Graph client (pool, limiter, retries).
  const ctx = {
    db: storage.db,
    clock,
    channel: graph,
    profiles: graph,
    marketing: new MarketingApi(graph),
    queue,
  };
  // Processes of one deployment may start at once on a fresh database: whoever loses the race to create
  // the workspace or the owner account uses the winner's.
  const { workspaceId, page } = await ensureWorkspace(ctx, config, sandbox).catch(async (e: unknown) => {
    const existing = await pages.firstPage(ctx.db);
    if (!existing) throw e;
    return { workspaceId: existing.workspace_id, page: existing };
  });
  const firstOwner = await bootstrapOwner(ctx, workspaceId).catch((e: unknown) => {
    if (isDomainError(e, 'email_taken')) return null;
    throw e;
  });
  const appSecret = config.page.appSecret ?? sandbox?.info().appSecret;
  const verifyToken = config.page.verifyToken ?? sandbox?.info().verifyToken;

  let server: App | null = null;
  let url: string | null = null;
  if (opts.web !== false) {
    server = await buildServer({
      ctx,
      metrics,
      webhook: { appSecret, verifyToken, limits: config.webhook },
      // Tenancy: a request acts for the workspace of its session or API key, never another.
      workspaceFor: async (req) => requireAuth(req).workspaceId,
      security: { secureCookies: config.publicUrl.startsWith('https://'), ...opts.security },
      trustProxy: config.trustedProxies,
      queueDepth: () => queue.depth(),
      healthProblem: () => storage.problem(),
      logger: opts.logger ?? false,
    });
    url = await server.listen({ port: config.port, host: config.host });
    if (sandbox && config.port === 0) {
      // Tests listen on a free port: point the sandbox's webhooks at it.
      sandbox.state.page()!.webhookUrl = `${url}/webhooks/messenger`;
    }
  }
  // The demo's seeded customers and the webhook target are changes made outside a request.
  sandbox?.flush();
  // Webhooks the sandbox owed when it was last stopped or killed: the service listens now.
  sandbox?.redeliverWebhooks();

  let sweep: NodeJS.Timeout | null = null;
  let pendingSweep: NodeJS.Timeout | null = null;
  // R14b/R14e: stops told to Meta every round; Meta's token lists read once an hour (every 60th round).
  let sweepRounds = 0;
  const sweepOnce = async () => {
    await sweepRound(ctx, { webhookRetentionDays: config.webhook.retentionDays });
    await marketingSweep(ctx, { syncTokens: sweepRounds++ % 60 === 0 }).catch((e: unknown) =>
      console.error('[marketing sweep]', e),
    );
  };
  const observe: WorkerObserver = {
    webhookEventsProcessed: (n) => metrics.webhookEvents.inc({ stage: 'processed' }, n),
    botSend: (outcome) => metrics.sends.inc({ kind: 'bot', outcome }),
  };
  let dispatcher: Dispatcher | null = null;
  if (opts.worker !== false) {
    // --- campaign dispatcher (src/dispatcher; campaigns owner) ---
    // Every worker process runs one; on PostgreSQL they share campaigns row by row (SKIP LOCKED).
    dispatcher = startDispatcher({
      db: storage.db,
      clock,
      channel: graph,
      publicUrl: config.publicUrl,
      lifecycle: campaignLifecycle({ db: storage.db, clock }),
      paid: (req) => sendCampaignMessagePaid(ctx, req),
    });
    // --- end campaign dispatcher ---
    // Customers are independent (each holds its own advisory lock while applied), so on PostgreSQL
    // several batches run at once; PGlite has one connection, where one at a time is all there is.
    await queue.work<WebhookCustomerJob>(
      JOBS.webhookCustomer,
      (job) => handleWebhookCustomer(ctx, observe, job),
      { batchSize: 50, concurrency: storage.kind === 'postgres' ? 4 : 1 },
    );
    await queue.work<AssistantReplyJob>(JOBS.assistantReply, (job) =>
      handleAssistantReply(ctx, observe, job),
    );
    // Events stored but not applied (a crash before the job ran): enqueue their customers again.
    await requeuePendingCustomers(ctx);
    sweep = setInterval(() => void sweepOnce(), 60_000);
    sweep.unref();
    // A job can be lost to a dropped connection (pg-boss could not record its failure, so it sits
    // "active" until it expires): events still pending after half a minute get their customer enqueued
    // again. Applying is idempotent and serialised per customer, so a duplicate job costs one query.
    pendingSweep = setInterval(
      () =>
        void requeuePendingCustomers(ctx, new Date(clock.now().getTime() - 30_000)).catch((e) =>
          console.error('[pending sweep]', e),
        ),
      PENDING_SWEEP_SECONDS * 1000,
    );
    pendingSweep.unref();
  }

  return {
    config,
    url,
    sandboxUrl,
    storage,
    queue,
    server,
    sandbox,
    clock,
    ctx,
    graph,
    metrics,
    workspaceId,
    page,
    firstOwner: firstOwner && { email: firstOwner.email, password: firstOwner.password },
    sweep: sweepOnce,
    async close() {
      if (sweep) clearInterval(sweep);
      if (pendingSweep) clearInterval(pendingSweep);
      await dispatcher?.stop();
      await server?.close();
      await queue.stop();
      await sandbox?.close();
      await graph.close();
      if (!opts.storage) await storage.close();
    },
  };
}
