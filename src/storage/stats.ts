// The facts R10 statistics are computed from: counts over invitations, consent history and
// subscriptions, grouped per topic. Only counting here; rates and replays are the domain's.
import { sql } from 'kysely';
import type { ConsentEvent } from '../domain/model.ts';
import type { Funnel, HistoryFact, SubscriptionFacts } from '../domain/stats.ts';
import type { Executor } from './db.ts';

/** The page's latest campaigns, newest first (with their tallies: campaigns.ts). */
export { latestCampaigns } from './campaigns.ts';

export interface InvitationCounts {
  sent: number;
  refused: number;
  accepted: number;
}

/** Invitations per topic of a page (or of one topic): sent, refused by Meta as duplicates, accepted. */
export async function invitationCounts(
  db: Executor,
  scope: { pageId: number } | { topicId: number },
): Promise<Map<number, InvitationCounts>> {
  let q = db
    .selectFrom('invitations')
    .select((eb) => [
      'topic_id',
      eb.fn.countAll<number>().filterWhere('status', '=', 'sent').as('sent'),
      eb.fn.countAll<number>().filterWhere('status', '=', 'refused').as('refused'),
      eb.fn.countAll<number>().filterWhere('accepted_at', 'is not', null).as('accepted'),
    ])
    .groupBy('topic_id');
  q = 'pageId' in scope ? q.where('page_id', '=', scope.pageId) : q.where('topic_id', '=', scope.topicId);
  const rows = await q.execute();
  return new Map(
    rows.map((r) => [
      r.topic_id,
      { sent: Number(r.sent), refused: Number(r.refused), accepted: Number(r.accepted) },
    ]),
  );
}

/** Consent-history rows per topic and event: acceptances, stops, resumes, uses (sends), expiries. */
export async function consentCounts(
  db: Executor,
  scope: { pageId: number } | { topicId: number },
): Promise<Map<number, Partial<Record<ConsentEvent, number>>>> {
  let q = db
    .selectFrom('consent_history')
    .select((eb) => ['topic_id', 'event', eb.fn.countAll<number>().as('n')])
    .groupBy(['topic_id', 'event']);
  q = 'pageId' in scope ? q.where('page_id', '=', scope.pageId) : q.where('topic_id', '=', scope.topicId);
  const out = new Map<number, Partial<Record<ConsentEvent, number>>>();
  for (const r of await q.execute()) {
    const m = out.get(r.topic_id) ?? {};
    m[r.event] = Number(r.n);
    out.set(r.topic_id, m);
  }
  return out;
}

/**
 * Customers per topic holding a token that is not stopped, not expired and (OTN) not used — the
 * subscribers of a topic now. Cooldown does not count against them: it only paces sends.
 */
export async function heldSubscribers(
  db: Executor,
  scope: { pageId: number } | { topicId: number },
  now: Date,
): Promise<Map<number, number>> {
  let q = db
    .selectFrom('subscriptions')
    .select((eb) => ['topic_id', eb.fn.count<number>('customer_id').distinct().as('n')])
    .where('used_at', 'is', null)
    .where('stopped_at', 'is', null)
    .where('expires_at', '>', now)
    .groupBy('topic_id');
  q = 'pageId' in scope ? q.where('page_id', '=', scope.pageId) : q.where('topic_id', '=', scope.topicId);
  return new Map((await q.execute()).map((r) => [r.topic_id, Number(r.n)]));
}

