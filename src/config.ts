// Environment → typed configuration, read once at start. With no Meta app (FB_APP_ID) and no page
// token the service runs in sandbox mode: it starts the Graph API simulator beside itself (or talks to
// one running as its own process, SANDBOX_URL) and talks to it.
import { isIP } from 'node:net';
import path from 'node:path';
import { isProfile, type Profile } from './domain/platform.ts';

export interface Config {
  mode: 'sandbox' | 'live';
  host: string;
  port: number;
  sandboxPort: number;
  databaseUrl: string | undefined;
  /** pg-boss's schema: RENOTIFY_QUEUE_SCHEMA, default pgboss (two deployments in one database differ). */
  queueSchema: string;
  /**
   * PREPARED_STATEMENTS (on|off, default on): hot statements go as named prepared statements. Off behind
   * a pooler that cannot keep them per client (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements: boolean;
  dataDir: string;
  /** Base URL the service is reached at (printed, and given to the sandbox as its webhook target). */
  publicUrl: string;
  graph: { baseUrl: string; version: string; timeoutMs: number; rateLimitPerSecond: number };
  /** The deployment's one Meta app (issue 12): every page is connected through it. */
  app: { id: string | undefined; secret: string | undefined; verifyToken: string | undefined };
  /** SIGNUP: may anyone create a shop from the console? Default open in sandbox mode, closed live. */
  signup: 'open' | 'closed';
  /** SANDBOX_URL: a sandbox running as its own process (`renotify sandbox`); unset starts one inside. */
  sandboxUrl: string | undefined;
  /**
   * The single-page shortcut (FB_PAGE_ID + FB_PAGE_ACCESS_TOKEN): at start the page is connected
   * to the first workspace through app/page-connections.ts, as the console's connect flow does.
   */
  page: {
    fbPageId: string | undefined;
    accessToken: string | undefined;
    /** The same as app.secret (kept for the single-page shortcut's callers). */
    appSecret: string | undefined;
    verifyToken: string | undefined;
    profile: Profile;
    timeZone: string;
    region: string | undefined;
  };
  webhook: WebhookConfig;
  logLevel: string;
  /** TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For names the client address (default none). */
  trustedProxies: string[];
  /** AES-256-GCM key for secrets at rest: RENOTIFY_SECRET_KEY, else a 0600 key file made on first start. */
  secretKey: string | undefined;
  secretKeyFile: string;
  /**
   * Facebook Login ("Kết nối Fanpage", issue 12 item 3): the deployment's Meta app (FB_APP_ID with
   * FB_APP_SECRET), the dialog's host (FB_DIALOG_BASE_URL) and how often page tokens are checked
   * (PAGE_HEALTH_INTERVAL_MIN). In sandbox mode the sandbox's own app is used.
   */
  facebookLogin: { appId: string | undefined; dialogBaseUrl: string; healthIntervalMin: number };
}

/** Webhook intake bounds (issue 9, items 6 and 10). */
export interface WebhookConfig {
  /** Largest webhook body accepted, in bytes (WEBHOOK_BODY_LIMIT_KB, default 512 KB). */
  bodyLimit: number;
  /** A webhook body not fully received in this time is dropped (WEBHOOK_BODY_TIMEOUT_MS, default 5 s). */
  bodyTimeoutMs: number;
  /** Webhook bodies received but not yet authenticated at once; more get 503 (WEBHOOK_MAX_PENDING_BODIES). */
  maxPendingBodies: number;
  /** Processed webhook events are kept this long, then pruned (WEBHOOK_RETENTION_DAYS, default 30). */
  retentionDays: number;
  /**
   * Batches of up to 200 customers' events a worker process applies at once on PostgreSQL
   * (WEBHOOK_WORKER_BATCHES, 1 to 4, default 4; PGlite has one connection: always 1). Fewer leave the CPU
   * to the console's reads during a burst on a small machine, at the cost of the burst's throughput. Not
   * more: each batch holds one of the process's 10 pooled connections for its transaction (and 200
   * advisory locks), which the console, the queue and the dispatcher share; more worker processes
   * (`renotify worker`) are the way to apply more at once.
   */
  workerBatches: number;
}

function positive(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
}

/** A whole number from 1 to `max`. */
function count(v: string | undefined, fallback: number, max: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`${name} must be a whole number from 1 to ${max}, got "${v}"`);
  return n;
}

