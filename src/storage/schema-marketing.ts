// Kysely table types of the paid marketing messages (migrations/031_marketing_messages.sql).
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface AdAccountsTable {
  workspace_id: number;
  ad_account_id: string;
  /** Encrypted system-user token. */
  access_token: string;
  name: string | null;
  currency: string;
  default_budget_minor: number | null;
  min_conversation_gap_seconds: number;
  checked_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MessageCampaignsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  campaign_id: number | null;
  meta_campaign_id: string;
  budget_minor: number | null;
  unit_cost_minor: Generated<number>;
  created_at: Timestamp;
  dropped_at: NullableTimestamp;
}

export interface MarketingSendsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  customer_id: number;
  topic_id: number | null;
  campaign_id: number | null;
  subscription_id: number | null;
  message_campaign_id: number;
  token_hash: string;
  tracking_id: string | null;
  sent_at: Timestamp;
  cost_minor: Generated<number>;
  delivered_at: NullableTimestamp;
  read_at: NullableTimestamp;
  clicked_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  failure: string | null;
}

export interface MetaSubscribersTable {
  page_id: number;
  token_hash: string;
  token: string;
  psid: string;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  /** Migration 039: Meta's list says this token unsubscribed (STOP status, gone from the list, 2300004). */
  unsubscribed_at: Timestamp | null;
}

export type AdAccountRow = Selectable<AdAccountsTable>;
export type MessageCampaignRow = Selectable<MessageCampaignsTable>;
export type MarketingSendRow = Selectable<MarketingSendsTable>;
