// Signed webhook emitter: Meta's envelope, X-Hub-Signature-256 over the exact bytes sent, retries
// with bounded exponential backoff on non-2xx and timeouts, and a delivery log. Retry timers use
// wall time; event timestamps use the sandbox clock.
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import type { FaultConfig } from './faults.ts';
import type { IdGen } from './ids.ts';
import { isChange, type WebhookEvent } from './types.ts';

/** `sha256=<hex HMAC-SHA256(appSecret, raw body)>`, the X-Hub-Signature-256 header value. */
export function signBody(appSecret: string, raw: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
}

/**
 * JSON as Meta sends it: non-ASCII characters escaped as \uXXXX. A receiver that verifies the
 * signature over re-serialised JSON instead of the raw bytes fails on such payloads, as it would live.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The `subscribed_apps` field that carries an event (events of unsubscribed fields are not sent). */
export function fieldOf(event: WebhookEvent): string {
  if (isChange(event)) return event.change.field;
  const msg = event.message as { is_echo?: boolean } | undefined;
  if (msg) return msg.is_echo ? 'message_echoes' : 'messages';
  if ('postback' in event) return 'messaging_postbacks';
  if ('optin' in event) return 'messaging_optins';
  if ('delivery' in event) return 'message_deliveries';
  if ('read' in event) return 'message_reads';
  if ('reaction' in event) return 'message_reactions';
  return 'messages';
}

export interface WebhookTarget {
  /** `page`: the page's own configured target; else the id of an app subscribed through Login. */
  key: string;
  url: string | null;
  appSecret: string;
  verifyToken: string;
  subscribedFields: string[] | null;
}

export interface WebhookRetryOptions {
  /** Total attempts per delivery, first included. */
  attempts: number;
  /** Backoff before attempt n+1 is baseMs × 2^(n-1). */
  baseMs: number;
  /** A receiver slower than this counts as failed (Meta wants 200 within 5 s). */
  timeoutMs: number;
}

export const DEFAULT_RETRY: WebhookRetryOptions = { attempts: 5, baseMs: 250, timeoutMs: 5000 };

export interface DeliveryLogEntry {
  deliveryId: number;
  attempt: number;
  duplicate: boolean;
  pageId: string;
  /** Which target: `page` (the page's configured webhook) or the subscribed app's id. */
  target: string;
  url: string | null;
  status: number | null;
  ok: boolean;
  error?: string;
  /** Wall time of the attempt. */
  at: string;
  fields: string[];
  body: string;
  signature: string;
}

interface Deps {
  /** Every receiver of the page's events: each signed with its own app's secret. */
  targets(pageId: string): WebhookTarget[];
  faults(): FaultConfig;
  ids: IdGen;
  random: () => number;
  nowMs(): number;
  retry: WebhookRetryOptions;
}

/**
 * Where events wait until their delivery is over (src/sandbox/persist.ts), so that a restart delivers
 * what a stopped or killed sandbox still owed the page. `add` gives the event its id.
 */
export interface Outbox {
  add(pageId: string, event: WebhookEvent): number;
  done(ids: number[]): void;
}

