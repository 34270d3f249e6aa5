// Clock implementations. The domain only knows the `Clock` interface; the service gets the system
// clock in production and, in sandbox mode, the very same ManualClock object the sandbox moves, so
// "8 days later" holds for both sides at once.
import type { Clock } from './domain/model.ts';

export type { Clock } from './domain/model.ts';

export const systemClock: Clock = { now: () => new Date() };

/** Real time shifted by an offset that can be advanced or set; or frozen at an instant for tests. */
export class ManualClock implements Clock {
  private offsetMs = 0;
  private frozenAt: number | null;

  constructor(start?: Date, opts: { frozen?: boolean } = {}) {
    this.frozenAt = opts.frozen && start ? start.getTime() : null;
    if (start && !opts.frozen) this.offsetMs = start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(this.frozenAt ?? Date.now() + this.offsetMs);
  }

  advance(ms: number): Date {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
    return this.now();
  }

  set(at: Date): Date {
    if (this.frozenAt !== null) this.frozenAt = at.getTime();
    else this.offsetMs = at.getTime() - Date.now();
    return this.now();
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
