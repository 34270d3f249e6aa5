// The only code that talks to Meta's Graph API (architecture.md: channel/). One undici Pool with
// keep-alive per client — global fetch measured 8× slower here (stack-measurements.md) — a
// per-page rate limiter in front of every call, appsecret_proof on every call, and bounded retries
// with full-jitter backoff for the retryable classes of src/domain/send-errors.ts only.
import { setTimeout as delay } from 'node:timers/promises';
import type { SendPlan } from '../domain/model.ts';
import { LIMITS } from '../domain/platform.ts';
import { RETRYABLE } from '../domain/send-errors.ts';
import { GraphTransport, type Query } from './graph-transport.ts';
import {
  appSecretProof,
  batchItemOutcome,
  buildSendBody,
  encodeBatchItemBody,
  failureFromResponse,
  type GraphFailure,
  type GraphPaging,
  type NotificationTokenInfo,
  type NotificationTokenPage,
  type SendBody,
  type SendResult,
  sendOutcome,
  type UserProfile,
} from './graph-wire.ts';
import type { OutgoingMessage } from './messages.ts';
import { PageRateLimiter } from './rate-limiter.ts';

export type { Query } from './graph-transport.ts';
export type {
  GraphFailure,
  GraphPaging,
  NotificationTokenInfo,
  NotificationTokenPage,
  SendResult,
  UserProfile,
} from './graph-wire.ts';

/** The credentials of one connected page. */
export interface PageCredentials {
  pageId: string;
  accessToken: string;
  /** When set, every call carries appsecret_proof (notes §5). */
  appSecret?: string | null;
}

export interface GraphClientOptions {
  /** https://graph.facebook.com, or the sandbox (http://127.0.0.1:3001); a path prefix is kept. */
  baseUrl: string;
  /** e.g. 'v23.0' */
  version: string;
  /** Whole-call deadline (headers and body); default 10 000 ms. */
  timeoutMs?: number;
  /** Extra attempts after the first for retryable classes; default 3. */
  maxRetries?: number;
  /** Full jitter: wait random() × min(maxMs, baseMs × 2^retry). Default {baseMs: 250, maxMs: 8000}. */
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Per page; default LIMITS.callsPerSecond (300). Ignored when `limiter` is given. */
  rateLimitPerSecond?: number;
  /** Share one limiter between clients of the same process. */
  limiter?: PageRateLimiter;
  /** undici Pool size; default 16. */
  connections?: number;
  /**
   * The deployment's Meta app secret (FB_APP_SECRET): the appsecret_proof of pages connected through
   * the deployment's app, which store no secret of their own (issue 12: one Meta app per deployment).
   */
  appSecret?: string | null;
}

/** Thrown by the non-send calls (profile, tokens, subscribe) once retries are exhausted. */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  constructor(
    readonly failure: GraphFailure,
    readonly attempts: number,
  ) {
    super(`Graph API ${failure.class}: ${failure.message}`);
  }
}

export interface BatchItem {
  plan: SendPlan;
  message: OutgoingMessage;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: GraphFailure };

export class GraphClient {
  private readonly transport: GraphTransport;
  private readonly maxRetries: number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly limiter: PageRateLimiter;
  private readonly appSecret: string | null;

  constructor(opts: GraphClientOptions) {
    this.appSecret = opts.appSecret ?? null;
    this.maxRetries = Math.max(0, opts.maxRetries ?? 3);
    this.backoff = opts.backoff ?? { baseMs: 250, maxMs: 8000 };
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? ((ms) => delay(ms));
    this.limiter = opts.limiter ?? new PageRateLimiter({ perSecond: opts.rateLimitPerSecond });
    this.transport = new GraphTransport({
      baseUrl: opts.baseUrl,
      version: opts.version,
      timeoutMs: opts.timeoutMs ?? 10_000,
      connections: opts.connections ?? 16,
    });
  }

  /** Closes the connection pool; in-flight calls finish first. */
  close(): Promise<void> {
    return this.transport.close();
  }

