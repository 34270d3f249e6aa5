// R10 statistics: per topic (R10b) as totals and a daily series in the page's time zone, and a page
// overview. Counting is storage's, arithmetic and the subscriber replay are the domain's.
import { DomainError } from '../domain/errors.ts';
import { WINDOW_STATES, windowRange } from '../domain/inbox.ts';
import type { ConsentEvent } from '../domain/model.ts';
import type { WindowState } from '../domain/send-resolver.ts';
import {
  bucketIndex,
  dayBuckets,
  interactionRates,
  rate,
  subscribersAt,
  topicInteraction,
} from '../domain/stats.ts';
import * as pages from '../storage/pages.ts';
import type { TopicRow } from '../storage/schema.ts';
import * as stats from '../storage/stats.ts';
import * as topics from '../storage/topics.ts';
import { getCampaign } from './campaigns.ts';
import type { AppContext } from './context.ts';
import { getPage } from './workspaces.ts';

export const MAX_STATS_DAYS = 366;

export interface TopicTotals {
  invitationsSent: number;
  /** Meta refused the card as a duplicate (R2c): counted apart, never as sent. */
  invitationsRefused: number;
  invitationsAccepted: number;
  /** Accepted invitations / sent invitations. */
  acceptanceRate: number | null;
  /** Customers holding an unstopped, unexpired (OTN: unused) token — 0 while the topic is inactive (R5b). */
  validSubscribers: number;
  /** Those same customers while the topic is deactivated: kept, not sendable (R5b). */
  suspendedSubscribers: number;
  /** Consent-history rows (R3c): acceptances include imported ones and opt-ins from outside renotify. */
  acceptances: number;
  stops: number;
  resumes: number;
  /** Notifications sent on the topic: one `used` row per send. */
  sends: number;
  expiries: number;
}

export interface DayPoint {
  date: string;
  /** At the end of the day (now, for today). */
  validSubscribers: number;
  invitationsSent: number;
  acceptances: number;
  stops: number;
  resumes: number;
  sends: number;
  expiries: number;
}

function totalsOf(
  topic: TopicRow,
  inv: stats.InvitationCounts | undefined,
  consent: Partial<Record<ConsentEvent, number>> | undefined,
  held: number,
): TopicTotals {
  const i = inv ?? { sent: 0, refused: 0, accepted: 0 };
  const c = consent ?? {};
  return {
    invitationsSent: i.sent,
    invitationsRefused: i.refused,
    invitationsAccepted: i.accepted,
    acceptanceRate: rate(i.accepted, i.sent),
    validSubscribers: topic.active ? held : 0,
    suspendedSubscribers: topic.active ? 0 : held,
    acceptances: c.accepted ?? 0,
    stops: c.stopped ?? 0,
    resumes: c.resumed ?? 0,
    sends: c.used ?? 0,
    expiries: c.expired ?? 0,
  };
}

const SERIES_EVENTS = {
  accepted: 'acceptances',
  stopped: 'stops',
  resumed: 'resumes',
  used: 'sends',
  expired: 'expiries',
} as const satisfies Partial<Record<ConsentEvent, keyof DayPoint>>;

const NO_FUNNEL = { sent: 0, delivered: 0, read: 0, clicked: 0 };

function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_STATS_DAYS) {
    throw new DomainError('validation_failed', `days must be between 1 and ${MAX_STATS_DAYS}.`, {
      field: 'days',
    });
  }
}