/** Distinct customers of a page subscribed now to at least one of the given (active) topics. */
export async function distinctSubscribers(db: Executor, topicIds: number[], now: Date): Promise<number> {
  if (topicIds.length === 0) return 0;
  const row = await db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.count<number>('customer_id').distinct().as('n'))
    .where('topic_id', 'in', topicIds)
    .where('used_at', 'is', null)
    .where('stopped_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Everything needed to replay a topic's subscribers over time (domain/stats subscribersAt). */
export async function topicReplayFacts(
  db: Executor,
  topicId: number,
): Promise<{ subs: SubscriptionFacts[]; events: Array<HistoryFact & { customerId: number }> }> {
  const [subs, events] = await Promise.all([
    db
      .selectFrom('subscriptions')
      .select(['id', 'customer_id', 'kind', 'expires_at'])
      .where('topic_id', '=', topicId)
      .execute(),
    db
      .selectFrom('consent_history')
      .select(['subscription_id', 'customer_id', 'event', 'at'])
      .where('topic_id', '=', topicId)
      .orderBy('at')
      .orderBy('id')
      .execute(),
  ]);
  return {
    subs: subs.map((s) => ({ id: s.id, customerId: s.customer_id, kind: s.kind, expiresAt: s.expires_at })),
    events: events.map((e) => ({
      subscriptionId: e.subscription_id ?? 0,
      customerId: e.customer_id,
      event: e.event,
      at: e.at,
    })),
  };
}

/** When a topic's invitations went out since a time (sent ones only: a refused card never arrived). */
export async function invitationTimes(db: Executor, topicId: number, since: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('invitations')
    .select('sent_at')
    .where('topic_id', '=', topicId)
    .where('status', '=', 'sent')
    .where('sent_at', '>=', since)
    .execute();
  return rows.map((r) => r.sent_at);
}

/** Customers of a page whose last interaction lies in a window's interval (domain/inbox windowRange). */
export async function countCustomers(
  db: Executor,
  pageId: number,
  range?: { never: true } | { never: false; after: Date | null; notAfter: Date | null },
): Promise<number> {
  let q = db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId);
  if (range?.never) q = q.where('last_interaction_at', 'is', null);
  else if (range) {
    q = q.where('last_interaction_at', 'is not', null);
    if (range.after) q = q.where('last_interaction_at', '>', range.after);
    if (range.notAfter) q = q.where('last_interaction_at', '<=', range.notAfter);
  }
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export interface CampaignFacts {
  byStatus: Array<{ status: string; reason: string | null; n: number }>;
  delivered: number;
  read: number;
  clicked: number;
  /** Recipients who stopped the campaign's topic after it was sent to them (R10a "stopped after"). */
  stoppedAfter: number;
}

/** R10a facts of a campaign: its delivery rows by outcome, what Meta marked delivered / read, clicks. */
export async function campaignFacts(
  db: Executor,
  campaignId: number,
  topicId: number,
): Promise<CampaignFacts> {
  const [byStatus, engagement] = await Promise.all([
    db
      .selectFrom('campaign_deliveries')
      .select(['status', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
      .where('campaign_id', '=', campaignId)
      .groupBy(['status', 'reason'])
      .execute(),
    db
      .selectFrom('campaign_deliveries as d')
      // Meta's delivery and read marks land on the message the dispatcher logged under the same mid.
      .leftJoin('messages as m', (j) =>
        j.onRef('m.customer_id', '=', 'd.customer_id').onRef('m.mid', '=', 'd.message_id'),
      )
      .select((eb) => [
        eb.fn.count<number>('m.delivered_at').as('delivered'),
        eb.fn.count<number>('m.read_at').as('read'),
        eb.fn.count<number>('d.clicked_at').as('clicked'),
        eb.fn
          .countAll<number>()
          .filterWhere(({ exists, selectFrom }) =>
            exists(
              selectFrom('consent_history as h')
                .select('h.id')
                .whereRef('h.customer_id', '=', 'd.customer_id')
                .where('h.topic_id', '=', topicId)
                .where('h.event', '=', 'stopped')
                .whereRef('h.at', '>', 'd.sent_at'),
            ),
          )
          .as('stopped_after'),
      ])
      .where('d.campaign_id', '=', campaignId)
      .where('d.status', '=', 'sent')
      .executeTakeFirstOrThrow(),
  ]);
  return {
    byStatus: byStatus.map((r) => ({ status: r.status, reason: r.reason, n: Number(r.n) })),
    delivered: Number(engagement.delivered),
    read: Number(engagement.read),
    clicked: Number(engagement.clicked),
    stoppedAfter: Number(engagement.stopped_after),
  };
}

/**
 * A topic's notifications since a time as a funnel (R10a's stages): each `used` row of the consent
 * history is one notification sent; its message (same customer, Meta's mid) carries Meta's delivery and
 * read marks; clicks are the campaign recipients of the topic who tapped a button.
 */
export async function topicFunnels(
  db: Executor,
  scope: { pageId: number } | { topicId: number },
  since: Date,
): Promise<Map<number, Funnel>> {
  const mark = (col: 'delivered_at' | 'read_at') =>
    sql<boolean>`exists (select 1 from messages m where m.customer_id = h.customer_id
      and m.mid = h.detail->>'messageId' and m.${sql.ref(col)} is not null)`;
  let sends = db
    .selectFrom('consent_history as h')
    .select((eb) => [
      'h.topic_id',
      eb.fn.countAll<number>().as('sent'),
      eb.fn.countAll<number>().filterWhere(mark('delivered_at')).as('delivered'),
      eb.fn.countAll<number>().filterWhere(mark('read_at')).as('read'),
    ])
    .where('h.event', '=', 'used')
    .where('h.at', '>=', since)
    .groupBy('h.topic_id');
  sends =
    'pageId' in scope
      ? sends.where('h.page_id', '=', scope.pageId)
      : sends.where('h.topic_id', '=', scope.topicId);
  let clicks = db
    .selectFrom('campaign_deliveries as d')
    .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
    .select((eb) => ['c.topic_id', eb.fn.countAll<number>().as('clicked')])
    .where('d.status', '=', 'sent')
    .where('d.sent_at', '>=', since)
    .where('d.clicked_at', 'is not', null)
    .groupBy('c.topic_id');
  clicks =
    'pageId' in scope
      ? clicks.where('c.page_id', '=', scope.pageId)
      : clicks.where('c.topic_id', '=', scope.topicId);
  const [s, c] = await Promise.all([sends.execute(), clicks.execute()]);
  const out = new Map<number, Funnel>();
  const at = (id: number) => {
    const f = out.get(id) ?? { sent: 0, delivered: 0, read: 0, clicked: 0 };
    out.set(id, f);
    return f;
  };
  for (const r of s)
    Object.assign(at(r.topic_id), {
      sent: Number(r.sent),
      delivered: Number(r.delivered),
      read: Number(r.read),
    });
  for (const r of c) at(r.topic_id).clicked = Number(r.clicked);
  return out;
}

/**
 * Customers of a page waiting for a reply: their latest message is theirs (after the page's last
 * answer) and came after `since` (the caller passes the 7-day limit within which a reply can still go).
 */
export async function waitingForReply(db: Executor, pageId: number, since: Date): Promise<number> {
  const row = await db
    .selectFrom('customers as c')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('c.page_id', '=', pageId)
    .where('c.last_interaction_at', '>', since)
    .where(
      sql<boolean>`(select max(i.created_at) from messages i where i.customer_id = c.id and i.direction = 'in')
        > coalesce((select max(o.created_at) from messages o where o.customer_id = c.id and o.direction = 'out'),
          '-infinity'::timestamptz)`,
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
