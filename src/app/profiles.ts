// Names for customers first seen through a webhook: a Graph profile fetch (a channel call) made after
// their events are applied. Best effort — the conversation works without a name.
import { credentials, GraphApiError, type GraphClient } from '../channel/index.ts';
import * as customers from '../storage/customers.ts';
import type { CustomerRow, PageRow } from '../storage/schema.ts';
import type { AppContext } from './context.ts';

/** The part of the Graph client a profile fetch needs. */
export type ProfileSource = Pick<GraphClient, 'getProfile'>;

/**
 * Customers whose profile Graph refused (no permission, unknown to it), per Graph client: not asked
 * again for PROFILE_REFUSAL_MS (by the injected clock), else every event of such a customer would cost a Graph call. Bounded; the
 * oldest refusal is forgotten first.
 */
const refused = new WeakMap<ProfileSource, Map<string, number>>();
export const PROFILE_REFUSAL_MS = 3_600_000;
const MAX_REFUSALS = 100_000;

/**
 * Fills a nameless customer's name and locale from Graph. `page` and `customer` are what the caller
 * already loaded (webhook processing's batch); the customer is looked up only when the batch did not
 * write it.
 */
export async function fillProfile(
  ctx: AppContext & { profiles: ProfileSource },
  page: PageRow | undefined,
  psid: string,
  known?: CustomerRow,
): Promise<void> {
  if (!page?.access_token) return;
  // A recent refusal is checked first: it needs no database round trip.
  const key = `${page.id}:${psid}`;
  const now = ctx.clock.now().getTime();
  const seen = refused.get(ctx.profiles) ?? new Map<string, number>();
  refused.set(ctx.profiles, seen);
  const at = seen.get(key);
  if (at !== undefined && now - at < PROFILE_REFUSAL_MS) return;
  const customer = known ?? (await customers.findCustomerByPsid(ctx.db, page.id, psid));
  if (!customer || customer.name) return;
  let p: Record<string, unknown>;
  try {
    p = await ctx.profiles.getProfile(credentials(page), psid, ['first_name', 'last_name', 'locale']);
  } catch (e) {
    // The profile is a nicety; the conversation works without a name. A refusal is remembered; an
    // outage or a rate limit is not (the customer's next event asks again, as before).
    const cls = e instanceof GraphApiError ? e.failure.class : 'transient';
    if (cls === 'transient' || cls === 'rate_limited') return;
    seen.delete(key);
    if (seen.size >= MAX_REFUSALS) seen.delete(seen.keys().next().value!);
    seen.set(key, now);
    return;
  }
  seen.delete(key);
  try {
    const first = typeof p.first_name === 'string' ? p.first_name : null;
    const last = typeof p.last_name === 'string' ? p.last_name : null;
    await customers.upsertCustomer(
      ctx.db,
      {
        workspaceId: page.workspace_id,
        pageId: page.id,
        psid,
        name: [last, first].filter(Boolean).join(' ') || null,
        firstName: first,
        lastName: last,
        locale: typeof p.locale === 'string' ? p.locale : null,
      },
      ctx.clock.now(),
    );
  } catch {
    // The profile is a nicety; the conversation works without a name.
  }
}

type ProfileArgs = [page: PageRow | undefined, psid: string, known: CustomerRow | undefined];

/**
 * Profile fetches beside webhook processing instead of in its way. Each first-seen customer costs one
 * Graph call, paced by the page's rate limit (300 calls/s): a burst of new customers (a livestream)
 * would otherwise hold every processing batch for as long as its calls take, and processing would run
 * at the page's call rate instead of the database's. The worker hands the fetches here after the batch
 * commits and goes on; `concurrency` run at once, the limiter paces them. Best effort like fillProfile:
 * fetches still waiting when the process stops or dies are dropped, and a nameless customer is asked
 * again at their next event. Bounded: with `capacity` fetches waiting, a new one is dropped the same way
 * (counted in `dropped`) — a flood of new customers (a livestream's opt-ins: 20,000 in a minute against
 * 300 calls/s) is applied at the database's pace, not held to the page's call rate for the sake of names;
 * those beyond the first `capacity` get theirs at their next event.
 */
export class BackgroundProfiles {
  readonly #waiting = new Map<string, ProfileArgs>();
  readonly #inFlight = new Set<string>();
  #settled: Array<() => void> = [];
  #stopped = false;

  constructor(
    private readonly ctx: AppContext & { profiles: ProfileSource },
    private readonly opts: { concurrency: number; capacity: number } = { concurrency: 8, capacity: 10_000 },
  ) {}

  /** Fetches dropped because `capacity` were waiting. */
  dropped = 0;

  /**
   * Queues one customer's fetch (a customer already queued or being fetched is not queued twice; with
   * `capacity` waiting, it is dropped).
   */
  async add(...args: ProfileArgs): Promise<void> {
    const key = `${args[0]?.id}:${args[1]}`;
    if (this.#stopped || this.#inFlight.has(key) || this.#waiting.has(key)) return;
    if (this.#waiting.size >= this.opts.capacity) {
      this.dropped++;
      return;
    }
    this.#waiting.set(key, args);
    this.#pump();
  }

  /** Drops what waits and resolves once the fetches in flight have settled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waiting.clear();
    while (this.#inFlight.size > 0) await new Promise<void>((r) => this.#settled.push(r));
  }

  /** Resolves once nothing waits or runs (tests, benches). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#waiting.size > 0)
      await new Promise<void>((r) => this.#settled.push(r));
  }

  #pump(): void {
    while (this.#inFlight.size < this.opts.concurrency && this.#waiting.size > 0) {
      const [key, args] = this.#waiting.entries().next().value!;
      this.#waiting.delete(key);
      this.#inFlight.add(key);
      void fillProfile(this.ctx, ...args)
        .catch((e: unknown) => console.error('[profile]', e))
        .finally(() => {
          this.#inFlight.delete(key);
          for (const r of this.#settled.splice(0)) r();
          this.#pump();
        });
    }
  }
}
