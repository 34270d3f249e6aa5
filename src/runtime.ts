// Composes and runs renotify: storage, queue, Graph client, HTTP service, worker and — in sandbox
// mode — the Graph API sandbox sharing one controllable clock. main.ts and the end-to-end tests use it.

import { bootstrapOwner } from './app/accounts.ts';
import { campaignLifecycle } from './app/campaigns.ts';
import type { AppContext } from './app/context.ts';
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
import { requeueOrphanedOrderEvents, retryOrderEvent } from './app/order-events.ts';
import { checkPageHealth, connectPage } from './app/page-connections.ts';
import { GraphClient, MarketingApi, SharedPageRateLimiter, TemplateApi } from './channel/index.ts';
import { ManualClock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { embeddedDemoSandbox, remoteDemoSandbox, seedDemo } from './demo.ts';
import { type Dispatcher, type DispatcherOptions, startDispatcher } from './dispatcher/dispatcher.ts';
import { isDomainError } from './domain/errors.ts';
import type { Clock } from './domain/model.ts';
import { requireAuth } from './http/auth.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { type App, buildServer, type ServerDeps } from './http/server.ts';
import {
  type AssistantReplyJob,
  JOBS,
  JobQueue,
  type OrderEventJob,
  type WebhookCustomerJob,
} from './jobs/queue.ts';
import {
  createSandbox,
  type Sandbox,
  SandboxClient,
  type SandboxInfo,
  type SandboxOptions,
} from './sandbox/index.ts';
import { openStorage, type Storage } from './storage/db.ts';
import { createDispatchStore } from './storage/dispatch-store.ts';
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
  /** Dispatcher tuning (tests: a long safety poll proves a start wakes it). */
  dispatcher?: DispatcherOptions;
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
  /** Whether the installation has a page yet (a live deployment with only FB_APP_ID may have none). */
  hasPage: boolean;
  /** The first page's workspace and the first page (the demo's, or the single-page shortcut's). */
  workspaceId: number;
  page: PageRow;
  /** Set on the very first start only: the owner account's credentials, to print once. */
  firstOwner: { email: string; password: string } | null;
  /** The Meta app pages are connected through (Facebook Login), or null when none is configured. */
  facebookApp: FacebookApp | null;
  /** One round of the page health check (the `page-health` job's work), for tests and the CLI. */
  pageHealth(): Promise<Array<{ pageId: number; ok: boolean; reason: string | null }>>;
  /** One round of the periodic sweeps (expiries, webhook retention); the worker runs it every minute. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The installation's first page, made or kept up to date at start: in sandbox mode the demo (the
 * embedded sandbox's, seeded; a remote sandbox's page, connected); in live mode the single-page
 * shortcut (FB_PAGE_ID + FB_PAGE_ACCESS_TOKEN), connected through the same code as the console's flow.
 * Null when there is no page yet (live mode with only the Meta app configured).
 */
async function ensureFirstPage(
  ctx: AppContext,
  config: Config,
  sandbox: Sandbox | null,
  remoteSandbox: { info: SandboxInfo; client: SandboxClient } | null,
): Promise<{ workspaceId: number; page: PageRow } | null> {
  const remote = remoteSandbox?.info ?? null;
  if (
    remoteSandbox &&
    !(await pages.findPageByFbId(ctx.db, remoteSandbox.info.pageId)) &&
    !(await pages.firstPage(ctx.db))
  ) {
    // An empty database beside a sandbox of its own process: the same demo as plain `npm start`, once.
    const seeded = await seedDemo(
      ctx,
      remoteDemoSandbox(remoteSandbox.client),
      remoteSandbox.info.profile as PageRow['profile'],
    );
    return { workspaceId: seeded.workspaceId, page: seeded.page };
  }
  const shortcut =
    config.mode === 'live' && config.page.fbPageId && config.page.accessToken
      ? { fbPageId: config.page.fbPageId, accessToken: config.page.accessToken }
      : remote && { fbPageId: remote.pageId, accessToken: remote.pageAccessToken };
  if (shortcut) {
    const held = await pages.findPageByFbId(ctx.db, shortcut.fbPageId);
    if (held) {
      // An upgrade or a restart: the page keeps its workspace, history and console settings; it gets
      // the configured token and the deployment's app secret (its own stored secret is cleared).
      const { page } = await connectPage(ctx, held.workspace_id, {
        fbPageId: shortcut.fbPageId,
        name: held.name,
        accessToken: shortcut.accessToken,
      });
      return { workspaceId: held.workspace_id, page };
    }
    const first = await pages.firstPage(ctx.db);
    const workspaceId =
      first?.workspace_id ??
      (await pages.insertWorkspace(ctx.db, remote ? 'Cửa hàng demo' : 'My shop', ctx.clock.now()));
    const { page } = await connectPage(ctx, workspaceId, {
      fbPageId: shortcut.fbPageId,
      name: remote?.pageName ?? 'Facebook Page',
      accessToken: shortcut.accessToken,
      profile: remote ? (remote.profile as PageRow['profile']) : config.page.profile,
      timeZone: remote?.timeZone ?? config.page.timeZone,
      region: remote ? remote.region : (config.page.region ?? null),
    });
    return { workspaceId, page };
  }
  const existing = await pages.firstPage(ctx.db);
  if (existing) return { workspaceId: existing.workspace_id, page: existing };
  if (sandbox) {
    const seeded = await seedDemo(
      ctx,
      embeddedDemoSandbox(sandbox, () => ctx.clock.now()),
      config.page.profile,
    );
    return { workspaceId: seeded.workspaceId, page: seeded.page };
  }
  return null;
}

/**
 * A sandbox running as its own process (SANDBOX_URL): its page and secrets, and a clock that follows
 * the sandbox's, so "8 days later" still holds on both sides.
 */
async function attachRemoteSandbox(url: string, webhookUrl: string | null) {
  const client = new SandboxClient(url);
  const info = await client.info();
  if (webhookUrl) await client.config({ webhookUrl });
  const clock = new ManualClock(await client.now());
  const follow = setInterval(
    () =>
      void client.now().then(
        (at) => clock.set(at),
        () => {}, // the sandbox restarting: keep the last offset until it answers again
      ),
    1000,
  );
  follow.unref();
  return { info, client, clock, stop: () => clearInterval(follow) };
}

/**
 * The Meta app pages are connected through ("Kết nối Fanpage", health rounds, unsubscribing on
 * disconnect): in sandbox mode the sandbox's own app (embedded or SANDBOX_URL); live, FB_APP_ID with
 * FB_APP_SECRET; otherwise none. The runtime and the operator's offline commands share it.
 */
export function facebookAppFor(
  config: Config,
  sandboxUrl: string | null,
  sandboxApp: { appId: string; appSecret: string } | null,
): FacebookApp | null {
  if (sandboxUrl && sandboxApp)
    return {
      appId: sandboxApp.appId,
      appSecret: sandboxApp.appSecret,
      dialogBaseUrl: sandboxUrl,
      graphBaseUrl: sandboxUrl,
      version: config.graph.version,
    };
  if (config.mode === 'live' && config.facebookLogin.appId && config.page.appSecret)
    return {
      appId: config.facebookLogin.appId,
      appSecret: config.page.appSecret,
      dialogBaseUrl: config.facebookLogin.dialogBaseUrl,
      graphBaseUrl: config.graph.baseUrl,
      version: config.graph.version,
    };
  return null;
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
  let remote: Awaited<ReturnType<typeof attachRemoteSandbox>> | null = null;
  if (config.mode === 'sandbox' && config.sandboxUrl) {
    // Only the process serving HTTP tells the sandbox where to deliver webhooks.
    const webhookUrl = opts.web === false ? null : `${config.publicUrl}/webhooks/messenger`;
    remote = await attachRemoteSandbox(config.sandboxUrl, webhookUrl);
    clock = remote.clock;
    sandboxUrl = config.sandboxUrl;
  } else if (config.mode === 'sandbox') {
    // One clock for both sides: moving the sandbox's clock moves the service's (R1/R7/R8 demos and tests).
    const sandboxClock = opts.sandbox?.clock ?? new ManualClock();
    clock = sandboxClock;
    // The sandbox's page runs the service's rules (PAGE_PROFILE, PAGE_REGION, PAGE_TIME_ZONE): the two
    // sides must never disagree on what Meta allows. A test's explicit page options still win.
    const pageRules = {
      profile: config.page.profile,
      timeZone: config.page.timeZone,
      ...(config.page.region ? { region: config.page.region.toUpperCase() } : {}),
    };
    sandbox = createSandbox({
      ...opts.sandbox,
      page: { ...pageRules, ...opts.sandbox?.page },
      clock: sandboxClock,
      webhookUrl: opts.sandbox?.webhookUrl ?? `${config.publicUrl}/webhooks/messenger`,
    });
    if (sandbox.restored) {
      // A restart under another PAGE_PROFILE/PAGE_REGION: the saved page follows the configuration.
      Object.assign(sandbox.state.primary(), pageRules, opts.sandbox?.page ?? {});
      sandbox.state.touch({ kind: 'meta' });
      sandbox.flush();
    }
    sandboxUrl = await sandbox.listen(config.sandboxPort, config.host);
  }
  const graphBaseUrl = sandboxUrl ?? config.graph.baseUrl;
  const graph = new GraphClient({
    baseUrl: graphBaseUrl,
    version: config.graph.version,
    timeoutMs: config.graph.timeoutMs,
    rateLimitPerSecond: config.graph.rateLimitPerSecond,
    appSecret: config.app.secret ?? remote?.info.appSecret ?? sandbox?.info().appSecret ?? null,
    // On PostgreSQL the service and every `renotify worker` send for the same pages: Meta's per-page
    // limit is shared through the database. PGlite means one process, whose own window is enough.
    ...(storage.kind === 'postgres' && {
      limiter: new SharedPageRateLimiter({
        perSecond: config.graph.rateLimitPerSecond,
        source: { take: (pageId, o) => takeCalls(storage.db, pageId, o) },
      }),
    }),
  });
  const facebookApp = facebookAppFor(config, sandboxUrl, remote?.info ?? sandbox?.info() ?? null);
  const facebook = facebookApp && { app: facebookApp, publicUrl: config.publicUrl };
  const queue = new JobQueue(storage, { schema: opts.queueSchema ?? config.queueSchema });
  await queue.start();
  const metrics = createMetrics();
  let dispatcher: Dispatcher | null = null;
  // kickDispatcher: a campaign started or resumed through this process wakes its own dispatcher at once.
  // R14: paid marketing messages go through the same Graph client (pool, limiter, retries).
  const ctx = {
    db: storage.db,
    clock,
    channel: graph,
    profiles: graph,
    marketing: new MarketingApi(graph),
    queue,
    kickDispatcher: () => dispatcher?.kick(),
    templates: new TemplateApi(graph),
  };
  // Processes of one deployment may start at once on a fresh database: whoever loses the race to create
  // the workspace or the owner account uses the winner's.
  const first = await ensureFirstPage(ctx, config, sandbox, remote).catch(async (e: unknown) => {
    const existing = await pages.firstPage(ctx.db);
    if (!existing) throw e;
    return { workspaceId: existing.workspace_id, page: existing };
  });
  // A deployment with no page yet has no first workspace either: shops sign up or the operator
  // creates them (renotify workspaces create).
  const firstOwner = first
    ? await bootstrapOwner(ctx, first.workspaceId).catch((e: unknown) => {
        if (isDomainError(e, 'email_taken')) return null;
        throw e;
      })
    : null;
  const appSecret = config.app.secret ?? remote?.info.appSecret ?? sandbox?.info().appSecret;
  const verifyToken = config.app.verifyToken ?? remote?.info.verifyToken ?? sandbox?.info().verifyToken;

  let server: App | null = null;
  let url: string | null = null;
  if (opts.web !== false) {
    server = await buildServer({
      ctx,
      metrics,
      webhook: {
        appSecret,
        verifyToken,
        limits: config.webhook,
        // A few commits in flight keep the pool's connections busy without starving the worker's.
        commitsInFlight: storage.kind === 'postgres' ? 4 : 1,
      },
      signup: config.signup,
      facebook,
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
      for (const p of sandbox.state.pages.values()) p.webhookUrl = `${url}/webhooks/messenger`;
    }
    if (facebook && config.port === 0) {
      // Facebook's redirect after the Login dialog comes back to where the service really listens.
      facebook.publicUrl = url;
    }
  }
  // The demo's seeded customers and the webhook target are changes made outside a request.
  sandbox?.flush();
  // Webhooks the sandbox owed when it was last stopped or killed: the service listens now.
  sandbox?.redeliverWebhooks();

  let sweep: NodeJS.Timeout | null = null;
  let pendingSweep: NodeJS.Timeout | null = null;
  let healthTimer: NodeJS.Timeout | null = null;
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
  if (opts.worker !== false) {
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
      opts.dispatcher,
    );
    dispatcher = running;
    // A campaign started or resumed in any process (the service, another worker) sends this job.
    await queue.work(JOBS.campaignWake, async () => running.kick());
    // --- end campaign dispatcher ---
    // Customers are independent (each holds its own advisory lock while applied), so on PostgreSQL
    // several batches run at once; PGlite has one connection, where one at a time is all there is.
    // A fetched batch of customers is applied in one transaction (webhook-batch.ts).
    await queue.workBatch<WebhookCustomerJob>(
      JOBS.webhookCustomer,
      (jobs) => handleWebhookCustomers(ctx, observe, jobs),
      { batchSize: 100, concurrency: storage.kind === 'postgres' ? 4 : 1 },
    );
    await queue.work<AssistantReplyJob>(JOBS.assistantReply, (job) =>
      handleAssistantReply(ctx, observe, job),
    );
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
    sweep = setInterval(() => void sweepOnce(), 60_000);
    sweep.unref();
    // A job can be lost to a dropped connection (pg-boss could not record its failure, so it sits
    // "active" until it expires): events still pending after half a minute get their customer enqueued
    // again. Applying is idempotent and serialised per customer, so a duplicate job costs one query.
    pendingSweep = setInterval(
      () =>
        void requeuePendingCustomers(ctx, new Date(clock.now().getTime() - 30_000))
          .then(() => requeueOrphanedOrderEvents(ctx))
          .catch((e) => console.error('[pending sweep]', e)),
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
    hasPage: first !== null,
    get workspaceId(): number {
      if (!first) throw new Error('no page is connected yet: this deployment has no first workspace');
      return first.workspaceId;
    },
    get page(): PageRow {
      if (!first) throw new Error('no page is connected yet');
      return first.page;
    },
    firstOwner: firstOwner && { email: firstOwner.email, password: firstOwner.password },
    sweep: sweepOnce,
    facebookApp,
    pageHealth: () => (facebookApp ? checkPageHealth(ctx, facebookApp) : Promise.resolve([])),
    async close() {
      remote?.stop();
      if (sweep) clearInterval(sweep);
      if (pendingSweep) clearInterval(pendingSweep);
      if (healthTimer) clearInterval(healthTimer);
      await dispatcher?.stop();
      await server?.close();
      await queue.stop();
      await sandbox?.close();
      await graph.close();
      if (!opts.storage) await storage.close();
    },
  };
}
