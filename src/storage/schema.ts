// Kysely table types, mirroring migrations/*.sql. Column names stay snake_case as in SQL.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { ConsentEvent } from '../domain/model.ts';
import type { Profile, Role } from '../domain/options.ts';
import type {
  AdAccountsTable,
  MarketingSendsTable,
  MessageCampaignsTable,
  MetaSubscribersTable,
} from './schema-marketing.ts';
import type { MessageTemplatesTable, OrderEventMappingsTable, OrderEventsTable } from './schema-templates.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<
  unknown,
  string | Record<string, unknown> | unknown[],
  string | Record<string, unknown>
>;

export interface WorkspacesTable {
  id: Generated<number>;
  name: string;
  created_at: Timestamp;
  /** Set by the operator (renotify workspaces suspend); null while the workspace runs. */
  suspended_at: Generated<Date | null>;
}

export interface PagesTable {
  id: Generated<number>;
  workspace_id: number;
  fb_page_id: string;
  name: string;
  profile: Profile;
  time_zone: string;
  region: string | null;
  opt_in_feature_enabled: Generated<boolean>;
  restricted_reason: string | null;
  access_token: string | null;
  app_secret: string | null;
  created_at: Timestamp;
  /** Migration 020: connected through Facebook Login, needs the Login flow again, or disconnected. */
  connection_status: Generated<'connected' | 'needs_reconnect' | 'disconnected'>;
  connection_reason: string | null;
  connected_at: Timestamp | null;
  health_checked_at: Timestamp | null;
  /** Migration 039, R12f: Meta answered that OTN is unavailable for this page (and its words). */
  otn_closed_at: Timestamp | null;
  otn_closed_reason: string | null;
}

export interface FacebookLoginStatesTable {
  id: Generated<number>;
  workspace_id: number;
  nonce_hash: string;
  session_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  returned_at: Timestamp | null;
  fb_user_id: string | null;
  /** Encrypted (secrets.ts). */
  user_token: string | null;
  /** Encrypted JSON: the pages `/me/accounts` listed, with their tokens. */
  pages: string | null;
  consumed_at: Timestamp | null;
}

export interface CustomersTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  psid: string;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
  last_interaction_at: Timestamp | null;
  unreachable_reason: string | null;
  optin_backoff_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  labels: ColumnType<string[], string[] | undefined, string[]>;
  attributes: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** A phone number the customer gave, digits with country code (migration 028). */
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface MessagesTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  customer_id: number;
  direction: 'in' | 'out';
  sender_kind: 'customer' | 'bot' | 'agent' | 'campaign' | 'page';
  kind: string;
  mid: string | null;
  text: string | null;
  payload: Json | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
  read_at: Timestamp | null;
}

export interface TopicsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  name: string;
  kind: 'recurring' | 'one_time';
  title: string;
  image_url: string | null;
  cta_text: string | null;
  frequency: string | null;
  validity_months: number | null;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface InvitationsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  topic_id: number;
  customer_id: number;
  sender_kind: 'bot' | 'agent' | 'campaign';
  sender_ref: string | null;
  title: string;
  payload: string;
  status: 'sent' | 'refused';
  message_id: string | null;
  sent_at: Timestamp;
  accepted_at: Timestamp | null;
}

export interface SubscriptionsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  topic_id: number;
  customer_id: number;
  kind: 'recurring' | 'one_time';
  token: string;
  invitation_id: number | null;
  opted_in_at: Timestamp;
  expires_at: Timestamp;
  stopped_at: Timestamp | null;
  used_at: Timestamp | null;
  frequency: string | null;
  last_sent_at: Timestamp | null;
  next_eligible_at: Timestamp | null;
  expiry_recorded_at: Timestamp | null;
  status_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Keyed hash of the (encrypted) token, for lookups and uniqueness. */
  token_hash: string;
  /** R14e: when Meta confirmed this token's stop (null or older than stopped_at: still to tell). */
  meta_stop_told_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** R14e: the last try Meta refused (the sweep takes never-tried stops first). */
  meta_stop_tried_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookEventsTable {
  id: Generated<number>;
  fb_page_id: string;
  psid: string;
  kind: string;
  idempotency_key: string;
  event_at: Timestamp;
  /** The raw event, encrypted (it carries tokens). */
  body: string;
  received_at: Timestamp;
  processed_at: Timestamp | null;
  outcome: string | null;
  /** Failed attempts to apply it (each rolled back); bounded by webhook-processing's MAX_EVENT_ATTEMPTS. */
  attempts: Generated<number>;
}

