// Names for customers first seen through a webhook: a Graph profile fetch (a channel call) made after
// their events are applied. Best effort — the conversation works without a name.
import { credentials, type GraphClient } from '../channel/index.ts';
import * as customers from '../storage/customers.ts';
import type { CustomerRow, PageRow } from '../storage/schema.ts';
import type { AppContext } from './context.ts';

/** The part of the Graph client a profile fetch needs. */
export type ProfileSource = Pick<GraphClient, 'getProfile'>;

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
  try {
    const p = await ctx.profiles.getProfile(credentials(page), psid, ['first_name', 'last_name', 'locale']);
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
