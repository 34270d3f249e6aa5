// Per-page limiter for Graph calls (Send API: ≤ 300 calls/s per page, notes §5; each call inside a
// batch counts separately, §7.10).
//
// A sliding one-second window rather than a token bucket: a bucket of capacity N lets 2N calls
// through in the second that straddles a full bucket and its refill, whereas the window guarantees
// "at most N in ANY 1000 ms" — the property Meta states and the tests check.
//
// Waiters on one page are served first come, first served (a promise chain per page), so a batch
// of 50 is not starved by a stream of single sends, and the check-then-record step can never
// interleave with another acquirer.
//
// Slow-down: when Meta answers `rate_limited` (codes 4 / 613 / 32, HTTP 429) the client calls
// `slowDown(pageId)`, which halves that page's rate for `slowDownMs` (default 60 s). Each further
// rate-limited answer inside the period halves it again (never below 1/s) and restarts the period;
// when the period ends the page is back at its full rate in one step. Deliberately simple: Meta
// gives no retry-after for these errors, and a minute at half speed is cheap compared with
// escalating to an app-wide block.
//
// Scope: PageRateLimiter is one process's window. Several processes of one deployment (the service and
// `renotify worker`s on PostgreSQL) share the page's limit through SharedPageRateLimiter below.
import { setTimeout as delay } from 'node:timers/promises';
import { LIMITS } from '../domain/platform.ts';

const WINDOW_MS = 1000;

export interface RateLimiterOptions {
  /** Calls per second per page; default LIMITS.callsPerSecond (300). */
  perSecond?: number;
  /** Milliseconds since some epoch; injectable so tests run on simulated time. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How long one `slowDown` lasts; default 60 000 ms. */
  slowDownMs?: number;
}

interface PageWindow {
  /** Admitted calls in the last second: [time, count], oldest first. */
  entries: Array<[number, number]>;
  inWindow: number;
  /** Tail of the FIFO of acquirers on this page. */
  tail: Promise<void>;
  /** Divisor from slow-downs (1, 2, 4, ...) and when it lapses. */
  divisor: number;
  slowUntil: number;
}

export class PageRateLimiter {
  readonly perSecond: number;
  protected readonly now: () => number;
  protected readonly sleep: (ms: number) => Promise<void>;
  private readonly slowDownMs: number;
  private readonly pages = new Map<string, PageWindow>();

  constructor(opts: RateLimiterOptions = {}) {
    this.perSecond = Math.max(1, Math.floor(opts.perSecond ?? LIMITS.callsPerSecond));
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => delay(ms));
    this.slowDownMs = opts.slowDownMs ?? 60_000;
  }

  /**
   * Resolves once `n` calls on `pageId` fit in the window, and records them. A request larger than
   * the page's current rate (a 50-call batch on a page slowed to 37/s) is admitted alone into an
   * empty window: it cannot be split here, and refusing it forever would deadlock the sender.
   */
  acquire(pageId: string, n = 1): Promise<void> {
    const page = this.page(pageId);
    const turn = page.tail.then(() => this.admit(page, Math.max(1, Math.floor(n))));
    // The chain must survive a rejected sleep, or every later acquirer would reject too.
    page.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Halves the page's rate for a while (see the header comment). */
  slowDown(pageId: string): void {
    const page = this.page(pageId);
    const t = this.now();
    if (t >= page.slowUntil) page.divisor = 1;
    page.divisor = Math.min(page.divisor * 2, this.perSecond);
    page.slowUntil = t + this.slowDownMs;
  }

  /** The page's current calls-per-second allowance. */
  currentRate(pageId: string): number {
    const page = this.pages.get(pageId);
    return page ? this.rateOf(page, this.now()) : this.perSecond;
  }

  private page(pageId: string): PageWindow {
    let page = this.pages.get(pageId);
    if (!page) {
      page = { entries: [], inWindow: 0, tail: Promise.resolve(), divisor: 1, slowUntil: 0 };
      this.pages.set(pageId, page);
    }
    return page;
  }

  private async admit(page: PageWindow, n: number): Promise<void> {
    for (;;) {
      const t = this.now();
      this.expire(page, t);
      const rate = this.rateOf(page, t);
      if (page.inWindow === 0 || page.inWindow + n <= rate) {
        page.entries.push([t, n]);
        page.inWindow += n;
        return;
      }
      // Wait until enough of the oldest entries leave the window to make room for n.
      let freed = 0;
      let until = t;
      for (const [at, count] of page.entries) {
        freed += count;
        until = at + WINDOW_MS;
        if (page.inWindow - freed + n <= rate) break;
      }
      await this.sleep(Math.max(1, until - t));
    }
  }

  private rateOf(page: PageWindow, t: number): number {
    if (t >= page.slowUntil) return this.perSecond;
    return Math.max(1, Math.floor(this.perSecond / page.divisor));
  }

  private expire(page: PageWindow, t: number): void {
    let drop = 0;
    while (drop < page.entries.length) {
      const entry = page.entries[drop]!;
      if (entry[0] + WINDOW_MS > t) break;
      page.inWindow -= entry[1];
      drop++;
    }
    if (drop > 0) page.entries.splice(0, drop);
  }
}