function int(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name} must be a port number, got "${v}"`);
  return n;
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Comma-separated addresses, CIDRs (10.0.0.0/8) or the keywords loopback, linklocal, uniquelocal. */
function proxies(v: string | undefined): string[] {
  const list = (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of list) {
    const [addr = '', bits, extra] = p.split('/');
    const max = isIP(addr) === 4 ? 32 : 128;
    const ok =
      PROXY_KEYWORDS.has(p) ||
      (isIP(addr) !== 0 &&
        extra === undefined &&
        (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max)));
    if (!ok)
      throw new Error(`TRUSTED_PROXIES: "${p}" is not an address, a CIDR or loopback/linklocal/uniquelocal`);
  }
  return list;
}

function signupMode(v: string | undefined, mode: 'sandbox' | 'live'): 'open' | 'closed' {
  if (v === undefined || v === '') return mode === 'sandbox' ? 'open' : 'closed';
  if (v !== 'open' && v !== 'closed') throw new Error(`SIGNUP must be open or closed, got "${v}"`);
  return v;
}

function onOff(v: string | undefined, name: string, fallback: boolean): boolean {
  if (v === undefined || v === '') return fallback;
  if (v !== 'on' && v !== 'off') throw new Error(`${name} must be on or off, got "${v}"`);
  return v === 'on';
}

function sandboxUrlOf(v: string | undefined): string | undefined {
  if (!v) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(v)) throw new Error(`SANDBOX_URL must be an http(s) URL, got "${v}"`);
  return v.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const accessToken = env.FB_PAGE_ACCESS_TOKEN || undefined;
  const appId = env.FB_APP_ID || undefined;
  // Live: a Meta app is configured (pages are connected to it), or the single-page shortcut is used.
  const mode = accessToken || appId ? 'live' : 'sandbox';
  const sandboxUrl = mode === 'sandbox' ? sandboxUrlOf(env.SANDBOX_URL) : undefined;
  const host = env.HOST || '127.0.0.1';
  const port = int(env.PORT, 3000, 'PORT');
  const sandboxPort = int(env.SANDBOX_PORT, 3001, 'SANDBOX_PORT');
  // Sandbox: the source documents' rules (legacy-2022); a live page: what Meta allows today (2026).
  const profile = env.PAGE_PROFILE || (mode === 'sandbox' ? 'legacy-2022' : '2026');
  if (!isProfile(profile))
    throw new Error(`PAGE_PROFILE must be one of legacy-2022, 2023, 2025, 2026; got "${profile}"`);
  if (mode === 'live') {
    const needed = accessToken
      ? ['FB_PAGE_ID', 'FB_APP_SECRET', 'FB_VERIFY_TOKEN']
      : ['FB_APP_SECRET', 'FB_VERIFY_TOKEN'];
    const missing = needed.filter((k) => !env[k]);
    const why = accessToken ? 'FB_PAGE_ACCESS_TOKEN set' : 'FB_APP_ID set';
    if (missing.length) throw new Error(`live mode (${why}) also needs ${missing.join(', ')}`);
  }
  return {
    mode,
    host,
    port,
    sandboxPort,
    databaseUrl: env.DATABASE_URL || undefined,
    queueSchema: env.RENOTIFY_QUEUE_SCHEMA || 'pgboss',
    preparedStatements: onOff(env.PREPARED_STATEMENTS, 'PREPARED_STATEMENTS', true),
    dataDir: path.resolve(env.RENOTIFY_DATA_DIR || './data'),
    publicUrl: env.RENOTIFY_PUBLIC_URL || `http://${host}:${port}`,
    graph: {
      baseUrl:
        mode === 'live'
          ? env.GRAPH_BASE_URL || 'https://graph.facebook.com'
          : (sandboxUrl ?? `http://${host}:${sandboxPort}`),
      version: env.GRAPH_API_VERSION || 'v23.0',
      timeoutMs: Number(env.GRAPH_TIMEOUT_MS || 10_000),
      rateLimitPerSecond: Number(env.GRAPH_RATE_LIMIT || 300),
    },
    app: {
      id: appId,
      secret: env.FB_APP_SECRET || undefined,
      verifyToken: env.FB_VERIFY_TOKEN || undefined,
    },
    signup: signupMode(env.SIGNUP, mode),
    sandboxUrl,
    page: {
      fbPageId: env.FB_PAGE_ID || undefined,
      accessToken,
      appSecret: env.FB_APP_SECRET || undefined,
      verifyToken: env.FB_VERIFY_TOKEN || undefined,
      profile,
      timeZone: env.PAGE_TIME_ZONE || 'Asia/Ho_Chi_Minh',
      region: env.PAGE_REGION || undefined,
    },
    webhook: {
      bodyLimit: Math.round(positive(env.WEBHOOK_BODY_LIMIT_KB, 512, 'WEBHOOK_BODY_LIMIT_KB') * 1024),
      bodyTimeoutMs: positive(env.WEBHOOK_BODY_TIMEOUT_MS, 5_000, 'WEBHOOK_BODY_TIMEOUT_MS'),
      maxPendingBodies: Math.ceil(positive(env.WEBHOOK_MAX_PENDING_BODIES, 64, 'WEBHOOK_MAX_PENDING_BODIES')),
      retentionDays: positive(env.WEBHOOK_RETENTION_DAYS, 30, 'WEBHOOK_RETENTION_DAYS'),
      workerBatches: count(env.WEBHOOK_WORKER_BATCHES, 4, 4, 'WEBHOOK_WORKER_BATCHES'),
    },
    logLevel: env.LOG_LEVEL || 'info',
    trustedProxies: proxies(env.TRUSTED_PROXIES),
    secretKey: env.RENOTIFY_SECRET_KEY || undefined,
    facebookLogin: {
      appId: env.FB_APP_ID || undefined,
      dialogBaseUrl: env.FB_DIALOG_BASE_URL || 'https://www.facebook.com',
      healthIntervalMin: positive(env.PAGE_HEALTH_INTERVAL_MIN, 60, 'PAGE_HEALTH_INTERVAL_MIN'),
    },
    secretKeyFile: path.resolve(
      env.RENOTIFY_SECRET_KEY_FILE || path.join(env.RENOTIFY_DATA_DIR || './data', 'secret.key'),
    ),
  };
}
