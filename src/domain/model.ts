// The nouns of the rule book (rules.md "Words"), as plain data. Storage maps rows to these; the rules
// in this folder take them and `now` and return decisions. Nothing here does I/O.
import type { CtaText, Frequency, Profile } from './platform.ts';

export type TopicKind = 'recurring' | 'one_time';
export type SenderKind = 'bot' | 'agent' | 'campaign';

/** What the consent history (R3c) records about a subscription. */
export type ConsentEvent =
  | 'accepted'
  | 'accepted_again'
  | 'accepted_stale'
  | 'stopped'
  | 'resumed'
  | 'used'
  | 'expired'
  /** R14e: the stop was told to Meta (messaging_customer_base/unsubscribe); detail says how it went. */
  | 'meta_unsubscribed';

/** Injected time: nothing in the product reads the system clock directly. */
export interface Clock {
  now(): Date;
}

export interface PageState {
  id: number;
  profile: Profile;
  timeZone: string;
  /** ISO country / region code (AU, EU member, JP, KR, UK, VN, US …); matters under the 2026 profile. */
  region: string | null;
  /** Page settings → Advanced messaging → Requested features (R2b). */
  optInFeatureEnabled: boolean;
  /** Set when Meta reported the page restricted / the feature blocked / the token invalid (R11b). */
  restrictedReason: string | null;
  /** Issue 12: a page that needs the Login flow again, or was disconnected, says so (absent = connected). */
  connection?: 'connected' | 'needs_reconnect' | 'disconnected';
}

export interface CustomerState {
  id: number;
  psid: string;
  lastInteractionAt: Date | null;
  /** Set when Meta said the person cannot be reached (block, unavailable). */
  unreachableReason?: string | null;
  /** Meta answered "too many opt-in requests" (9/2018352): no invitation to this person before then. */
  optInBackoffUntil?: Date | null;
}

export interface TopicState {
  id: number;
  name: string;
  kind: TopicKind;
  title: string;
  active: boolean;
  /** Recurring only. Chosen by the admin; the token's own frequency may differ (profile). */
  frequency: Frequency | null;
  ctaText: CtaText | null;
  imageUrl: string | null;
  /** Overrides the default validity (R8a) when Meta sends no expiry. */
  validityMonths: number | null;
}

export interface InvitationState {
  id: number;
  topicId: number;
  title: string;
  sentAt: Date;
  /** First acceptance of this invitation (R3a). */
  acceptedAt: Date | null;
  /** `refused` = Meta answered duplicate opt-in (613/1893016); it still counts for the 7-day rule. */
  status: 'sent' | 'refused';
}

/**
 * One token of a customer on a topic. A recurring subscription has one row per (customer, topic),
 * replaced on each newer acceptance (R3b); OTN acceptances stack, one row per token (R7d).
 */
export interface SubscriptionState {
  id: number;
  topicId: number;
  kind: TopicKind;
  token: string;
  invitationId: number | null;
  optedInAt: Date;
  expiresAt: Date;
  stoppedAt: Date | null;
  /** OTN: when the single message was sent (R7a). */
  usedAt: Date | null;
  /** Recurring: the token's frequency (DAILY for tokens since 2023) and when it may next be used. */
  frequency: Frequency | null;
  lastSentAt: Date | null;
  nextEligibleAt: Date | null;
}

export interface Bilingual {
  vi: string;
  en: string;
}

export type Recipient =
  | { id: string }
  | { one_time_notif_token: string }
  | { notification_messages_token: string };

/** How an allowed message goes out: the send resolver's answer (R1d), required by the Graph client. */
export interface SendPlan {
  /** `UTILITY`: a utility template send (R12c), as Meta's examples write it [M26 §2.6]. */
  messagingType: 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG' | 'UTILITY' | null;
  tag: 'HUMAN_AGENT' | null;
  recipient: Recipient;
  /** The subscription (token) this send uses, when it is a notification. */
  subscriptionId: number | null;
}
