// The statistics the API answers (R10): per topic, per page, and the home screen's overview. Split from
// api.ts to keep it readable; api.ts re-exports these types.
import type { CampaignStatus, TopicKind } from './api.ts';

/** Per-topic statistics (R10b), GET /api/topics/:id/stats. Rates are fractions 0–1 (null: nothing to rate). */
export interface TopicStats {
  topic: { id: number; name: string; kind: TopicKind; active: boolean };
  timeZone: string;
  days: number;
  totals: {
    invitationsSent: number;
    invitationsRefused: number;
    invitationsAccepted: number;
    acceptanceRate: number | null;
    validSubscribers: number;
    suspendedSubscribers: number;
    acceptances: number;
    stops: number;
    resumes: number;
    sends: number;
    expiries: number;
  };
  interaction: TopicInteraction;
  series: Array<{
    date: string;
    validSubscribers: number;
    invitationsSent: number;
    acceptances: number;
    stops: number;
    sends: number;
  }>;
}

/** A topic's notifications in a period (R10a stages); rates are fractions 0–1 or null. */
export interface TopicInteraction {
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  rates: { delivered: number | null; read: number | null; clicked: number | null; overall: number | null };
}

/** GET /api/pages/:id/stats?days=: every topic with the same totals as its own statistics. */
export interface PageStats {
  days: number;
  subscribers: number;
  topics: Array<
    TopicStats['totals'] & {
      id: number;
      name: string;
      kind: TopicKind;
      active: boolean;
      interaction: TopicInteraction;
    }
  >;
}

export type Attention =
  | { code: 'page_restricted'; detail: string }
  | { code: 'page_not_connected' }
  | { code: 'optin_feature_disabled' }
  | { code: 'campaign_paused'; campaignId: number; name: string; reason: string | null }
  | { code: 'topic_suspended'; topicId: number; name: string; subscribers: number };

/** GET /api/pages/:id/overview: the home screen. */
export interface Overview {
  at: string;
  waitingForReply: number;
  subscribers: number;
  topics: Array<{
    id: number;
    name: string;
    kind: TopicKind;
    active: boolean;
    validSubscribers: number;
    suspendedSubscribers: number;
  }>;
  campaigns: Array<{
    id: number;
    name: string;
    status: CampaignStatus;
    targeted: number | null;
    createdAt: string;
    startedAt: string | null;
    sent: number;
    delivered: number;
    read: number;
    clicked: number;
    rates: TopicInteraction['rates'];
  }>;
  attention: Attention[];
}
