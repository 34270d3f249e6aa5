// The simulator's own nouns. These mirror what Meta keeps about a page, a person and their tokens,
// not the product's model: the sandbox must be able to disagree with the product (that is its job).
import type { Frequency, Profile } from '../domain/platform.ts';

export interface PageOptions {
  id: string;
  name: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  /** Sent as `app_id` in echoes; Meta's is the id of the app that sent the message. */
  appId?: string;
  profile: Profile;
  region: string;
  timeZone: string;
  optInFeatureEnabled: boolean;
}

export interface SimPage extends Required<PageOptions> {
  restricted: boolean;
  restrictedReason: string | null;
  /** "Something's wrong" reports received (R8d); at `reportThreshold` the page gets restricted. */
  reports: number;
  reportThreshold: number;
  webhookUrl: string | null;
  /** `null` = never set through `subscribed_apps`: the sandbox then delivers every field. */
  subscribedFields: string[] | null;
  echoes: boolean;
  deliveries: boolean;
  rateLimitPerSecond: number;
  /** When true, a present-or-absent `appsecret_proof` is required on every call ("Require App Secret"). */
  requireAppSecretProof: boolean;
}

export interface CustomerInput {
  psid?: string;
  name?: string;
  lastInteractionAt?: string | Date | null;
  locale?: string;
  gender?: string;
  /** Hours from UTC, as Meta's `timezone` profile field. */
  timezone?: number;
}

export interface SimCustomer {
  psid: string;
  pageId: string;
  name: string;
  firstName: string;
  lastName: string;
  locale: string;
  gender: string;
  timezone: number;
  profilePic: string;
  lastInteractionAt: Date | null;
  blocked: boolean;
  mutedUntil: Date | null;
  reports: number;
  createdAt: Date;
}

export type RecipientKind = 'id' | 'one_time_notif_token' | 'notification_messages_token';

/** What a phone would need to draw an opt-in card. */
export type OptInCard =
  | { kind: 'one_time_notif_req'; title: string; payload: string; buttonText: 'Notify Me'; taps: number }
  | {
      kind: 'notification_messages';
      title: string;
      payload: string;
      imageUrl: string | null;
      imageAspectRatio: string | null;
      ctaText: string;
      buttonText: string;
      /** Legacy profile only: what the person is agreeing to. */
      frequency: Frequency | null;
      timezone: string;
      /** Legacy `notification_messages_reoptin` (ENABLED / DISABLED), echoed in the token list. */
      reoptin: string | null;
      taps: number;
    };

export interface ThreadItem {
  mid: string;
  from: 'customer' | 'page';
  at: string;
  kind: 'text' | 'postback' | 'quick_reply' | 'message' | 'optin' | 'stop' | 'resume' | 'report' | 'read';
  text?: string;
  payload?: string;
  /** Page messages: the Send API `message` object as received. */
  message?: Record<string, unknown>;
  messagingType?: string | null;
  tag?: string | null;
  via?: RecipientKind;
  optInCard?: OptInCard;
  /** The person had muted the conversation when this arrived (R8d): no alert, still delivered. */
  muted?: boolean;
  read?: boolean;
  token?: string;
  /** A utility template send, rendered as the phone shows it. */
  utility?: RenderedTemplate;
  /** A paid marketing message (act_{id}/messages): the phone adds "Stop these messages". */
  marketing?: { trackingId: string; campaignId: string; token: string };
}

export interface RenderedTemplate {
  templateId: string;
  name: string;
  language: string;
  header: string | null;
  body: string;
  buttons: Array<{ type: 'URL' | 'POSTBACK'; text: string; url?: string; payload?: string }>;
}

export interface OtnToken {
  token: string;
  pageId: string;
  psid: string;
  title: string;
  payload: string;
  requestMid: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface RecurringToken {
  token: string;
  seq: number;
  pageId: string;
  psid: string;
  title: string;
  payload: string;
  requestMid: string;
  frequency: Frequency;
  /** Whether the token was created under a profile that sends frequency/expiry (legacy-2022). */
  legacy: boolean;
  timezone: string;
  reoptin: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  stoppedAt: Date | null;
  lastSentAt: Date | null;
  nextEligibleAt: Date | null;
  userTokenStatus: 'REFRESHED' | 'NOT_REFRESHED';
}

export interface OptInRequestRecord {
  pageId: string;
  psid: string;
  templateType: 'one_time_notif_req' | 'notification_messages';
  title: string;
  at: Date;
  mid: string;
}

export interface ReceivedSend {
  pageId: string;
  recipient: { kind: RecipientKind; value: string };
  psid: string;
  message: Record<string, unknown>;
  messaging_type: string | null;
  tag: string | null;
  notification_type: string | null;
  message_id: string;
  at: string;
}

/** A Page `changes[]` item (`{field, value}`): template status and the marketing-message fields. */
export interface ChangeEvent {
  change: { field: string; value: Record<string, unknown> };
}

export type WebhookEvent = MessagingEvent | ChangeEvent;

export const isChange = (e: WebhookEvent): e is ChangeEvent => 'change' in e && !('sender' in e);

/** A webhook `messaging[]` event, exactly as Meta sends it. */
export interface MessagingEvent {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
  [field: string]: unknown;
}
