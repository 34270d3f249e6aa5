// The console's view of the API's shapes: the wire types every screen names. The option lists and roles
// are the domain's own (src/domain/options.ts imports nothing, so bundling it is cheap); the request
// bodies are Static<> of the TypeBox schemas the server validates with (types only: nothing of the
// server is bundled). Adding a profile or a role touches the domain and the labels. api.ts re-exports.
import type { Block } from '../../src/domain/assistant.ts';
import type { CtaText, Frequency, Profile, Role, TriggerKind } from '../../src/domain/options.ts';
import type { WindowState } from '../../src/domain/send-resolver.ts';
import type {
  CampaignAudience,
  CampaignContent,
  CampaignCreateBody,
} from '../../src/http/schemas/campaigns.ts';
import type { ConversationItem } from '../../src/http/schemas/conversations.ts';
import type { DryRunResult, RoutePreview as RoutePreviewSchema } from '../../src/http/schemas/send-routes.ts';
import type * as Stats from '../../src/http/schemas/stats.ts';
import type { TopicInput, TopicKind } from '../../src/http/schemas/topics.ts';

export type Lang = 'vi' | 'en';
export interface Bilingual {
  vi: string;
  en: string;
}

/** owner ⊇ admin ⊇ agent (the API's rule; the console only hides what the API would refuse). */
export {
  CTA_TEXTS,
  type CtaText,
  FREQUENCIES,
  type Frequency,
  PROFILES,
  type Profile,
  ROLES,
  type Role,
  roleAtLeast,
  TRIGGER_KINDS,
  type TriggerKind,
} from '../../src/domain/options.ts';
export type { CampaignContent, TopicInput, TopicKind };
export type Audience = CampaignAudience;
/** What the campaign wizard sends: the create body (a draft is edited with any part of it). */
export type CampaignInput = CampaignCreateBody;

export interface SignedInUser {
  userId: number;
  email: string;
  name: string;
  workspaceId: number;
  role: Role;
}
/** GET /api/auth/me: `actor` is "user:<email>" for a session. */
export interface Me {
  actor: string;
  kind: 'session' | 'api_key';
  workspaceId: number;
  role: Role;
  userId: number | null;
  csrfToken: string | null;
}
export interface Member {
  id: number;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}
export interface Invitation {
  id: number;
  email: string;
  role: Role;
  expires_at: string;
  token: string;
  link: string;
}
export interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}
export type NewApiKey = Omit<ApiKeyRow, 'last_used_at' | 'revoked_at'> & { key: string };
export interface AuditRow {
  id?: number;
  at: string;
  actor: string;
  /** METHOD /route that was called. */
  action: string;
  /** Readable action (topic.delete); null on entries written before it existed. */
  action_key?: string | null;
  target: string | null;
  /** The target's name when the action happened. */
  target_name?: string | null;
  status: number;
}

export interface Page {
  id: number;
  fbPageId: string;
  name: string;
  profile: Profile;
  timeZone: string;
  region: string | null;
  optInFeatureEnabled: boolean;
  restrictedReason: string | null;
  connected: boolean;
  connection: 'connected' | 'needs_reconnect' | 'disconnected';
  connectionReason: string | null;
}

/** A page Facebook listed after the Login dialog (GET /api/facebook/offers/:id). */
export interface OfferedPage {
  fbPageId: string;
  name: string;
  tasks: string[];
  here: Page['connection'] | null;
  taken: boolean;
}

export interface Topic {
  id: number;
  pageId: number;
  name: string;
  kind: TopicKind;
  title: string;
  imageUrl: string | null;
  ctaText: CtaText | null;
  frequency: Frequency | null;
  validityMonths: number | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  validSubscribers?: number;
}

// Blocks are the domain's own type (type-only import: nothing of the server is bundled).
export type { Block } from '../../src/domain/assistant.ts';

export interface Trigger {
  id: number;
  pageId: number;
  kind: TriggerKind;
  value: string | null;
  blocks: Block[];
  position: number;
  active: boolean;
}
export type TriggerInput = Pick<Trigger, 'kind' | 'value' | 'blocks'> & { active?: boolean };

export type { WindowState };

