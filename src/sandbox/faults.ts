// Fault knobs (random, seeded) and deterministic one-shot failures, plus the per-page rate limiter.
// The rate limiter runs on wall time on purpose: moving the sandbox clock must not refill it.
import { Errors, GraphError } from './errors.ts';
import type { IdGen } from './ids.ts';

export interface FaultErrorSpec {
  code: number;
  subcode?: number;
  status?: number;
  message?: string;
}

export interface FaultConfig {
  /** Probability that a webhook delivery is delivered a second time (same bytes, same signature). */
  duplicateRate: number;
  /** Shuffle the entries of a delivery and delay deliveries by a random 0..reorderWindowMs. */
  reorder: boolean;
  reorderWindowMs: number;
  /** Fixed delay before each webhook delivery's first attempt. */
  webhookLatencyMs: number;
  /** Coalesce events emitted within this many ms into one delivery (several entries). 0 = one each. */
  webhookBatchWindowMs: number;
  /** Probability that a Send API call fails with `error`. */
  errorRate: number;
  error: FaultErrorSpec;
  /** Probability that a Send API call answers HTTP 500 (code 2, is_transient). */
  http5xxRate: number;
  /** Delay before answering each Graph HTTP request (a batch waits once). */
  sendLatencyMs: number;
}

export const DEFAULT_FAULTS: FaultConfig = {
  duplicateRate: 0,
  reorder: false,
  reorderWindowMs: 100,
  webhookLatencyMs: 0,
  webhookBatchWindowMs: 0,
  errorRate: 0,
  error: {
    code: 2,
    status: 500,
    message: 'An unexpected error has occurred. Please retry your request later.',
  },
  http5xxRate: 0,
  sendLatencyMs: 0,
};

export function faultError(spec: FaultErrorSpec): GraphError {
  return new GraphError({
    code: spec.code,
    subcode: spec.subcode,
    status: spec.status ?? (spec.code === 2 || spec.code === 1200 ? 500 : 400),
    message: spec.message ?? `(#${spec.code}) Simulated error from the sandbox fault injector`,
  });
}

export class Faults {
  config: FaultConfig = { ...DEFAULT_FAULTS };
  private oneShots: FaultErrorSpec[] = [];

  constructor(private readonly ids: IdGen) {}

  update(patch: Partial<FaultConfig>): FaultConfig {
    this.config = { ...this.config, ...patch, error: { ...this.config.error, ...(patch.error ?? {}) } };
    return this.config;
  }

  reset(): void {
    this.config = { ...DEFAULT_FAULTS };
    this.oneShots = [];
  }

  /** The next `count` Send API calls fail with `error`, in order, before any other check but auth. */
  failNext(count: number, error: FaultErrorSpec): number {
    for (let i = 0; i < count; i++) this.oneShots.push(error);
    return this.oneShots.length;
  }

  pendingOneShots(): number {
    return this.oneShots.length;
  }

  /** Consulted once per Send API call (batch items each count). */
  draw(): GraphError | null {
    const next = this.oneShots.shift();
    if (next) return faultError(next);
    if (this.ids.chance(this.config.http5xxRate)) return Errors.transient5xx(500);
    if (this.ids.chance(this.config.errorRate)) return faultError(this.config.error);
    return null;
  }
}

/**
 * Sliding one-second window per page, on wall time. Refused calls do not count in the window, as with
 * Meta's code 613; they are tallied. Every admitted call is also counted when the page has no limit, so
 * `peak` tells the most calls a page took in any second (tests of a deployment's shared limit read it).
 */
export class RateLimiter {
  private calls = new Map<string, number[]>();
  private peaks = new Map<string, number>();
  private tally = new Map<string, { admitted: number; refused: number }>();

  constructor(private readonly wallNow: () => number = Date.now) {}

  take(pageId: string, perSecond: number): boolean {
    const now = this.wallNow();
    const list = (this.calls.get(pageId) ?? []).filter((t) => now - t < 1000);
    this.calls.set(pageId, list);
    const tally = this.tally.get(pageId) ?? { admitted: 0, refused: 0 };
    this.tally.set(pageId, tally);
    if (perSecond > 0 && list.length >= perSecond) {
      tally.refused++;
      return false;
    }
    tally.admitted++;
    list.push(now);
    if (list.length > (this.peaks.get(pageId) ?? 0)) this.peaks.set(pageId, list.length);
    return true;
  }

  /** Calls admitted and refused for the page so far. */
  counts(pageId: string): { admitted: number; refused: number } {
    return { ...(this.tally.get(pageId) ?? { admitted: 0, refused: 0 }) };
  }

  /** The most calls admitted for the page within any one second so far. */
  peak(pageId: string): number {
    return this.peaks.get(pageId) ?? 0;
  }
}