/** Where a deployment's processes take their calls from (storage/graph-rate.ts over PostgreSQL). */
export interface SharedCallSource {
  take(
    pageId: string,
    opts: { want: number; min: number; limit: number; windowMs: number },
  ): Promise<{ granted: number; retryInMs: number }>;
}

export interface SharedRateLimiterOptions extends RateLimiterOptions {
  source: SharedCallSource;
  /** Calls taken from the shared ledger at a time, so a send is not one query; default 25. */
  chunk?: number;
  /** How long taken calls stay usable; default 100 ms. */
  chunkLifetimeMs?: number;
  onError?: (e: unknown) => void;
}

interface Held {
  grants: Array<{ left: number; until: number }>;
  tail: Promise<void>;
}

/**
 * The page's limit for the whole deployment. Each call first passes this process's own window (FIFO
 * per page, slow-down after a 613), then spends a call taken from the shared ledger. Calls are taken in
 * chunks that expire unused after `chunkLifetimeMs`; since a call may go out up to that long after its
 * chunk was granted, the ledger counts grants over one second plus the lifetime plus a margin for the
 * trip to Meta, which keeps the sum of all processes under the limit in ANY second (at the cost of a
 * sustained rate of about limit / 1.3 s).
 */
export class SharedPageRateLimiter extends PageRateLimiter {
  private readonly source: SharedCallSource;
  private readonly chunk: number;
  private readonly lifetimeMs: number;
  private readonly windowMs: number;
  private readonly onError: (e: unknown) => void;
  private readonly held = new Map<string, Held>();
  private failing = false;

  constructor(opts: SharedRateLimiterOptions) {
    super(opts);
    this.source = opts.source;
    this.chunk = Math.max(1, opts.chunk ?? 25);
    this.lifetimeMs = opts.chunkLifetimeMs ?? 100;
    // The margin absorbs a sender stalled between its grant and its request (GC, a busy core), and the
    // network's jitter, either of which can bunch calls into less than a second on Meta's side.
    this.windowMs = WINDOW_MS + this.lifetimeMs + 200;
    this.onError = opts.onError ?? ((e) => console.error('[rate limit] shared ledger unavailable:', e));
  }

  override acquire(pageId: string, n = 1): Promise<void> {
    const calls = Math.max(1, Math.floor(n));
    return super.acquire(pageId, calls).then(() => {
      let h = this.held.get(pageId);
      if (!h) {
        h = { grants: [], tail: Promise.resolve() };
        this.held.set(pageId, h);
      }
      const turn = h.tail.then(() => this.spend(h, pageId, calls));
      h.tail = turn.catch(() => undefined);
      return turn;
    });
  }

  private async spend(h: Held, pageId: string, n: number): Promise<void> {
    // A call larger than the whole limit takes the whole window, as the local window admits it alone.
    const need = Math.min(n, this.perSecond);
    for (;;) {
      const t = this.now();
      h.grants = h.grants.filter((g) => g.until > t && g.left > 0);
      const have = h.grants.reduce((sum, g) => sum + g.left, 0);
      if (have >= need) {
        let rest = need;
        for (const g of h.grants) {
          const used = Math.min(g.left, rest);
          g.left -= used;
          rest -= used;
        }
        return;
      }
      // The lifetime runs from before the request: the grant is at most that old when it is used.
      const asked = this.now();
      try {
        const r = await this.source.take(pageId, {
          want: Math.max(this.chunk, need - have),
          min: need - have,
          limit: this.perSecond,
          windowMs: this.windowMs,
        });
        if (r.granted > 0) h.grants.push({ left: r.granted, until: asked + this.lifetimeMs });
        else await this.sleep(r.retryInMs);
        this.failing = false;
      } catch (e) {
        // The database is away: no call goes out unaccounted; wait for it to come back (said once).
        if (!this.failing) this.onError(e);
        this.failing = true;
        await this.sleep(500);
      }
    }
  }
}
