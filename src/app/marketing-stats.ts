// R14d: Meta's marketing_message_* webhooks walk each paid send through delivered → read → clicked (or
// failed), and the statistics read the funnel with its cost per delivered, read and click. A webhook
// only reaches sends of the workspace that owns the page it was authenticated against.
import type { MarketingEvent } from '../channel/index.ts';
import { type PaidCosts, type PaidFunnel, paidCosts } from '../domain/marketing-messages.ts';
import { inTransaction } from '../storage/db.ts';
import * as sends from '../storage/marketing-sends.ts';
import * as pages from '../storage/pages.ts';
import type { AppContext } from './context.ts';

/** Applies the events of one delivery in one transaction; returns how many named a known send. */
export async function applyMarketingEvents(
  ctx: AppContext,
  events: readonly MarketingEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  return inTransaction(ctx.db, async (tx) => {
    let applied = 0;
    for (const e of events) {
      if (e.step === 'echo') continue; // our own send, already recorded when Meta accepted it
      const page = await pages.findPageByFbId(tx, e.pageId);
      if (!page) continue;
      const send = await sends.findMarketingSendForEvent(tx, {
        workspaceId: page.workspace_id,
        pageId: page.id,
        trackingId: e.trackingId,
        token: e.token,
        messageId: e.messageId,
      });
      if (!send) continue;
      await sends.recordFunnelStep(tx, send.id, e.step, e.at, e.error ?? undefined);
      applied++;
    }
    return applied;
  });
}

export interface PaidStats extends PaidFunnel, PaidCosts {}

/** The paid part of a campaign's or a topic's statistics (R10a + R14d). */
export async function paidStats(
  ctx: AppContext,
  workspaceId: number,
  by: { campaignId: number } | { topicId: number },
): Promise<PaidStats> {
  const funnel = await sends.paidFunnel(ctx.db, workspaceId, by);
  return { ...funnel, ...paidCosts(funnel) };
}