export async function topicStats(ctx: AppContext, workspaceId: number, topicId: number, days = 30) {
  checkDays(days);
  const topic = await topics.findTopic(ctx.db, workspaceId, topicId);
  if (!topic) throw new DomainError('topic_not_found', `No topic ${topicId} in this workspace.`);
  const page = (await pages.findPage(ctx.db, workspaceId, topic.page_id))!;
  const now = ctx.clock.now();
  const scope = { topicId };
  const [inv, consent, held, facts] = await Promise.all([
    stats.invitationCounts(ctx.db, scope),
    stats.consentCounts(ctx.db, scope),
    stats.heldSubscribers(ctx.db, scope, now),
    stats.topicReplayFacts(ctx.db, topicId),
  ]);
  const buckets = dayBuckets(now, days, page.time_zone);
  // The level at the end of each day: its last instant, or now for today.
  const instants = buckets.map((b, i) => (i === buckets.length - 1 ? now : new Date(b.end.getTime() - 1)));
  const levels = subscribersAt(facts.subs, facts.events, instants);
  const series: DayPoint[] = buckets.map((b, i) => ({
    date: b.date,
    validSubscribers: levels[i]!,
    invitationsSent: 0,
    acceptances: 0,
    stops: 0,
    resumes: 0,
    sends: 0,
    expiries: 0,
  }));
  for (const e of facts.events) {
    const key = SERIES_EVENTS[e.event as keyof typeof SERIES_EVENTS];
    const i = key ? bucketIndex(buckets, e.at) : -1;
    if (key && i >= 0) series[i]![key]++;
  }
  const funnel = (await stats.topicFunnels(ctx.db, scope, buckets[0]!.start)).get(topicId);
  for (const at of await stats.invitationTimes(ctx.db, topicId, buckets[0]!.start)) {
    const i = bucketIndex(buckets, at);
    if (i >= 0) series[i]!.invitationsSent++;
  }
  return {
    topic: { id: topic.id, pageId: topic.page_id, name: topic.name, kind: topic.kind, active: topic.active },
    timeZone: page.time_zone,
    days,
    totals: totalsOf(topic, inv.get(topicId), consent.get(topicId), held.get(topicId) ?? 0),
    /** The topic's notifications sent in the period: delivered → read → clicked (R10a's stages). */
    interaction: topicInteraction(funnel ?? NO_FUNNEL),
    series,
  };
}

/**
 * The page at a glance: customers by R1 window, distinct subscribers, and each topic's totals (the same
 * numbers as topicStats) with its interaction over the last `days` days.
 */
export async function pageStats(ctx: AppContext, workspaceId: number, pageId: number, days = 30) {
  checkDays(days);
  const page = await getPage(ctx, workspaceId, pageId);
  const now = ctx.clock.now();
  const scope = { pageId };
  const since = dayBuckets(now, days, page.time_zone)[0]!.start;
  const [topicRows, funnels, inv, consent, held, total, ...byWindow] = await Promise.all([
    topics.listTopics(ctx.db, pageId),
    stats.topicFunnels(ctx.db, scope, since),
    stats.invitationCounts(ctx.db, scope),
    stats.consentCounts(ctx.db, scope),
    stats.heldSubscribers(ctx.db, scope, now),
    stats.countCustomers(ctx.db, pageId),
    ...WINDOW_STATES.map((w) => stats.countCustomers(ctx.db, pageId, windowRange(w, now))),
  ]);
  const topicsOut = topicRows.map((t) => ({
    id: t.id,
    name: t.name,
    kind: t.kind,
    active: t.active,
    ...totalsOf(t, inv.get(t.id), consent.get(t.id), held.get(t.id) ?? 0),
    interaction: topicInteraction(funnels.get(t.id) ?? NO_FUNNEL),
  }));
  const sum = (k: keyof TopicTotals) => topicsOut.reduce((n, t) => n + ((t[k] as number | null) ?? 0), 0);
  const invitationsSent = sum('invitationsSent');
  const invitationsAccepted = sum('invitationsAccepted');
  return {
    page: { id: page.id, name: page.name, timeZone: page.time_zone },
    days,
    customers: {
      total,
      byWindow: Object.fromEntries(WINDOW_STATES.map((w, i) => [w, byWindow[i]!])) as Record<
        WindowState,
        number
      >,
    },
    /** Distinct customers holding a valid subscription of any active topic. */
    subscribers: await stats.distinctSubscribers(
      ctx.db,
      topicRows.filter((t) => t.active).map((t) => t.id),
      now,
    ),
    totals: {
      invitationsSent,
      invitationsAccepted,
      acceptanceRate: rate(invitationsAccepted, invitationsSent),
      stops: sum('stops'),
      sends: sum('sends'),
    },
    topics: topicsOut,
  };
}

