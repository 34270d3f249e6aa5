// The pieces of one sandbox, passed to the Graph and customer layers. Kept as a plain interface so
// those layers can be exercised without an HTTP server.
import type { ManualClock } from '../clock.ts';
import type { Faults, RateLimiter } from './faults.ts';
import type { IdGen } from './ids.ts';
import type { SandboxState } from './state.ts';
import type { WebhookEmitter } from './webhooks.ts';

export interface SandboxCore {
  state: SandboxState;
  clock: ManualClock;
  ids: IdGen;
  random: () => number;
  faults: Faults;
  limiter: RateLimiter;
  webhooks: WebhookEmitter;
  graphVersion: string;
  /** `http://127.0.0.1:<port>` once listening; used in paging `next` links. */
  baseUrl(): string;
}
