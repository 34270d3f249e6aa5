// Typed client of the sandbox API, for end-to-end tests and scripts. Every method is one HTTP call
// to /sandbox/…; errors come back as SandboxClientError with the status and body.
import { request } from 'undici';
import type { Profile } from '../domain/options.ts';
import type { CustomerView } from './customers.ts';
import type { LoginSnapshot, SimApp, SimUser } from './facebook-login.ts';
import type { FaultConfig, FaultErrorSpec } from './faults.ts';
import type { SandboxInfo } from './server.ts';
import type { CustomerInput, MessagingEvent, ReceivedSend, ThreadItem } from './types.ts';
import type { DeliveryLogEntry } from './webhooks.ts';

export class SandboxClientError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} → HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

export interface ActionResponse {
  event?: MessagingEvent;
  mid?: string;
  token?: string;
  customer: CustomerView;
}

export interface ThreadHoldings {
  oneTimeNotif: Array<{
    token: string;
    title: string;
    payload: string;
    requestMid: string;
    createdAt: string;
    expiresAt: string;
    usedAt: string | null;
  }>;
  recurring: Array<{
    token: string;
    title: string;
    payload: string;
    frequency: string;
    timezone: string;
    requestMid: string;
    createdAt: string;
    expiresAt: string | null;
    stoppedAt: string | null;
    lastSentAt: string | null;
    nextEligibleAt: string | null;
    userTokenStatus: string;
  }>;
}

export interface ThreadResponse {
  customer: CustomerView;
  page: { id: string; name: string };
  items: ThreadItem[];
  holdings: ThreadHoldings;
}

export type ConfigPatch = Partial<{
  webhookUrl: string | null;
  profile: Profile;
  region: string;
  timeZone: string;
  optInFeatureEnabled: boolean;
  restricted: boolean;
  reportThreshold: number;
  rateLimitPerSecond: number;
  echoes: boolean;
  deliveries: boolean;
  requireAppSecretProof: boolean;
}>;

export class SandboxClient {
  /** `baseUrl` is what `sandbox.listen()` returned, e.g. `http://127.0.0.1:3001`. */
  constructor(
    readonly baseUrl: string,
    private readonly pageId?: string,
  ) {}

  /** The same client aimed at another page of the sandbox (for the routes that take `?pageId`). */
  forPage(pageId: string): SandboxClient {
    return new SandboxClient(this.baseUrl, pageId);
  }

  protected async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    if (this.pageId) url.searchParams.set('pageId', this.pageId);
    const res = await request(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (res.statusCode >= 400) throw new SandboxClientError(res.statusCode, parsed, `${method} ${path}`);
    return parsed as T;
  }

  // --- Facebook Login (src/sandbox/login-dialog.ts) ---
  loginState(): Promise<LoginSnapshot> {
    return this.call('GET', '/sandbox/login');
  }
  addLoginApp(app: Partial<SimApp> & { id: string }): Promise<SimApp> {
    return this.call('POST', '/sandbox/login/apps', app);
  }
  updateLoginApp(appId: string, patch: Partial<Omit<SimApp, 'id'>>): Promise<SimApp> {
    return this.call('PATCH', `/sandbox/login/apps/${appId}`, patch);
  }
  addLoginUser(user: { id?: string; name: string; pages: Array<{ pageId: string; tasks?: string[] }> }) {
    return this.call<SimUser>('POST', '/sandbox/login/users', user);
  }
  /** Knob: 190 with `subcode` (460 default, 463, 467, 458) for a person's tokens or a page's tokens. */
  revokeLogin(target: { userId?: string; pageId?: string; appId?: string; subcode?: number }) {
    return this.call<{ revoked: number }>('POST', '/sandbox/login/revoke', target);
  }
  /** Knob: the page lost these permissions (e.g. `['pages_messaging']`); `[]` restores them. */
  setLostPermissions(pageId: string, lost: string[]) {
    return this.call<{ pageId: string; lost: string[] }>(
      'PUT',
      `/sandbox/login/pages/${pageId}/permissions`,
      {
        lost,
      },
    );
  }

  /** A page of the sandbox (`POST /sandbox/pages`): its id, and optionally name, profile, region, webhookUrl. */
  addPage(page: { id: string; name?: string } & ConfigPatch): Promise<SandboxInfo> {
    return this.call('POST', '/sandbox/pages', page);
  }

  info(): Promise<SandboxInfo> {
    return this.call('GET', '/sandbox/info');
  }
  config(patch: ConfigPatch): Promise<SandboxInfo> {
    return this.call('PUT', '/sandbox/config', patch);
  }

  // --- clock ---
  now(): Promise<Date> {
    return this.call<{ now: string }>('GET', '/sandbox/clock').then((r) => new Date(r.now));
  }
  /** `advance(8 * DAY)` or `advance("8d")`, `"3h"`, `"2mo"`, `"1d12h"`. */
  advance(by: number | string): Promise<Date> {
    const body = typeof by === 'number' ? { advanceMs: by } : { advance: by };
    return this.call<{ now: string }>('POST', '/sandbox/clock', body).then((r) => new Date(r.now));
  }
  setNow(at: Date | string): Promise<Date> {
    const set = typeof at === 'string' ? at : at.toISOString();
    return this.call<{ now: string }>('POST', '/sandbox/clock', { set }).then((r) => new Date(r.now));
  }

