// Kysely table types of utility templates and order events (migrations/028_utility_templates.sql).
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { OrderEventStatus } from '../domain/order-events.ts';
import type { TemplateButton } from '../domain/utility-templates.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface MessageTemplatesTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  name: string;
  /** vi or en (checked by the migration and the domain). */
  language: string;
  category: Generated<'UTILITY'>;
  header_text: string | null;
  body_text: string;
  buttons: ColumnType<TemplateButton[], string, string>;
  parameter_format: 'NAMED' | 'POSITIONAL';
  parameters: ColumnType<string[], string[], string[]>;
  examples: ColumnType<Record<string, string>, string, string>;
  library_template_name: string | null;
  fb_template_id: string | null;
  status: string;
  status_reason: string | null;
  status_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderEventMappingsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  event_type: string;
  template_id: number;
  params: ColumnType<Record<string, string>, string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderEventsTable {
  id: Generated<number>;
  workspace_id: number;
  page_id: number;
  idempotency_key: string;
  request_hash: string;
  event_type: string;
  order_id: string | null;
  customer_psid: string | null;
  customer_phone: string | null;
  customer_id: number | null;
  fields: ColumnType<Record<string, string>, string, string>;
  status: OrderEventStatus;
  reason: string | null;
  template_id: number | null;
  message_id: string | null;
  text: string | null;
  attempts: Generated<number>;
  claimed_until: Timestamp | null;
  created_at: Timestamp;
  settled_at: Timestamp | null;
}

export type TemplateRow = Selectable<MessageTemplatesTable>;
export type OrderEventMappingRow = Selectable<OrderEventMappingsTable>;
export type OrderEventRow = Selectable<OrderEventsTable>;
