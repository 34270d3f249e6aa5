// createSandbox(): a fake graph.facebook.com plus simulated customers, on one Fastify instance.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ManualClock } from '../clock.ts';
import { LIMITS } from '../domain/platform.ts';
import type { SandboxCore } from './core.ts';
import { registerCustomerRoutes } from './customer-routes.ts';
import { CustomerActions, customerView, SandboxError } from './customers.ts';
import { Errors, GraphError } from './errors.ts';
import { Faults, RateLimiter } from './faults.ts';
import { dispatchGraph, formToObject } from './graph.ts';
import { IdGen } from './ids.ts';
import { registerLoginRoutes } from './login-dialog.ts';
import { webhookTargets } from './login-webhooks.ts';
import { StateFile } from './persist.ts';
import { registerPhone } from './phone/routes.ts';
import { registerRoutes2026 } from './routes-2026.ts';
import { SandboxState } from './state.ts';
import type { CustomerInput, PageOptions, SimPage } from './types.ts';
import { DEFAULT_RETRY, WebhookEmitter, type WebhookRetryOptions } from './webhooks.ts';

export interface SandboxOptions {
  clock?: ManualClock;
  webhookUrl?: string;
  graphVersion?: string;
  page?: Partial<PageOptions>;
  customers?: CustomerInput[];
  /** Send API calls per second per page (wall time); default 300; 0 = unlimited. */
  rateLimitPerSecond?: number;
  /** Seedable randomness for ids and fault draws; see `seededRandom`. */
  random?: () => number;
  webhookRetry?: Partial<WebhookRetryOptions>;
  /**
   * Keep the state in files in this directory (src/sandbox/persist.ts) and restore it from there:
   * `npm start` gives its data directory. Without it the sandbox lives in memory only.
   */
  stateDir?: string;
}

export const DEFAULT_PAGE: PageOptions = {
  id: '109876543210987',
  name: 'Sandbox Shop',
  accessToken: 'EAAsandbox-page-access-token',
  appSecret: 'sandbox-app-secret',
  verifyToken: 'sandbox-verify-token',
  appId: '1517776481860111',
  profile: 'legacy-2022',
  region: 'VN',
  timeZone: 'Asia/Ho_Chi_Minh',
  optInFeatureEnabled: true,
};

export interface SandboxInfo {
  pageId: string;
  pageName: string;
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
  appId: string;
  graphBaseUrl: string;
  graphVersion: string;
  webhookUrl: string | null;
  profile: string;
  region: string;
  timeZone: string;
  optInFeatureEnabled: boolean;
  restricted: boolean;
  restrictedReason: string | null;
  reports: number;
  reportThreshold: number;
  rateLimitPerSecond: number;
  echoes: boolean;
  deliveries: boolean;
  subscribedFields: string[] | null;
  now: string;
  customers: Array<{ psid: string; name: string; lastInteractionAt: string | null }>;
  pages: string[];
}

export interface Sandbox {
  app: FastifyInstance;
  state: SandboxState;
  clock: ManualClock;
  faults: Faults;
  webhooks: WebhookEmitter;
  customers: CustomerActions;
  core: SandboxCore;
  /** Listens on loopback and returns the base URL, e.g. `http://127.0.0.1:3001`. Port 0 = any free port. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  info(pageId?: string): SandboxInfo;
  addPage(page: Partial<PageOptions> & { id: string }): SimPage;
  /** Whether the state came from `stateDir` (a restart) rather than from the options. */
  restored: boolean;
  /** Writes changes made outside a request (seeding, config set in code) to `stateDir`; else a no-op. */
  flush(): void;
  /**
   * Sends the webhooks a stopped or killed sandbox still owed (restored from `stateDir`), with their
   * original timestamps. Call it once the receiver listens. Returns how many.
   */
  redeliverWebhooks(): number;
}

const VERSION_RE = /^v\d+(\.\d+)?$/;