  // --- customers ---
  createCustomer(input: CustomerInput = {}): Promise<CustomerView> {
    return this.call('POST', '/sandbox/customers', input);
  }
  customers(): Promise<CustomerView[]> {
    return this.call('GET', '/sandbox/customers');
  }
  thread(psid: string): Promise<ThreadResponse> {
    return this.call('GET', `/sandbox/customers/${psid}/thread`);
  }
  private act(psid: string, action: string, body: unknown = {}): Promise<ActionResponse> {
    return this.call('POST', `/sandbox/customers/${psid}/${action}`, body);
  }
  /** The person writes to the page (opens the 24 h window). */
  message(psid: string, text: string): Promise<ActionResponse> {
    return this.act(psid, 'messages', { text });
  }
  postback(psid: string, payload: string, title = payload): Promise<ActionResponse> {
    return this.act(psid, 'postback', { payload, title });
  }
  quickReply(psid: string, payload: string, text = payload): Promise<ActionResponse> {
    return this.act(psid, 'quick-reply', { payload, text });
  }
  react(psid: string, messageId: string, reaction = 'like'): Promise<ActionResponse> {
    return this.act(psid, 'react', { messageId, reaction });
  }
  /** Tap "Notify Me" / "Get updates" on the opt-in card with this message id. Returns the new token. */
  optin(psid: string, messageId: string): Promise<ActionResponse> {
    return this.act(psid, 'optin', { messageId });
  }
  /** Tap the button of the latest opt-in card (optionally with this title) in the person's thread. */
  async optinLatest(psid: string, title?: string): Promise<ActionResponse> {
    const card = (await this.thread(psid)).items
      .filter((i) => i.optInCard && (title === undefined || i.optInCard.title === title))
      .at(-1);
    if (!card) throw new Error(`no opt-in card${title ? ` titled "${title}"` : ''} in ${psid}'s thread`);
    return this.optin(psid, card.mid);
  }
  /** Server-side tap of the newest matching card, waiting up to `waitMs` (default 10 s) for one. */
  tapLatest(
    psid: string,
    sel: { kind?: 'recurring' | 'otn'; title?: string; waitMs?: number } = {},
  ): Promise<ActionResponse> {
    return this.act(psid, 'optin', { latest: true, ...sel });
  }
  stop(psid: string, token: string): Promise<ActionResponse> {
    return this.act(psid, 'stop', { token });
  }
  resume(psid: string, token: string): Promise<ActionResponse> {
    return this.act(psid, 'resume', { token });
  }
  mute(psid: string, hours: number): Promise<ActionResponse> {
    return this.act(psid, 'mute', { hours });
  }
  report(psid: string): Promise<ActionResponse & { pageRestricted: boolean; pageReports: number }> {
    return this.act(psid, 'report') as Promise<
      ActionResponse & { pageRestricted: boolean; pageReports: number }
    >;
  }
  read(psid: string): Promise<ActionResponse> {
    return this.act(psid, 'read');
  }
  block(psid: string): Promise<ActionResponse> {
    return this.act(psid, 'block');
  }
  unblock(psid: string): Promise<ActionResponse> {
    return this.act(psid, 'unblock');
  }

  // --- accepted Send API calls ---
  received(psid?: string): Promise<ReceivedSend[]> {
    return this.call('GET', `/sandbox/received${psid ? `?psid=${encodeURIComponent(psid)}` : ''}`);
  }
  receivedCounts(): Promise<Record<string, number>> {
    return this.call('GET', '/sandbox/received/counts');
  }
  clearReceived(): Promise<{ cleared: number }> {
    return this.call('DELETE', '/sandbox/received');
  }

  // --- faults ---
  faults(patch: Partial<FaultConfig>): Promise<FaultConfig> {
    return this.call('PUT', '/sandbox/faults', patch);
  }
  resetFaults(): Promise<FaultConfig> {
    return this.call('DELETE', '/sandbox/faults');
  }
  /** The next `count` Send API calls fail with exactly this error (e.g. `{code: 4, subcode: 2018354}`). */
  failNext(error: FaultErrorSpec, count = 1): Promise<{ pending: number }> {
    return this.call('POST', '/sandbox/faults/next', { count, error });
  }

  // --- webhooks ---
  webhookLog(): Promise<DeliveryLogEntry[]> {
    return this.call('GET', '/sandbox/webhooks');
  }
  clearWebhookLog(): Promise<{ cleared: number }> {
    return this.call('DELETE', '/sandbox/webhooks');
  }
  /** Waits until every pending webhook delivery (retries, duplicates) has finished. */
  flushWebhooks(): Promise<{ idle: boolean; deliveries: number }> {
    return this.call('POST', '/sandbox/webhooks/flush');
  }
  /** Runs Meta's GET hub.challenge handshake against the configured webhook URL. */
  verifyWebhook(): Promise<{ ok: boolean; status: number | null; challenge: string; body: string }> {
    return this.call('POST', '/sandbox/webhooks/verify');
  }
}
