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
  const customer = known ?? (await customers.findCustomerByPsid(ctx.db, page.id, psid));
  if (!customer || customer.name) return;
  const key = `${page.id}:${psid}`;
  const now = ctx.clock.now().getTime();
  const seen = refused.get(ctx.profiles) ?? new Map<string, number>();
  refused.set(ctx.profiles, seen);
  const at = seen.get(key);
  if (at !== undefined && now - at < PROFILE_REFUSAL_MS) return;
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