/** A response schema's type as it travels: Dates arrive as ISO strings. */
type Wire<T> = T extends Date ? string : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export interface TopicListItem {
  topicId: number;
  name: string;
  title: string;
  kind: TopicKind;
  list: 'sent' | 'not_sent';
  state: 'never_invited' | 'invited' | 'subscribed' | 'stopped' | 'expired' | 'used';
  lastSentAt: string | null;
  optedInAt: string | null;
  expiresAt: string | null;
  resendAfter: string | null;
  resendableNow: boolean;
}

export type Composer =
  | { mode: 'normal'; windowClosesAt: string }
  | { mode: 'human_agent'; windowClosesAt: string }
  | { mode: 'notification'; topics: Array<{ topicId: number; name: string; kind: TopicKind }> }
  | { mode: 'policy_notice'; reason: string; text: Bilingual; nextAt: string | null };

export interface CustomerDetail {
  customer: {
    id: number;
    psid: string;
    name: string | null;
    lastInteractionAt: string | null;
    labels: string[];
    unreachableReason: string | null;
  };
  window: WindowState;
  topics: { sent: TopicListItem[]; notSent: TopicListItem[] };
  composer: Composer;
}

export interface Message {
  id: number;
  direction: 'in' | 'out';
  sender: string;
  kind: string;
  text: string | null;
  mid: string | null;
  payload: unknown;
  at: string;
  deliveredAt: string | null;
  readAt: string | null;
}

/** A row of the inbox (GET /api/pages/:id/conversations). */
export type ConversationRow = Wire<ConversationItem>;

// The statistics (R10) and the home screen: the routes' response schemas, as they travel.
/** GET /api/topics/:id/stats. Rates are fractions 0–1 (null: nothing to rate). */
export type TopicStats = Wire<Stats.TopicStats>;
/** A topic's notifications in a period (R10a stages). */
export type TopicInteraction = Wire<Stats.TopicInteraction>;
/** GET /api/pages/:id/stats?days=: every topic with the same totals as its own statistics. */
export type PageStats = Wire<Stats.PageStats>;
/** GET /api/campaigns/:id/stats (R10a). */
export type CampaignStats = Wire<Stats.CampaignStats>;
export type Attention = Wire<Stats.Attention>;
/** GET /api/pages/:id/overview: the home screen. */
export type Overview = Wire<Stats.Overview>;

export interface SendOk {
  messageId: string | null;
  /** R12h: the route the message took. */
  route: RouteName;
  messagingType: string;
  tag: string | null;
}

/** R12h: the route a message would take, or the refusal with its reason and next time (dates as strings). */
export type RoutePreview = Wire<RoutePreviewSchema>;
export type RouteName = Extract<RoutePreview, { ok: true }>['route'];

export interface AdAccount {
  adAccountId: string;
  name: string | null;
  currency: string;
  defaultBudgetMinor: number | null;
  minConversationGapSeconds: number;
  checkedAt: string;
}
export type RouteEstimate =
  | { route: 'recurring_token' }
  | { route: 'marketing_message'; closed: { reason: string; text: Bilingual } }
  | {
      route: 'marketing_message';
      currency: string;
      budgetMinor: number | null;
      estimate: {
        deliveryLower: number;
        deliveryUpper: number;
        costLowerMinor: number;
        costUpperMinor: number;
      };
      unitCostUpperMinor: number;
    }
  | { route: 'marketing_message'; estimateError: string };
export interface PaidStats {
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
  costMinor: number;
  perDeliveredMinor: number | null;
  perReadMinor: number | null;
  perClickMinor: number | null;
}

export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type DeliveryStatus = 'pending' | 'sending' | 'retry' | 'deferred' | 'sent' | 'failed' | 'skipped';
export interface Campaign {
  id: number;
  pageId: number;
  topicId: number;
  name: string;
  status: CampaignStatus;
  pauseReason: string | null;
  content: CampaignContent;
  audience: Audience;
  allowDefer: boolean;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  targeted: number | null;
  sent: number;
  failed: number;
  skipped: number;
  createdAt: string;
  progress?: {
    targeted: number | null;
    counts: Record<DeliveryStatus, number>;
    reasons: Record<string, number>;
    delivered: number;
    read: number;
    clicked: number;
  };
}
// The schema keys `routes` by any string (TypeBox loses the literal keys of a mapped union); the console
// reads it by route name.
export type DryRun = Omit<Wire<DryRunResult>, 'routes'> & { routes: Partial<Record<RouteName, number>> };
