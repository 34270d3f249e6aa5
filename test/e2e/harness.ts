// End-to-end harness: the real runtime (HTTP service + pg-boss worker + Graph API sandbox sharing one
// ManualClock) on loopback free ports, over PGlite or PostgreSQL. Tests drive customers through the
// sandbox and the agent side through the HTTP API, and read the database only to prove what was stored.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { request } from 'undici';
import { createApiKey } from '../../src/app/accounts.ts';
import { loadConfig } from '../../src/config.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { type CustomerInput, SandboxClient, type SandboxOptions, signBody } from '../../src/sandbox/index.ts';
import type { Storage } from '../../src/storage/db.ts';
import { type Backend, openTestStorage } from '../support/backends.ts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface WaitOptions {
  /** Upper bound; the wait fails (throws) after it. Not an assertion about speed. */
  timeoutMs?: number;
  intervalMs?: number;
  what?: string;
}

/** Polls `fn` until it returns a truthy value (returned) or the bound is reached (throws). */
export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const interval = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waitFor(${opts.what ?? 'condition'}) not met within ${timeoutMs} ms; last: ${detail}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function api<T = any>(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  if (body === undefined) delete headers['content-type'];
  const res = await request(new URL(path, baseUrl), {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // plain text (metrics, EVENT_RECEIVED)
  }
  return { status: res.statusCode, body: parsed as T, text };
}

export interface Harness {
  backend: Backend;
  rt: Runtime;
  storage: Storage;
  /** The service's base URL (http://127.0.0.1:<port>). */
  url: string;
  sandboxUrl: string;
  sb: SandboxClient;
  appSecret: string;
  accessToken: string;
  fbPageId: string;
  /** The page's id in renotify. */
  pageId: number;
  topics: { recurring: number; otn: number };
  /** An owner API key of the demo workspace. */
  apiKey: string;
  api<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>>;
  /** POSTs a Messenger delivery to the service, signed with `secret` (the app secret by default). */
  deliver(body: unknown, opts?: { secret?: string | null; signature?: string }): Promise<ApiResponse<string>>;
  /** Every webhook delivered, every stored event applied, every queued job done. */
  settle(what?: string): Promise<void>;
  /** A new sandbox customer who just wrote `text` (or nothing), with renotify's customer id. */
  newCustomer(input?: CustomerInput & { say?: string }): Promise<{ psid: string; id: number }>;
  customerId(psid: string): Promise<number | undefined>;
  count(table: string, where?: string): Promise<number>;
  close(): Promise<void>;
}

export async function startHarness(
  backend: Backend,
  opts: { sandbox?: Partial<SandboxOptions>; env?: Record<string, string> } = {},
): Promise<Harness> {
  const storage = await openTestStorage(backend);
  const queueSchema = `pgboss_e2e_${randomBytes(4).toString('hex')}`;
  const rt = await startRuntime({
    config: { ...loadConfig(opts.env ?? {}), port: 0, sandboxPort: 0, host: '127.0.0.1' },
    storage,
    queueSchema,
    sandbox: { webhookRetry: { attempts: 4, baseMs: 20, timeoutMs: 5_000 }, ...opts.sandbox },
  });
  if (!rt.url || !rt.sandboxUrl || !rt.sandbox)
    throw new Error('runtime did not start the service and sandbox');
  const url = rt.url;
  // The API needs a caller: an owner API key of the demo workspace (accounts, `Authorization: Bearer`).
  const { key } = await createApiKey(rt.ctx, rt.workspaceId, { name: 'e2e', role: 'owner' }, null);
  const auth = { authorization: `Bearer ${key}` };
  const sb = new SandboxClient(rt.sandboxUrl);
  const info = await sb.info();
  const topicRows = await storage.db.selectFrom('topics').select(['id', 'kind']).orderBy('id').execute();
  const topics = {
    recurring: topicRows.find((t) => t.kind === 'recurring')!.id,
    otn: topicRows.find((t) => t.kind === 'one_time')!.id,
  };

  const count = async (table: string, where = 'true') => {
    const r = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.raw(where)}`.execute(storage.db);
    return Number(r.rows[0]!.n);
  };
  const busyJobs = async () => {
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(`${queueSchema}.job`)}
      WHERE state IN ('created', 'retry', 'active')`.execute(storage.db);
    return Number(r.rows[0]!.n);
  };
  const customerId = async (psid: string) =>
    (
      await storage.db
        .selectFrom('customers')
        .select('id')
        .where('psid', '=', psid)
        .where('page_id', '=', rt.page.id)
        .executeTakeFirst()
    )?.id;

  const h: Harness = {
    backend,
    rt,
    storage,
    url,
    sandboxUrl: rt.sandboxUrl,
    sb,
    appSecret: info.appSecret,
    accessToken: info.pageAccessToken,
    fbPageId: info.pageId,
    pageId: rt.page.id,
    topics,
    apiKey: key,
    api: (method, path, body) => api(url, method, path, body, { ...auth }),
    async deliver(body, o = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const secret = o.secret === undefined ? info.appSecret : o.secret;
      if (o.signature !== undefined) headers['x-hub-signature-256'] = o.signature;
      else if (secret !== null) headers['x-hub-signature-256'] = signBody(secret, raw);
      return api<string>(url, 'POST', '/webhooks/messenger', raw, headers);
    },
    async settle(what = 'settle') {
      // Two quiet rounds in a row: replies cause echoes and deliveries, which are webhooks again.
      let quiet = 0;
      await waitFor(
        async () => {
          await sb.flushWebhooks();
          const pending = await count('webhook_events', 'processed_at IS NULL');
          const jobs = await busyJobs();
          quiet = pending === 0 && jobs === 0 ? quiet + 1 : 0;
          return quiet >= 2;
        },
        { what, intervalMs: 50, timeoutMs: 30_000 },
      );
    },
    async newCustomer(input = {}) {
      const { say, ...rest } = input;
      const c = await sb.createCustomer({ name: `E2E ${randomBytes(3).toString('hex')}`, ...rest });
      if (say !== undefined) await sb.message(c.psid, say);
      const id = await waitFor(() => customerId(c.psid), { what: `customer ${c.psid} stored` });
      return { psid: c.psid, id };
    },
    customerId,
    count,
    async close() {
      await rt.close();
      if (backend === 'postgres') {
        await sql`DROP SCHEMA IF EXISTS ${sql.id(queueSchema)} CASCADE`.execute(storage.db).catch(() => {});
      }
      await storage.close();
    },
  };
  return h;
}

/** A delivery body as Meta sends it: one entry per event, `time` = the event's timestamp. */
export function delivery(pageId: string, events: Array<Record<string, unknown>>) {
  return {
    object: 'page',
    entry: events.map((e) => ({ id: pageId, time: Number(e.timestamp ?? Date.now()), messaging: [e] })),
  };
}
