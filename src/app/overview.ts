// The shop's home screen ("Tổng quan") in one read: conversations waiting for a reply, subscribers by
// topic, the latest campaigns with their funnels, and what needs attention. Each number is the one the
// topic and campaign screens show (same storage counts, same domain arithmetic).
import { WINDOW_7D_MS } from '../domain/send-resolver.ts';
import { interactionRates } from '../domain/stats.ts';
import * as stats from '../storage/stats.ts';
import * as templates from '../storage/templates.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';
import { getPage } from './workspaces.ts';

export const OVERVIEW_CAMPAIGNS = 5;

export type Attention =
  | { code: 'page_restricted'; detail: string }
  | { code: 'page_not_connected' }
  | { code: 'optin_feature_disabled' }
  | { code: 'otn_closed'; detail: string | null; since: Date }
  | { code: 'campaign_paused'; campaignId: number; name: string; reason: string | null }
  | { code: 'topic_suspended'; topicId: number; name: string; subscribers: number }
  | { code: 'template_rejected'; templateId: number; name: string; reason: string | null };

export async function pageOverview(ctx: AppContext, workspaceId: number, pageId: number) {
  const page = await getPage(ctx, workspaceId, pageId);
  const now = ctx.clock.now();
  const [waiting, topicRows, held, campaignRows, rejected] = await Promise.all([
    stats.waitingForReply(ctx.db, page.id, new Date(now.getTime() - WINDOW_7D_MS)),
    topics.listTopics(ctx.db, page.id),
    stats.heldSubscribers(ctx.db, { pageId: page.id }, now),
    stats.latestCampaigns(ctx.db, page.id, OVERVIEW_CAMPAIGNS),
    templates.listTemplates(ctx.db, workspaceId, page.id, { status: 'REJECTED' }),
  ]);
  const campaigns = await Promise.all(
    campaignRows.map(async (c) => {
      const f = await stats.campaignFacts(ctx.db, c.id, c.topic_id);
      const sent = f.byStatus.filter((r) => r.status === 'sent').reduce((n, r) => n + r.n, 0);
      const funnel = { sent, delivered: f.delivered, read: f.read, clicked: f.clicked };
      return {
        id: c.id,
        name: c.name,
        status: c.status,
        pauseReason: c.pause_reason,
        targeted: c.targeted,
        createdAt: c.created_at,
        startedAt: c.started_at,
        ...funnel,
        rates: interactionRates(funnel),
      };
    }),
  );
  const topicsOut = topicRows.map((t) => ({
    id: t.id,
    name: t.name,
    kind: t.kind,
    active: t.active,
    // The statistics' definitions (domain/stats STATISTICS): held tokens, 0 while the topic is off.
    validSubscribers: t.active ? (held.get(t.id) ?? 0) : 0,
    suspendedSubscribers: t.active ? 0 : (held.get(t.id) ?? 0),
  }));
  const attention: Attention[] = [];
  if (page.restricted_reason) attention.push({ code: 'page_restricted', detail: page.restricted_reason });
  if (!page.access_token) attention.push({ code: 'page_not_connected' });
  if (!page.opt_in_feature_enabled) attention.push({ code: 'optin_feature_disabled' });
  // R12f: Meta said OTN is unavailable for the page; its OTN topics no longer send.
  if (page.otn_closed_at)
    attention.push({ code: 'otn_closed', detail: page.otn_closed_reason, since: page.otn_closed_at });
  for (const c of campaigns.filter((x) => x.status === 'paused'))
    attention.push({ code: 'campaign_paused', campaignId: c.id, name: c.name, reason: c.pauseReason });
  for (const t of topicsOut.filter((x) => x.suspendedSubscribers > 0))
    attention.push({
      code: 'topic_suspended',
      topicId: t.id,
      name: t.name,
      subscribers: t.suspendedSubscribers,
    });
  // A rejected utility template (R13) cannot be sent: its order events fail until it is fixed.
  for (const t of rejected)
    attention.push({ code: 'template_rejected', templateId: t.id, name: t.name, reason: t.status_reason });
  return {
    page: { id: page.id, name: page.name, timeZone: page.time_zone },
    at: now,
    waitingForReply: waiting,
    subscribers: await stats.distinctSubscribers(
      ctx.db,
      topicRows.filter((t) => t.active).map((t) => t.id),
      now,
    ),
    topics: topicsOut,
    campaigns,
    attention,
  };
}
