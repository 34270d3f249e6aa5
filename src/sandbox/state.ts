// In-memory state of the simulated Meta: pages, people, threads, tokens and the log of accepted
// sends. Everything is keyed by page id so that several pages can live in one sandbox.
import { LoginState } from './facebook-login.ts';
import type { IdGen } from './ids.ts';
import { Messenger2026State } from './state-2026.ts';
import type {
  CustomerInput,
  OptInRequestRecord,
  OtnToken,
  PageOptions,
  ReceivedSend,
  RecurringToken,
  SimCustomer,
  SimPage,
  ThreadItem,
} from './types.ts';

export const DEFAULT_REPORT_THRESHOLD = 3;

/** What changed, for the state file (src/sandbox/persist.ts) and for callers waiting on a thread. */
export type Touch =
  | { kind: 'customer'; psid: string }
  | { kind: 'thread'; psid: string }
  | { kind: 'token'; token: string }
  | { kind: 'meta' }
  /** Templates, ad accounts, campaigns, paid sends or the 2026 policy knobs (src/sandbox/state-2026.ts). */
  | { kind: 'm2026' }
  /** One paid marketing send, by its index in `m2026.marketingSends` (added, read or clicked). */
  | { kind: 'mmSend'; index: number }
  | { kind: 'login' };

export interface PageDefaults {
  rateLimitPerSecond: number;
  webhookUrl: string | null;
}

export class SandboxState {
  readonly pages = new Map<string, SimPage>();
  readonly customers = new Map<string, SimCustomer>();
  readonly threads = new Map<string, ThreadItem[]>();
  readonly otnTokens = new Map<string, OtnToken>();
  readonly recurringTokens = new Map<string, RecurringToken>();
  readonly optInRequests: OptInRequestRecord[] = [];
  readonly received: ReceivedSend[] = [];
  /** Utility templates and paid marketing messages (Messenger as of 2026). */
  readonly m2026 = new Messenger2026State();
  primaryPageId = '';
  tokenSeq = 0;
  /** Told of every change made through the sandbox (see `touch`); empty for an in-memory sandbox. */
  readonly watchers = new Set<(t: Touch) => void>();

  /** Facebook Login: people, apps, grants and tokens (src/sandbox/facebook-login.ts). */
  readonly login: LoginState;

  constructor(
    readonly ids: IdGen,
    now: () => Date = () => new Date(),
  ) {
    this.login = new LoginState(ids, now);
  }

  /**
   * Marks a change: a customer (their record, items added to their thread), items of their thread
   * changed in place (`thread`: read marks, card taps), one token, or page-level state (pages,
   * clock). The state file writes what was touched before the sandbox answers the request.
   */
  touch(t: Touch): void {
    for (const w of this.watchers) w(t);
  }

  addPage(opts: PageOptions, defaults: PageDefaults): SimPage {
    const page: SimPage = {
      appId: '1517776481860111',
      ...opts,
      restricted: false,
      restrictedReason: null,
      reports: 0,
      reportThreshold: DEFAULT_REPORT_THRESHOLD,
      webhookUrl: defaults.webhookUrl,
      subscribedFields: null,
      echoes: true,
      deliveries: true,
      rateLimitPerSecond: defaults.rateLimitPerSecond,
      requireAppSecretProof: false,
    };
    this.pages.set(page.id, page);
    if (!this.primaryPageId) this.primaryPageId = page.id;
    this.touch({ kind: 'meta' });
    return page;
  }

  page(id?: string | null): SimPage | undefined {
    return this.pages.get(id || this.primaryPageId);
  }

  primary(): SimPage {
    const p = this.pages.get(this.primaryPageId);
    if (!p) throw new Error('sandbox has no page');
    return p;
  }

  /** The page's configured token (Login-issued page tokens are looked up in `login`). */
  pageByAccessToken(token: string): SimPage | undefined {
    for (const p of this.pages.values()) if (p.accessToken === token) return p;
    return undefined;
  }

  addCustomer(pageId: string, input: CustomerInput, now: Date): SimCustomer {
    const psid = input.psid ?? this.ids.psid();
    if (this.customers.has(psid)) throw new Error(`customer ${psid} already exists`);
    const name = input.name?.trim() || `Customer ${psid.slice(-4)}`;
    const [firstName = name, ...rest] = name.split(/\s+/);
    const last = input.lastInteractionAt;
    const c: SimCustomer = {
      psid,
      pageId,
      name,
      firstName,
      lastName: rest.join(' '),
      locale: input.locale ?? 'vi_VN',
      gender: input.gender ?? 'female',
      timezone: input.timezone ?? 7,
      profilePic: `https://sandbox.invalid/profile/${psid}.png`,
      lastInteractionAt: last === undefined ? now : last === null ? null : new Date(last),
      blocked: false,
      mutedUntil: null,
      reports: 0,
      createdAt: now,
    };
    this.customers.set(psid, c);
    this.threads.set(psid, []);
    this.touch({ kind: 'customer', psid });
    return c;
  }

  customer(psid: string): SimCustomer | undefined {
    return this.customers.get(psid);
  }

  customersOf(pageId: string): SimCustomer[] {
    return [...this.customers.values()].filter((c) => c.pageId === pageId);
  }

  thread(psid: string): ThreadItem[] {
    let t = this.threads.get(psid);
    if (!t) {
      t = [];
      this.threads.set(psid, t);
    }
    return t;
  }

  findThreadItem(psid: string, mid: string): ThreadItem | undefined {
    return this.thread(psid).find((i) => i.mid === mid);
  }

  nextTokenSeq(): number {
    this.tokenSeq += 1;
    return this.tokenSeq;
  }

  otnOf(psid: string): OtnToken[] {
    return [...this.otnTokens.values()].filter((t) => t.psid === psid);
  }

  recurringOf(psid: string): RecurringToken[] {
    return [...this.recurringTokens.values()].filter((t) => t.psid === psid);
  }

  recurringOfPage(pageId: string): RecurringToken[] {
    return [...this.recurringTokens.values()]
      .filter((t) => t.pageId === pageId)
      .sort((a, b) => a.seq - b.seq);
  }
}