export class WebhookEmitter {
  readonly log: DeliveryLogEntry[] = [];
  outbox: Outbox | null = null;
  private deliverySeq = 0;
  private pending = 0;
  private waiters: Array<() => void> = [];
  private batches = new Map<string, { events: WebhookEvent[]; ids: number[] }>();
  private chains = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: Deps) {}

  /** `outboxId`: an event restored from the outbox after a restart (already has its id). */
  emit(pageId: string, event: WebhookEvent, outboxId?: number): void {
    const field = fieldOf(event);
    const wanted = this.deps
      .targets(pageId)
      .some((t) => !t.subscribedFields || t.subscribedFields.includes(field));
    if (!wanted) {
      if (outboxId !== undefined) this.outbox?.done([outboxId]);
      return;
    }
    const id = outboxId ?? this.outbox?.add(pageId, event);
    const ids = id === undefined ? [] : [id];
    const windowMs = this.deps.faults().webhookBatchWindowMs;
    if (windowMs <= 0) {
      this.track(this.schedule(pageId, [event], ids));
      return;
    }
    const open = this.batches.get(pageId);
    if (open) {
      open.events.push(event);
      open.ids.push(...ids);
      return;
    }
    const batch = { events: [event], ids };
    this.batches.set(pageId, batch);
    this.track(
      sleep(windowMs, this.abort.signal).then(() => {
        this.batches.delete(pageId);
        return this.schedule(pageId, batch.events, batch.ids);
      }),
    );
  }

  /** Resolves once every queued delivery (retries and duplicates included) has finished. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.abort.abort();
  }

  /** Meta's GET handshake against the page's webhook URL. */
  async verify(
    pageId: string,
  ): Promise<{ ok: boolean; status: number | null; challenge: string; body: string }> {
    const target = this.deps.targets(pageId)[0];
    const challenge = String(Math.floor(this.deps.random() * 1e10));
    if (!target?.url) return { ok: false, status: null, challenge, body: 'no webhook URL configured' };
    const u = new URL(target.url);
    u.searchParams.set('hub.mode', 'subscribe');
    u.searchParams.set('hub.verify_token', target.verifyToken);
    u.searchParams.set('hub.challenge', challenge);
    try {
      const res = await request(u, { method: 'GET', signal: AbortSignal.timeout(this.deps.retry.timeoutMs) });
      const body = await res.body.text();
      return { ok: res.statusCode === 200 && body === challenge, status: res.statusCode, challenge, body };
    } catch (err) {
      return { ok: false, status: null, challenge, body: (err as Error).message };
    }
  }

  private track(p: Promise<void>): void {
    this.pending += 1;
    p.catch(() => undefined).finally(() => {
      this.pending -= 1;
      if (this.pending === 0) for (const w of this.waiters.splice(0)) w();
    });
  }

  /**
   * Without the reorder knob, deliveries of a page go out one after another (retries included), so
   * a well-behaved run is deterministic; with it, they race and may overtake each other, as on Meta.
   */
  private schedule(pageId: string, events: WebhookEvent[], ids: number[]): Promise<void> {
    if (this.deps.faults().reorder) return this.deliver(pageId, events, ids);
    const prev = this.chains.get(pageId) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(pageId, events, ids)).catch(() => undefined);
    this.chains.set(pageId, next);
    return next;
  }

  private async deliver(pageId: string, events: WebhookEvent[], ids: number[]): Promise<void> {
    const faults = this.deps.faults();
    const ordered = faults.reorder ? shuffle(events, this.deps.random) : events;
    const time = this.deps.nowMs();
    const delay =
      faults.webhookLatencyMs +
      (faults.reorder ? Math.floor(this.deps.random() * faults.reorderWindowMs) : 0);
    if (delay > 0) await sleep(delay, this.abort.signal);
    // Each receiver gets the events of the fields it subscribed to, signed with its own app secret.
    for (const target of this.deps.targets(pageId)) {
      const mine = ordered.filter(
        (e) => !target.subscribedFields || target.subscribedFields.includes(fieldOf(e)),
      );
      if (mine.length === 0) continue;
      // One entry per event: Meta batches several entries per delivery, each with one messaging event
      // (or one `changes[]` item for the Page change fields).
      const payload = {
        object: 'page',
        entry: mine.map((e) =>
          isChange(e) ? { id: pageId, time, changes: [e.change] } : { id: pageId, time, messaging: [e] },
        ),
      };
      const raw = metaJson(payload);
      const deliveryId = ++this.deliverySeq;
      const fields = mine.map(fieldOf);
      await this.post(pageId, target.key, raw, fields, deliveryId, false);
      if (this.deps.ids.chance(faults.duplicateRate))
        await this.post(pageId, target.key, raw, fields, deliveryId, true);
    }
    // Delivered, or given up after the retries. Cut short by close(): still owed, sent after a restart.
    if (ids.length > 0 && !this.abort.signal.aborted) this.outbox?.done(ids);
  }

  private async post(
    pageId: string,
    key: string,
    raw: string,
    fields: string[],
    deliveryId: number,
    duplicate: boolean,
  ) {
    const { attempts, baseMs, timeoutMs } = this.deps.retry;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.abort.signal.aborted) return;
      // Re-read the target on each attempt: the URL or secret may be changed between retries.
      const target = this.deps.targets(pageId).find((t) => t.key === key);
      const signature = target ? signBody(target.appSecret, raw) : '';
      const entry: DeliveryLogEntry = {
        deliveryId,
        attempt,
        duplicate,
        pageId,
        target: key,
        url: target?.url ?? null,
        status: null,
        ok: false,
        at: new Date().toISOString(),
        fields,
        body: raw,
        signature,
      };
      this.log.push(entry);
      if (!target?.url) {
        entry.error = 'no webhook URL configured';
        return;
      }
      try {
        const res = await request(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
          body: raw,
          signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.abort.signal]),
        });
        await res.body.dump();
        entry.status = res.statusCode;
        entry.ok = res.statusCode >= 200 && res.statusCode < 300;
        if (entry.ok) return;
        entry.error = `HTTP ${res.statusCode}`;
      } catch (err) {
        entry.error =
          (err as Error).name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : (err as Error).message;
      }
      if (attempt < attempts) await sleep(baseMs * 2 ** (attempt - 1), this.abort.signal);
    }
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