export interface AssistantTriggersTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  kind: 'get_started' | 'keyword_exact' | 'keyword_contains' | 'postback' | 'quick_reply' | 'default';
  value: string | null;
  blocks: Json;
  position: Generated<number>;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConsentHistoryTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  topic_id: number;
  customer_id: number;
  subscription_id: number | null;
  event: ConsentEvent;
  at: Timestamp;
  invitation_id: number | null;
  sender_kind: string | null;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface SettingsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number | null;
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export type { Role };

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  created_at: Timestamp;
  password_changed_at: Timestamp;
}

export interface MembershipsTable {
  user_id: number;
  workspace_id: number;
  role: Role;
  created_at: Timestamp;
}

export interface SessionsTable {
  id_hash: string;
  user_id: number;
  workspace_id: number;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiKeysTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  prefix: string;
  key_hash: string;
  role: Role;
  created_by: number | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface UserInvitesTable {
  id: Generated<number>;
  workspace_id: number;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: number | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  workspace_id: number;
  user_id: number | null;
  api_key_id: number | null;
  actor: string;
  action: string;
  /** Readable key (topic.delete); null on rows from before migration 011. */
  action_key: ColumnType<string | null, string | null | undefined, never>;
  target: string | null;
  /** The target's name when the action happened. */
  target_name: ColumnType<string | null, string | null | undefined, never>;
  status: number;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
  at: Timestamp;
}

export interface SignInThrottleTable {
  key: string;
  attempts: number;
  window_start: Timestamp;
  last_success: Timestamp | null;
}

export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type DeliveryStatus = 'pending' | 'sending' | 'retry' | 'deferred' | 'sent' | 'failed' | 'skipped';

export interface CampaignsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  topic_id: number;
  name: string;
  status: CampaignStatus;
  pause_reason: string | null;
  audience: Json;
  content: Json;
  allow_defer: boolean;
  link_secret: string;
  scheduled_at: Timestamp | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  audience_cursor: Generated<number>;
  materialized: Generated<boolean>;
  targeted: Generated<number>;
  sent_count: Generated<number>;
  failed_count: Generated<number>;
  skipped_count: Generated<number>;
  checkpoint_at: Timestamp | null;
  /** R14d: the most a paid campaign may spend, smallest currency unit; null = no cap of ours. */
  budget_minor: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CampaignDeliveriesTable {
  id: Generated<number>;
  campaign_id: number;
  customer_id: number;
  subscription_id: number | null;
  status: DeliveryStatus;
  reason: string | null;
  message_id: string | null;
  claim_id: string | null;
  attempts: Generated<number>;
  lease_until: Timestamp | null;
  token_period_end: Timestamp | null;
  deferred_until: Timestamp | null;
  sent_at: Timestamp | null;
  clicked_at: Timestamp | null;
}

export interface Database {
  workspaces: WorkspacesTable;
  pages: PagesTable;
  facebook_login_states: FacebookLoginStatesTable;
  customers: CustomersTable;
  messages: MessagesTable;
  topics: TopicsTable;
  invitations: InvitationsTable;
  subscriptions: SubscriptionsTable;
  consent_history: ConsentHistoryTable;
  settings: SettingsTable;
  webhook_events: WebhookEventsTable;
  assistant_triggers: AssistantTriggersTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  user_invites: UserInvitesTable;
  audit_log: AuditLogTable;
  sign_in_throttle: SignInThrottleTable;
  campaigns: CampaignsTable;
  campaign_deliveries: CampaignDeliveriesTable;
  message_templates: MessageTemplatesTable;
  order_event_mappings: OrderEventMappingsTable;
  order_events: OrderEventsTable;
  ad_accounts: AdAccountsTable;
  message_campaigns: MessageCampaignsTable;
  marketing_sends: MarketingSendsTable;
  meta_subscribers: MetaSubscribersTable;
}

export type PageRow = Selectable<PagesTable>;
export type CustomerRow = Selectable<CustomersTable>;
export type TopicRow = Selectable<TopicsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type ConsentRow = Selectable<ConsentHistoryTable>;
export type WebhookEventRow = Selectable<WebhookEventsTable>;
export type AssistantTriggerRow = Selectable<AssistantTriggersTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type DeliveryRow = Selectable<CampaignDeliveriesTable>;

export type { OrderEventMappingRow, OrderEventRow, TemplateRow } from './schema-templates.ts';
