// R14b: Meta's subscriber token list synchronised (Meta subscribes people from ads and its own
// automations too); R14e: a customer's stop in the product told to Meta, which sends no opt-out
// webhook for these, with the consent history recording both the stop and Meta's unsubscribe.
import { credentials, notificationStatus } from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import { marketingRouteApplies } from '../domain/marketing-messages.ts';
import { inTransaction } from '../storage/db.ts';
import * as meta from '../storage/meta-subscribers.ts';
import * as pages from '../storage/pages.ts';
import { lookupHash } from '../storage/secrets.ts';
import * as subscriptions from '../storage/subscriptions.ts';
import type { MarketingContext } from './ad-accounts.ts';
import { applyStopResume } from './optins.ts';

export interface TokenSync {
  /** Tokens in Meta's list. */
  listed: number;
  /** Of those, tokens a customer of ours holds on a topic. */
  known: number;
  /** Listed by Meta only (ads, automations): kept as Meta's list, never given a topic by guess. */
  metaOnly: number;
  /** Unsubscribed by this read: a row saying STOP, or a token known before and gone from the list. */
  unsubscribed: number;
}

/** Reads Meta's whole list for one page and records it; topics are never assigned from it (R12g). */
export async function syncMetaTokens(
  ctx: MarketingContext,
  workspaceId: number,
  pageId: number,
): Promise<TokenSync> {
  const page = await pages.findPage(ctx.db, workspaceId, pageId);
  if (!page) throw new DomainError('page_not_found', `No page ${pageId} in this workspace.`);
  if (!ctx.marketing)
    throw new DomainError('marketing_unavailable', 'Paid marketing messages are not configured.');
  const now = ctx.clock.now();
  let listed = 0;
  let known = 0;
  let newlyStopped = 0;
  let chunk: meta.MetaTokenRow[] = [];
  const flush = async () => {
    known += (
      await meta.knownTokenHashes(
        ctx.db,
        page.id,
        chunk.map((r) => lookupHash(r.token)),
      )
    ).size;
    newlyStopped += await meta.upsertMetaSubscribers(ctx.db, page.id, chunk, now);
    chunk = [];
  };
  for await (const t of ctx.marketing.tokens(credentials(page))) {
    if (!t.notification_messages_token || !t.recipient_id) continue;
    listed++;
    const unsubscribed = notificationStatus(t.notification_messages_status) === 'STOP';
    const row = { token: t.notification_messages_token, psid: t.recipient_id, unsubscribed };
    chunk.push(row);
    if (chunk.length >= 500) await flush();
  }
  await flush();
  // The whole list was read (an error above throws first): Meta's tokens end only by an opt-out, so a
  // token it no longer lists has unsubscribed (R14b).
  const gone = await meta.markUnlistedUnsubscribed(ctx.db, page.id, now, now);
  // R14e the other way: a stop made at Meta (the "Stop these messages" link, no webhook) reaches the
  // product's consent record as the customer's stop, like Messenger's STOP event would. Read from what is
  // stored, not from this read's marks: a sync that died after marking left stops that this one applies.
  for (const r of await meta.unsubscribedButLive(ctx.db, page.id, now)) {
    await applyStopResume(ctx, {
      fbPageId: page.fb_page_id,
      page,
      psid: r.psid,
      token: r.token,
      action: 'stop',
      at: now,
    });
  }
  return { listed, known, metaOnly: listed - known, unsubscribed: newlyStopped + gone.length };
}

/**
 * R14e: every recurring subscription stopped on a paid-route page and not yet told to Meta is
 * unsubscribed there (by PSID and token), then `meta_unsubscribed` is appended beside the `stopped`.
 * A failed call appends nothing, so a later sweep tries again — after the stops not tried yet and
 * those refused longer ago. Returns how many Meta confirmed.
 */
export async function tellMetaStops(ctx: MarketingContext, limit = 100): Promise<number> {
  if (!ctx.marketing) return 0;
  const paidPages = (await pages.listPagesOnProfile(ctx.db, '2026')).filter((p) => marketingRouteApplies(p));
  const byId = new Map(paidPages.map((p) => [p.id, p]));
  let told = 0;
  for (const stop of await meta.stopsNotToldToMeta(ctx.db, [...byId.keys()], limit)) {
    const page = byId.get(stop.pageId)!;
    const r = await ctx.marketing.unsubscribe(credentials(page), {
      psid: stop.psid,
      subscriberToken: stop.token,
    });
    const at = ctx.clock.now();
    if (!r.ok) {
      console.error('[meta unsubscribe]', page.fb_page_id, r.error.message);
      // To the back of the line: a stop Meta keeps refusing does not hold up the ones after it.
      await meta.markStopTried(ctx.db, stop.subscriptionId, stop.stoppedAt, at);
      continue;
    }
    await inTransaction(ctx.db, async (tx) => {
      await subscriptions.appendConsent(tx, {
        workspaceId: stop.workspaceId,
        pageId: stop.pageId,
        topicId: stop.topicId,
        customerId: stop.customerId,
        subscriptionId: stop.subscriptionId,
        event: 'meta_unsubscribed',
        at,
        detail: { invalidRows: r.value.invalidRows, stoppedAt: stop.stoppedAt.toISOString() },
      });
      await meta.markStopTold(tx, stop.subscriptionId, stop.stoppedAt, at);
    });
    told++;
  }
  return told;
}

/** The worker's sweep: stops are told to Meta every round; Meta's token lists are read when asked. */
export async function marketingSweep(ctx: MarketingContext, opts: { syncTokens: boolean }): Promise<void> {
  if (!ctx.marketing) return;
  await tellMetaStops(ctx);
  if (!opts.syncTokens) return;
  for (const page of (await pages.listPagesOnProfile(ctx.db, '2026')).filter((p) =>
    marketingRouteApplies(p),
  )) {
    await syncMetaTokens(ctx, page.workspace_id, page.id).catch((e: unknown) =>
      console.error('[meta token sync]', page.fb_page_id, e),
    );
  }
}
