// Opt-ins applied together within a processing transaction (webhook-batch.ts): a livestream's "Notify me"
// taps arrive as a burst of one opt-in per customer. Every customer whose only pending event here is an
// opt-in (not a Stop / Resume) of a known page goes this way: their opt-ins read in one statement, decided
// one by one by the domain (optins.ts), written in one checked statement, logged in one. An opt-in the
// batch did not apply (its topic unknown, what it was decided from changed meanwhile, or Stop / Resume
// events of the customer waiting for its token) is left to the one-at-a-time path (applyEvent), which
// gives the same outcome — so each customer's events keep their order and their rules.
import type { MessengerEvent } from '../channel/index.ts';
import { type AssistantReplyJob, type Enqueuer, JOBS } from '../jobs/queue.ts';
import type { Tx } from '../storage/db.ts';
import * as messages from '../storage/messages.ts';
import type { PageRow } from '../storage/schema.ts';
import * as inbox from '../storage/webhook-events.ts';
import type { AppContext } from './context.ts';
import { applyOptInsTogether } from './optins.ts';
import type { PendingEvent } from './webhook-messages.ts';
import { noticeJob, type OptInMessengerEvent, optInEventOf, optInLogPayload } from './webhook-processing.ts';

const isOptIn = (e: MessengerEvent | undefined): e is OptInMessengerEvent =>
  e?.type === 'optin_otn' || (e?.type === 'optin_recurring' && !e.status);

/** The events that are their customer's only pending event here and an opt-in of a known page. */
export function loneOptIns(events: readonly PendingEvent[], pageOf: Map<string, PageRow>): PendingEvent[] {
  const count = new Map<string, number>();
  for (const ev of events) count.set(ev.key, (count.get(ev.key) ?? 0) + 1);
  return events.filter(
    (ev) => count.get(ev.key) === 1 && isOptIn(ev.parsed) && pageOf.has(ev.row.fb_page_id),
  );
}

/**
 * Applies the given lone opt-ins (loneOptIns) together; returns the outcome of each one it applied, by
 * event id. The others are for the one-at-a-time path.
 */
export async function applyOptInEvents(
  ctx: AppContext & { queue: Enqueuer },
  tx: Tx,
  events: readonly PendingEvent[],
  pageOf: Map<string, PageRow>,
): Promise<Map<number, string>> {
  const outcomes = new Map<number, string>();
  if (events.length === 0) return outcomes;
  // A recurring opt-in replays the customer's Stop / Resume events that came before its token: those
  // customers (rare) go one at a time, where the replay is.
  const waiting = await inbox.customersWithUnknownTokenAfter(
    tx,
    events
      .filter((ev) => ev.parsed?.type === 'optin_recurring')
      .map((ev) => ({ fbPageId: ev.row.fb_page_id, psid: ev.row.psid, after: ev.parsed!.timestamp })),
  );
  const skip = new Set(waiting.map((c) => `${c.fbPageId}\u0000${c.psid}`));
  const together = events.filter((ev) => !skip.has(ev.key));
  const optIns = together.map((ev) =>
    optInEventOf(pageOf.get(ev.row.fb_page_id)!, ev.parsed as OptInMessengerEvent),
  );
  const results = await applyOptInsTogether({ ...ctx, db: tx }, optIns);
  const logs: Parameters<typeof messages.insertInboundEntries>[1][number][] = [];
  const notices: AssistantReplyJob[] = [];
  for (const [k, result] of results.entries()) {
    if (!result || !('customerId' in result)) continue;
    const { row, parsed } = together[k]!;
    const page = optIns[k]!.page;
    outcomes.set(row.id, result.outcome);
    logs.push({
      workspaceId: page.workspace_id,
      pageId: page.id,
      customerId: result.customerId,
      kind: 'optin',
      text: null,
      payload: optInLogPayload(parsed as OptInMessengerEvent),
      at: parsed!.timestamp,
    });
    const notice = noticeJob(page, result);
    if (notice) notices.push(notice);
  }
  await messages.insertInboundEntries(tx, logs);
  // R4f notices of the batch (a burst of repeat taps), one insert for all.
  if (notices.length > 0) await ctx.queue.sendMany(JOBS.assistantReply, notices, { tx });
  return outcomes;
}
