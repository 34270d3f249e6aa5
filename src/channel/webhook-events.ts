// The typed webhook events `parseWebhook` produces (messenger-platform-notes §4, §7). Plain data:
// the app layer switches on `type`; `raw` keeps the received JSON for the raw-event store.
import type { Frequency } from '../domain/platform.ts';

export interface EventBase {
  pageId: string;
  /** The customer's PSID: the sender, except on echoes where the page is the sender. */
  psid: string;
  timestamp: Date;
  idempotencyKey: string;
  /** The `messaging[]` element as received, for the raw-event store. */
  raw: Record<string, unknown>;
}

export interface MessageAttachment {
  type: string;
  url: string | null;
  payload: Record<string, unknown> | null;
}

export interface MessageEvent extends EventBase {
  type: 'message';
  mid: string;
  text: string | null;
  quickReplyPayload: string | null;
  attachments: MessageAttachment[];
  replyToMid: string | null;
  /** The page's own outgoing message, echoed; `psid` is then the recipient. */
  isEcho: boolean;
  appId: string | null;
  metadata: string | null;
}

export interface PostbackEvent extends EventBase {
  type: 'postback';
  mid: string | null;
  title: string | null;
  payload: string | null;
}

export interface OtnOptinEvent extends EventBase {
  type: 'optin_otn';
  /** `one_time_notif_token` */
  token: string;
  payload: string | null;
}

export interface RecurringOptinEvent extends EventBase {
  type: 'optin_recurring';
  /** `notification_messages_token` */
  token: string;
  payload: string | null;
  title: string | null;
  /** `token_expiry_timestamp`, ms or seconds by magnitude; null when Meta sends none (2023+). */
  tokenExpiresAt: Date | null;
  /** Only on legacy tokens. */
  frequency: Frequency | null;
  timezone: string | null;
  userTokenStatus: 'REFRESHED' | 'NOT_REFRESHED' | null;
  /** From `notification_messages_status`; null on a plain opt-in. */
  status: 'STOP' | 'RESUME' | null;
}

export interface DeliveryEvent extends EventBase {
  type: 'delivery';
  /** May be empty: Meta omits `mids` at times; everything before `watermark` was delivered. */
  mids: string[];
  watermark: Date;
}

export interface ReadEvent extends EventBase {
  type: 'read';
  watermark: Date;
}

export interface ReactionEvent extends EventBase {
  type: 'reaction';
  mid: string;
  action: 'react' | 'unreact';
  reaction: string | null;
  emoji: string | null;
}

export type MessengerEvent =
  | MessageEvent
  | PostbackEvent
  | OtnOptinEvent
  | RecurringOptinEvent
  | DeliveryEvent
  | ReadEvent
  | ReactionEvent;

export interface ParsedWebhook {
  events: MessengerEvent[];
  /** One line per skipped entry or event (unknown kind, missing fields); never thrown. */
  errors: string[];
}