  /** Full-jitter backoff before retry number `retry` (0-based). */
  backoffDelay(retry: number): number {
    const cap = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** retry);
    return Math.floor(this.random() * cap);
  }

  /**
   * POST /{version}/me/messages. The plan is the send resolver's decision (R1d) and is required;
   * a plan the client cannot honour (R11a: a tag other than HUMAN_AGENT) is refused locally with
   * class 'unknown', `refused: true` and attempts 0 — nothing is sent.
   */
  async send(page: PageCredentials, plan: SendPlan, message: OutgoingMessage): Promise<SendResult> {
    const built = buildSendBody(plan, message);
    if (!built.ok) return { ok: false, error: built.error, attempts: 0 };
    const { outcome, attempts } = await this.withRetries(page, async () => {
      const answer = await this.transport.exchange('POST', `me/messages`, this.auth(page), built.body);
      if ('error' in answer) return { ok: false, error: answer.error };
      const r = sendOutcome(answer.status, answer.body);
      return r.ok ? { ok: true, value: r } : r;
    });
    return outcome.ok
      ? { ok: true, messageId: outcome.value.messageId, recipientId: outcome.value.recipientId, attempts }
      : { ok: false, error: outcome.error, attempts };
  }

  /**
   * Graph batch (notes §7.10): chunks of ≤ 50, each item counted against the page's limiter. Only
   * the items whose answer is retryable are sent again (as a smaller batch); a whole-batch
   * transient failure resends the chunk. Every item gets at most 1 + maxRetries attempts, and the
   * results come back in the order of `items`.
   */
  async sendBatch(page: PageCredentials, items: readonly BatchItem[]): Promise<SendResult[]> {
    const results: SendResult[] = new Array(items.length);
    const ready: PendingItem[] = [];
    items.forEach((item, index) => {
      const built = buildSendBody(item.plan, item.message);
      if (built.ok) ready.push({ index, body: built.body, attempts: 0 });
      else results[index] = { ok: false, error: built.error, attempts: 0 };
    });
    for (let i = 0; i < ready.length; i += LIMITS.batchMax) {
      await this.runBatchChunk(page, ready.slice(i, i + LIMITS.batchMax), results);
    }
    return results;
  }

  /** GET /{version}/{psid}?fields=… */
  async getProfile(page: PageCredentials, psid: string, fields: readonly string[]): Promise<UserProfile> {
    return this.call<UserProfile>(page, 'GET', encodeURIComponent(psid), { fields: fields.join(',') });
  }

  /** GET /{version}/{page-id}/notification_message_tokens (notes §2.6, §7.7). */
  async listNotificationTokens(
    page: PageCredentials,
    opts: { limit?: number; after?: string } = {},
  ): Promise<NotificationTokenPage> {
    const body = await this.call<unknown>(
      page,
      'GET',
      `${encodeURIComponent(page.pageId)}/notification_message_tokens`,
      {
        limit: opts.limit,
        after: opts.after,
      },
    );
    const rec = (body ?? {}) as { data?: unknown; paging?: GraphPaging };
    if (!Array.isArray(rec.data)) {
      throw new GraphApiError({ class: 'unknown', message: 'token list answer has no data array' }, 1);
    }
    return rec.paging ? { data: rec.data, paging: rec.paging } : { data: rec.data };
  }

  /**
   * Every token of the page, page by page. Follows `paging.cursors.after` while Meta gives a
   * `paging.next` (Graph omits `next` on the last page) rather than fetching the `next` URL itself:
   * that URL names graph.facebook.com and lacks appsecret_proof, so it would bypass the sandbox
   * and the proof.
   */
  async *allNotificationTokens(
    page: PageCredentials,
    opts: { limit?: number } = {},
  ): AsyncGenerator<NotificationTokenInfo, void, undefined> {
    let after: string | undefined;
    for (;;) {
      const res = await this.listNotificationTokens(page, { limit: opts.limit, after });
      yield* res.data;
      const next = res.paging?.cursors?.after;
      if (!res.paging?.next || !next || next === after || res.data.length === 0) return;
      after = next;
    }
  }

  /** POST /{version}/{page-id}/subscribed_apps?subscribed_fields=… (notes §4). */
  async subscribeApp(page: PageCredentials, fields: readonly string[]): Promise<{ success: boolean }> {
    const body = await this.call<{ success?: unknown }>(
      page,
      'POST',
      `${encodeURIComponent(page.pageId)}/subscribed_apps`,
      { subscribed_fields: fields.join(',') },
    );
    return { success: body?.success === true };
  }

  /** A message POST with a body built elsewhere (utility templates): a send's retries and outcome. */
  async sendBody(page: PageCredentials, path: string, body: Record<string, unknown>): Promise<SendResult> {
    const { outcome, attempts } = await this.withRetries(page, async () => {
      const answer = await this.transport.exchange('POST', path, this.auth(page), body);
      if ('error' in answer) return { ok: false, error: answer.error };
      const r = sendOutcome(answer.status, answer.body);
      return r.ok ? { ok: true, value: r } : r;
    });
    return outcome.ok
      ? { ok: true, messageId: outcome.value.messageId, recipientId: outcome.value.recipientId, attempts }
      : { ok: false, error: outcome.error, attempts };
  }

  /**
   * A call with a token that is not a page's — the ad account's system-user token (R14) — counted on
   * the limiter under `key`, retried like any call, thrown as GraphApiError when it finally fails.
   */
  callWithToken<T>(
    key: string,
    token: string,
    req: { method: 'GET' | 'POST'; path: string; query?: Query; json?: Record<string, unknown> },
  ): Promise<T> {
    return this.call<T>({ pageId: key, accessToken: token }, req.method, req.path, req.query ?? {}, req.json);
  }

  // -------------------------------------------------------------------------------------------

  private auth(page: PageCredentials): Query {
    const q: Query = { access_token: page.accessToken };
    const secret = page.appSecret ?? this.appSecret;
    if (secret) q.appsecret_proof = appSecretProof(secret, page.accessToken);
    return q;
  }

  /** A non-send call, retried like a send, thrown as GraphApiError at last (public for templates.ts). */
  async call<T>(
    page: PageCredentials,
    method: 'GET' | 'POST',
    path: string,
    query: Query,
    json?: Record<string, unknown>,
  ): Promise<T> {
    const { outcome, attempts } = await this.withRetries<T>(page, async () => {
      const answer = await this.transport.exchange(method, path, { ...query, ...this.auth(page) }, json);
      if ('error' in answer) return { ok: false, error: answer.error };
      if (answer.status >= 200 && answer.status < 300) return { ok: true, value: answer.body as T };
      return { ok: false, error: failureFromResponse(answer.status, answer.body) };
    });
    if (!outcome.ok) throw new GraphApiError(outcome.error, attempts);
    return outcome.value;
  }

  /**
   * Runs `attempt` until it succeeds, fails with a non-retryable class, or maxRetries retries are
   * spent. Every attempt takes `cost` slots of the page's limiter first; a rate_limited answer
   * also slows the page down for a while.
   */
  private async withRetries<T>(
    page: PageCredentials,
    attempt: () => Promise<Outcome<T>>,
    cost = 1,
  ): Promise<{ outcome: Outcome<T>; attempts: number }> {
    for (let n = 0; ; n++) {
      await this.limiter.acquire(page.pageId, cost);
      const outcome = await attempt();
      if (outcome.ok || !RETRYABLE.has(outcome.error.class) || n >= this.maxRetries) {
        return { outcome, attempts: n + 1 };
      }
      if (outcome.error.class === 'rate_limited') this.limiter.slowDown(page.pageId);
      await this.sleep(this.backoffDelay(n));
    }
  }

  private async runBatchChunk(
    page: PageCredentials,
    chunk: PendingItem[],
    results: SendResult[],
  ): Promise<void> {
    let pending = chunk;
    for (let round = 0; pending.length > 0; round++) {
      await this.limiter.acquire(page.pageId, pending.length);
      for (const p of pending) p.attempts++;
      const answer = await this.postBatch(page, pending);
      const outcomes =
        'error' in answer
          ? pending.map(() => ({ ok: false as const, error: answer.error }))
          : answer.outcomes;
      const retry: PendingItem[] = [];
      pending.forEach((p, i) => {
        const o = outcomes[i]!;
        if (!o.ok && RETRYABLE.has(o.error.class) && round < this.maxRetries) {
          retry.push(p);
          return;
        }
        results[p.index] = o.ok
          ? { ok: true, messageId: o.messageId, recipientId: o.recipientId, attempts: p.attempts }
          : { ok: false, error: o.error, attempts: p.attempts };
      });
      if (retry.length === 0) return;
      if (outcomes.some((o) => !o.ok && o.error.class === 'rate_limited')) this.limiter.slowDown(page.pageId);
      await this.sleep(this.backoffDelay(round));
      pending = retry;
    }
  }

  /**
   * One batch call. The access token goes in the query (like every other call, so one auth check
   * serves the sandbox) and in the JSON body as in notes §7.10; each item's relative_url carries
   * appsecret_proof as messaging-api-messenger does. A whole-batch failure comes back as `error`.
   */
  private async postBatch(
    page: PageCredentials,
    pending: PendingItem[],
  ): Promise<{ outcomes: Array<ReturnType<typeof batchItemOutcome>> } | { error: GraphFailure }> {
    const auth = this.auth(page);
    const relativeUrl = auth.appsecret_proof
      ? `me/messages?appsecret_proof=${auth.appsecret_proof}`
      : 'me/messages';
    const batch = pending.map((p) => ({
      method: 'POST',
      relative_url: relativeUrl,
      body: encodeBatchItemBody(p.body),
    }));
    const answer = await this.transport.exchange('POST', '', auth, {
      access_token: page.accessToken,
      include_headers: false,
      batch,
    });
    if ('error' in answer) return answer;
    if (answer.status < 200 || answer.status >= 300)
      return { error: failureFromResponse(answer.status, answer.body) };
    if (!Array.isArray(answer.body)) {
      // 2xx but unreadable: items may have run, so this must not be retried (duplicate sends).
      return {
        error: { class: 'unknown', message: 'batch answer is not an array', httpStatus: answer.status },
      };
    }
    const items: unknown[] = answer.body;
    return { outcomes: pending.map((_, i) => batchItemOutcome(items[i] ?? null)) };
  }
}

interface PendingItem {
  index: number;
  body: SendBody;
  attempts: number;
}