type PageRef = Awaited<ReturnType<typeof pageStats>>['page'];
type PageTotals = Awaited<ReturnType<typeof pageStats>>['totals'];

/**
 * The whole workspace (issue 12.4): every page's numbers as pageStats gives them, and their sums. A
 * customer is page-scoped (a PSID belongs to one page), so the workspace's counts are the pages' sums.
 */
export async function workspaceStats(ctx: AppContext, workspaceId: number, days = 30) {
  checkDays(days);
  const perPage: Array<{ page: PageRef; customers: number; subscribers: number; totals: PageTotals }> = [];
  // One page at a time: PGlite has one connection, and a shop has a handful of pages.
  for (const p of await pages.listPages(ctx.db, workspaceId)) {
    const s = await pageStats(ctx, workspaceId, p.id, days);
    perPage.push({
      page: s.page,
      customers: s.customers.total,
      subscribers: s.subscribers,
      totals: s.totals,
    });
  }
  const sum = (f: (p: (typeof perPage)[number]) => number) => perPage.reduce((n, p) => n + f(p), 0);
  const invitationsSent = sum((p) => p.totals.invitationsSent);
  const invitationsAccepted = sum((p) => p.totals.invitationsAccepted);
  return {
    days,
    customers: sum((p) => p.customers),
    subscribers: sum((p) => p.subscribers),
    totals: {
      invitationsSent,
      invitationsAccepted,
      acceptanceRate: rate(invitationsAccepted, invitationsSent),
      stops: sum((p) => p.totals.stops),
      sends: sum((p) => p.totals.sends),
    },
    pages: perPage,
  };
}

/** Delivery rows still on their way: not yet sent, failed or skipped. */
const IN_FLIGHT = new Set(['pending', 'sending', 'retry', 'deferred']);

/**
 * R10a: targeted, sent, delivered, read, clicked, failed and skipped by reason, stopped after, and the
 * funnel's rates. Read while a campaign runs, the numbers are its progress so far.
 */
export async function campaignStats(ctx: AppContext, workspaceId: number, campaignId: number) {
  const c = await getCampaign(ctx, workspaceId, campaignId);
  const f = await stats.campaignFacts(ctx.db, c.id, c.topic_id);
  const total = (status: string) =>
    f.byStatus.filter((r) => r.status === status).reduce((n, r) => n + r.n, 0);
  const byReason = (status: string) => {
    const out: Record<string, number> = {};
    for (const r of f.byStatus.filter((x) => x.status === status)) {
      const key = r.reason ?? 'unknown';
      out[key] = (out[key] ?? 0) + r.n;
    }
    return out;
  };
  const sent = total('sent');
  const engagement = { sent, delivered: f.delivered, read: f.read, clicked: f.clicked };
  return {
    campaign: {
      id: c.id,
      pageId: c.page_id,
      topicId: c.topic_id,
      name: c.name,
      status: c.status,
      startedAt: c.started_at,
      finishedAt: c.finished_at,
    },
    targeted: c.targeted,
    ...engagement,
    failed: { total: total('failed'), byReason: byReason('failed') },
    skipped: { total: total('skipped'), byReason: byReason('skipped') },
    inFlight: f.byStatus.filter((r) => IN_FLIGHT.has(r.status)).reduce((n, r) => n + r.n, 0),
    stoppedAfter: f.stoppedAfter,
    rates: { ...interactionRates(engagement), stoppedAfter: rate(f.stoppedAfter, sent) },
  };
}
