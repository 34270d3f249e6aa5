// Composes and runs renotify: storage, queue, Graph client, HTTP service, worker and — in sandbox
// mode — the Graph API sandbox sharing one controllable clock. main.ts and the end-to-end tests use it.

import { bootstrapOwner } from './app/accounts.ts';
import type { FacebookApp } from './app/facebook-connect.ts';
import type { WorkerContext } from './app/job-handlers.ts';
import { checkPageHealth } from './app/page-connections.ts';
import { GraphClient, MarketingApi, SharedPageRateLimiter, TemplateApi } from './channel/index.ts';
import { ManualClock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { Dispatcher, DispatcherOptions } from './dispatcher/dispatcher.ts';
import { isDomainError } from './domain/errors.ts';
import type { Clock } from './domain/model.ts';
import { facebookAppFor } from './facebook-app.ts';
import { ensureFirstPage } from './first-page.ts';
import { requireAuth } from './http/auth.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { type App, buildServer, type ServerDeps } from './http/server.ts';
import { JobQueue } from './jobs/queue.ts';
import { attachRemoteSandbox } from './remote-sandbox.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox/index.ts';
import { openStorage, type Storage } from './storage/db.ts';
import { takeCalls } from './storage/graph-rate.ts';
import * as pages from './storage/pages.ts';
import type { PageRow } from './storage/schema.ts';
import { loadOrCreateKey, setSecretKey } from './storage/secrets.ts';
import { periodicSweep, startWorker } from './worker.ts';

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
      prepare: config.preparedStatements,
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

  const sweepOnce = periodicSweep(ctx, config);
  const worker =
    opts.worker === false
      ? null
      : await startWorker(
          { ctx, storage, clock, graph, config, metrics, facebookApp, sweepOnce },
          opts.dispatcher,
        );
  dispatcher = worker?.dispatcher ?? null;

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
      await worker?.stop();
      await server?.close();
      await queue.stop();
      await sandbox?.close();
      await graph.close();
      if (!opts.storage) await storage.close();
    },
  };
}
