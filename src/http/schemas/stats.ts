// The statistics the API answers (R10): per topic, per page, per campaign, and the home screen's overview.
// They are the routes' response schemas, so Fastify serializes by them (a field missing here is not sent),
// and the console's types are Wire<Static<…>> of them (web/src/api.ts): one declaration of each shape.
// Imports only TypeBox and the domain (web/ may import its types; see test/architecture).
// (Not even a sibling schema: hence the small local helpers below.)
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { CampaignStatus } from '../../domain/campaigns.ts';
import { WINDOW_STATES } from '../../domain/inbox.ts';
import type { TopicKind } from '../../domain/model.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
// Dates leave as ISO strings; the serializer formats the Date objects the use-cases return.
const DateTime = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });
const TOPIC_KINDS = ['recurring', 'one_time'] as const satisfies readonly TopicKind[];
const Kind = Type.Union(TOPIC_KINDS.map((k) => Type.Literal(k)));

const CAMPAIGN_STATUSES = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const satisfies readonly CampaignStatus[];
const CampaignStatusSchema = Type.Union(CAMPAIGN_STATUSES.map((s) => Type.Literal(s)));

/** A fraction 0–1, or null when there is nothing to rate (domain/stats rate()). */
const Rate = Nullable(Type.Number());
const Count = Type.Integer();
const Id = Type.Integer();

export const InteractionRates = Type.Object({
  delivered: Rate,
  read: Rate,
  clicked: Rate,
  overall: Rate,
});

/** A topic's notifications in a period (R10a stages): domain/stats topicInteraction(). */
export const TopicInteraction = Type.Object({
  sent: Count,
  delivered: Count,
  read: Count,
  clicked: Count,
  rates: InteractionRates,
});

/** app/stats TopicTotals. */
const totalsFields = {
  invitationsSent: Count,
  invitationsRefused: Count,
  invitationsAccepted: Count,
  acceptanceRate: Rate,
  validSubscribers: Count,
  suspendedSubscribers: Count,
  acceptances: Count,
  stops: Count,
  resumes: Count,
  sends: Count,
  expiries: Count,
};
const TopicTotals = Type.Object(totalsFields);

const PageRef = Type.Object({ id: Id, name: Type.String(), timeZone: Type.String() });

/** GET /api/topics/:id/stats?days= (R10b). */
export const TopicStats = Type.Object({
  topic: Type.Object({
    id: Id,
    pageId: Id,
    name: Type.String(),
    kind: Kind,
    active: Type.Boolean(),
  }),
  timeZone: Type.String(),
  days: Count,
  totals: TopicTotals,
  interaction: TopicInteraction,
  series: Type.Array(
    Type.Object({
      date: Type.String({ description: 'The day in the page time zone, YYYY-MM-DD' }),
      validSubscribers: Count,
      invitationsSent: Count,
      acceptances: Count,
      stops: Count,
      resumes: Count,
      sends: Count,
      expiries: Count,
    }),
  ),
});

/** GET /api/pages/:id/stats?days=: every topic with the same totals as its own statistics. */
export const PageStats = Type.Object({
  page: PageRef,
  days: Count,
  customers: Type.Object({
    total: Count,
    byWindow: Type.Object(
      Object.fromEntries(WINDOW_STATES.map((w) => [w, Count])) as Record<
        (typeof WINDOW_STATES)[number],
        typeof Count
      >,
    ),
  }),
  subscribers: Type.Integer({
    description: 'Distinct customers holding a valid subscription of an active topic',
  }),
  totals: Type.Object({
    invitationsSent: Count,
    invitationsAccepted: Count,
    acceptanceRate: Rate,
    stops: Count,
    sends: Count,
  }),
  topics: Type.Array(
    Type.Object({
      id: Id,
      name: Type.String(),
      kind: Kind,
      active: Type.Boolean(),
      ...totalsFields,
      interaction: TopicInteraction,
    }),
  ),
});

const PageTotals = Type.Object({
  invitationsSent: Count,
  invitationsAccepted: Count,
  acceptanceRate: Rate,
  stops: Count,
  sends: Count,
});

/** GET /api/stats: the whole workspace, and each of its pages (issue 12.4). */
export const WorkspaceStats = Type.Object({
  days: Count,
  customers: Count,
  subscribers: Type.Integer({
    description: "Sum of the pages' distinct subscribers (a customer is page-scoped)",
  }),
  totals: PageTotals,
  pages: Type.Array(Type.Object({ page: PageRef, customers: Count, subscribers: Count, totals: PageTotals })),
});

const ByReason = Type.Object({ total: Count, byReason: Type.Record(Type.String(), Count) });

/** GET /api/campaigns/:id/stats (R10a); while a campaign runs the numbers are its progress so far. */
export const CampaignStats = Type.Object({
  campaign: Type.Object({
    id: Id,
    pageId: Id,
    topicId: Id,
    name: Type.String(),
    status: CampaignStatusSchema,
    startedAt: Nullable(DateTime),
    finishedAt: Nullable(DateTime),
  }),
  targeted: Nullable(Count),
  sent: Count,
  delivered: Count,
  read: Count,
  clicked: Count,
  failed: ByReason,
  skipped: ByReason,
  inFlight: Count,
  stoppedAfter: Count,
  rates: Type.Object({ ...InteractionRates.properties, stoppedAfter: Rate }),
});

export const Attention = Type.Union([
  Type.Object({ code: Type.Literal('page_restricted'), detail: Type.String() }),
  Type.Object({ code: Type.Literal('page_not_connected') }),
  Type.Object({ code: Type.Literal('optin_feature_disabled') }),
  Type.Object({ code: Type.Literal('otn_closed'), detail: Nullable(Type.String()), since: DateTime }),
  Type.Object({
    code: Type.Literal('campaign_paused'),
    campaignId: Id,
    name: Type.String(),
    reason: Nullable(Type.String()),
  }),
  Type.Object({
    code: Type.Literal('topic_suspended'),
    topicId: Id,
    name: Type.String(),
    subscribers: Count,
  }),
  Type.Object({
    code: Type.Literal('template_rejected'),
    templateId: Id,
    name: Type.String(),
    reason: Nullable(Type.String()),
  }),
]);

/** GET /api/pages/:id/overview: the home screen. */
export const Overview = Type.Object({
  page: PageRef,
  at: DateTime,
  waitingForReply: Count,
  subscribers: Count,
  topics: Type.Array(
    Type.Object({
      id: Id,
      name: Type.String(),
      kind: Kind,
      active: Type.Boolean(),
      validSubscribers: Count,
      suspendedSubscribers: Count,
    }),
  ),
  campaigns: Type.Array(
    Type.Object({
      id: Id,
      name: Type.String(),
      status: CampaignStatusSchema,
      pauseReason: Nullable(Type.String()),
      targeted: Nullable(Count),
      createdAt: DateTime,
      startedAt: Nullable(DateTime),
      sent: Count,
      delivered: Count,
      read: Count,
      clicked: Count,
      rates: InteractionRates,
    }),
  ),
  attention: Type.Array(Attention),
});

export type TopicInteraction = Static<typeof TopicInteraction>;
export type TopicStats = Static<typeof TopicStats>;
export type PageStats = Static<typeof PageStats>;
export type CampaignStats = Static<typeof CampaignStats>;
export type Attention = Static<typeof Attention>;
export type Overview = Static<typeof Overview>;