export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const clock = opts.clock ?? new ManualClock();
  const random = opts.random ?? Math.random;
  const ids = new IdGen(random);
  const state = new SandboxState(ids, () => clock.now());
  const faults = new Faults(ids);
  let baseUrl = '';
  const pageDefaults = {
    rateLimitPerSecond: opts.rateLimitPerSecond ?? LIMITS.callsPerSecond,
    webhookUrl: opts.webhookUrl ?? null,
  };
  const webhooks = new WebhookEmitter({
    targets: (pageId) => {
      const p = state.page(pageId);
      return p ? webhookTargets(p, state.login) : [];
    },
    faults: () => faults.config,
    ids,
    random,
    nowMs: () => clock.now().getTime(),
    retry: { ...DEFAULT_RETRY, ...opts.webhookRetry },
  });
  const core: SandboxCore = {
    state,
    clock,
    ids,
    random,
    faults,
    limiter: new RateLimiter(),
    webhooks,
    graphVersion: opts.graphVersion ?? 'v23.0',
    baseUrl: () => baseUrl,
  };
  const file = opts.stateDir ? new StateFile(opts.stateDir, state, clock) : null;
  const restored = file?.open() ?? false;
  if (file) webhooks.outbox = file.outbox;
  if (!restored) {
    const primary = state.addPage({ ...DEFAULT_PAGE, ...opts.page }, pageDefaults);
    // The page's own app is also a Facebook Login app (same id and secret): the service connects
    // pages through it. Its callback is the page's webhook URL until set (src/sandbox/login-webhooks.ts).
    state.login.addApp({
      id: primary.appId,
      name: 'renotify (sandbox)',
      secret: primary.appSecret,
      verifyToken: primary.verifyToken,
      webhookUrl: null,
    });
    state.touch({ kind: 'login' });
    for (const c of opts.customers ?? []) state.addCustomer(primary.id, c, clock.now());
  } else if (opts.webhookUrl !== undefined) {
    // The configured target wins over the saved one: the service may listen elsewhere after a restart.
    state.primary().webhookUrl = opts.webhookUrl;
  }
  file?.flush();
  const actions = new CustomerActions(core);

  const info = (pageId?: string): SandboxInfo => {
    const p = state.page(pageId);
    if (!p) throw new SandboxError(404, `no page ${pageId}`);
    return {
      pageId: p.id,
      pageName: p.name,
      pageAccessToken: p.accessToken,
      appSecret: p.appSecret,
      verifyToken: p.verifyToken,
      appId: p.appId,
      graphBaseUrl: baseUrl,
      graphVersion: core.graphVersion,
      webhookUrl: p.webhookUrl,
      profile: p.profile,
      region: p.region,
      timeZone: p.timeZone,
      optInFeatureEnabled: p.optInFeatureEnabled,
      restricted: p.restricted,
      restrictedReason: p.restrictedReason,
      reports: p.reports,
      reportThreshold: p.reportThreshold,
      rateLimitPerSecond: p.rateLimitPerSecond,
      echoes: p.echoes,
      deliveries: p.deliveries,
      subscribedFields: p.subscribedFields,
      now: clock.now().toISOString(),
      customers: state.customersOf(p.id).map((c) => {
        const v = customerView(c);
        return { psid: v.psid, name: v.name, lastInteractionAt: v.lastInteractionAt };
      }),
      pages: [...state.pages.keys()],
    };
  };
  const addPage = (page: Partial<PageOptions> & { id: string }) => {
    if (state.pages.has(page.id)) throw new SandboxError(409, `page ${page.id} exists`);
    return state.addPage(
      { ...DEFAULT_PAGE, accessToken: `EAAsandbox-${page.id}`, name: `Sandbox Page ${page.id}`, ...page },
      pageDefaults,
    );
  };

  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, formToObject(String(body)));
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof SandboxError) return reply.code(err.status).send({ error: err.message });
    if (req.url.startsWith('/sandbox')) return reply.code(err.statusCode ?? 500).send({ error: err.message });
    const g = err instanceof GraphError ? err : Errors.param(err.message);
    return reply.code(g.status).send(g.toBody(ids.fbtrace()));
  });
  if (file) {
    // Whatever a request changed is on disk before its answer leaves (survives a SIGKILL).
    app.addHook('onSend', async (_req, _reply, payload) => {
      file.flush();
      return payload;
    });
  }
  registerCustomerRoutes(app, { core, actions, info, addPage });
  registerRoutes2026(app, core, actions);
  registerLoginRoutes(app, core);
  // The sandbox phone page at /phone (src/sandbox/phone).
  app.register(async (scope) => registerPhone(scope));

  const graphHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const params = req.params as { version: string; '*'?: string };
    if (!VERSION_RE.test(params.version)) {
      const g = Errors.unknownPath(req.url.split('?')[0] ?? '');
      return reply.code(404).send(g.toBody(ids.fbtrace()));
    }
    if (faults.config.sendLatencyMs > 0) await new Promise((r) => setTimeout(r, faults.config.sendLatencyMs));
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const res = await dispatchGraph(core, {
      method: req.method,
      path: params['*'] ?? '',
      version: params.version,
      query: (req.query ?? {}) as Record<string, unknown>,
      body,
      authorization: req.headers.authorization,
    });
    reply.code(res.status).headers(res.headers ?? {});
    return reply.send(res.body);
  };
  for (const url of ['/:version', '/:version/', '/:version/*']) {
    app.route({ method: ['GET', 'POST', 'DELETE'], url, handler: graphHandler });
  }

  return {
    app,
    state,
    clock,
    faults,
    webhooks,
    customers: actions,
    core,
    info,
    addPage,
    restored,
    flush: () => file?.flush(),
    redeliverWebhooks() {
      const owed = file?.takeOwed() ?? [];
      for (const w of owed) webhooks.emit(w.pageId, w.event, w.id);
      return owed.length;
    },
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const addr = app.server.address() as AddressInfo;
      baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
      return baseUrl;
    },
    async close() {
      webhooks.close();
      await app.close();
      file?.close();
    },
  };
}
