// R1d: the one resolver that decides every send — bot, agent or campaign — and R6, the composer state
// of a conversation. Either a SendPlan (messaging_type, tag, recipient/token) or a Refusal with a reason.
import type {
  CustomerState,
  InvitationState,
  PageState,
  SenderKind,
  SendPlan,
  SubscriptionState,
  TopicState,
} from './model.ts';
import { REASON_TEXT, type ReasonCode, type Refusal, refuse } from './reasons.ts';
import { pickSubscription, type SubscriptionStatus, subscriptionStatus } from './subscriptions.ts';
import { sameTitleUntil, topicListItem } from './topic-lists.ts';

export const HOUR_MS = 3_600_000;
export const WINDOW_24H_MS = 24 * HOUR_MS;
export const WINDOW_7D_MS = 7 * 24 * HOUR_MS;

export type WindowState = 'open' | 'human_agent' | 'closed' | 'none';

/** R1: < 24 h open; 24 h ≤ age < 7 d human agent only; ≥ 7 d closed; never interacted: none. */
export function windowState(lastInteractionAt: Date | null, now: Date): WindowState {
  if (!lastInteractionAt) return 'none';
  const age = now.getTime() - lastInteractionAt.getTime();
  if (age < WINDOW_24H_MS) return 'open';
  if (age < WINDOW_7D_MS) return 'human_agent';
  return 'closed';
}

export type MessageIntent =
  | { kind: 'ordinary' }
  | { kind: 'invitation'; topic: TopicState }
  | { kind: 'notification'; topic: TopicState };

/** What the message contains, as far as the rules care (R6c: conversation notifications are text only). */
export type ContentKind = 'text' | 'image' | 'buttons' | 'template' | 'attachment';

export interface ResolveInput {
  page: PageState;
  customer: CustomerState;
  sender: SenderKind;
  intent: MessageIntent;
  now: Date;
  content?: ContentKind;
  /** For invitations: this customer's invitations (all topics — R2c counts same titles across topics). */
  invitations?: readonly InvitationState[];
  /** This customer's tokens on the intent's topic. */
  subscriptions?: readonly SubscriptionState[];
}

export type Resolution = { ok: true; plan: SendPlan } | Refusal;

const STATUS_REASON: Record<Exclude<SubscriptionStatus, 'valid'>, ReasonCode> = {
  suspended: 'topic_inactive',
  used: 'token_used',
  expired: 'subscription_expired',
  stopped: 'subscription_stopped',
  region_not_allowed: 'region_not_allowed',
  cooldown: 'cooldown',
};

/** Why nothing goes out on the page (R11b, issue 12): disconnected, reconnect needed, or restricted. */
export function pageStopReason(page: PageState): ReasonCode | null {
  if (page.connection === 'disconnected') return 'page_disconnected';
  if (page.connection === 'needs_reconnect') return 'page_needs_reconnect';
  return page.restrictedReason ? 'page_restricted' : null;
}

export function resolveSend(input: ResolveInput): Resolution {
  const { page, customer, sender, intent, now } = input;
  const stopped = pageStopReason(page);
  if (stopped) return refuse(stopped);
  if (customer.unreachableReason) return refuse('customer_unreachable');
  switch (intent.kind) {
    case 'ordinary':
      return resolveOrdinary(customer, sender, now);
    case 'invitation':
      return resolveInvitation(input, intent.topic);
    case 'notification':
      return resolveNotification(input, intent.topic);
  }
}

function resolveOrdinary(customer: CustomerState, sender: SenderKind, now: Date): Resolution {
  const recipient = { id: customer.psid };
  switch (windowState(customer.lastInteractionAt, now)) {
    case 'none':
      return refuse('never_interacted');
    case 'open':
      // A campaign message is proactive (UPDATE); bots and agents answer the customer (RESPONSE).
      return {
        ok: true,
        plan: {
          messagingType: sender === 'campaign' ? 'UPDATE' : 'RESPONSE',
          tag: null,
          recipient,
          subscriptionId: null,
        },
      };
    case 'human_agent':
      // R1b / R11a: only a person may use HUMAN_AGENT.
      if (sender !== 'agent') return refuse('outside_24h_window');
      return {
        ok: true,
        plan: { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', recipient, subscriptionId: null },
      };
    case 'closed':
      return refuse('outside_7d_window');
  }
}

function resolveInvitation(input: ResolveInput, topic: TopicState): Resolution {
  const { page, customer, now } = input;
  if (!page.optInFeatureEnabled) return refuse('feature_disabled'); // R2b
  if (!topic.active) return refuse('topic_inactive');
  const window = windowState(customer.lastInteractionAt, now);
  if (window === 'none') return refuse('never_interacted');
  if (window !== 'open') return refuse('invitation_outside_window'); // R2a
  // Meta's 9/2018352 for this person: back off (platform.md error table) until the pause ends.
  if (customer.optInBackoffUntil && now < customer.optInBackoffUntil) {
    return refuse('optin_limit', customer.optInBackoffUntil);
  }
  const invitations = input.invitations ?? [];
  const item = topicListItem(topic, invitations, input.subscriptions ?? [], now);
  if (item.list === 'sent' && !item.resendableNow) {
    return refuse(item.state === 'invited' ? 'invitation_too_soon' : 'already_subscribed', item.resendAfter);
  }
  // R2c: Meta counts the title, not our topic: another topic with the same title blocks too.
  const sameTitle = invitations
    .filter((i) => i.title === topic.title)
    .map((i) => sameTitleUntil(i.sentAt))
    .filter((until) => until > now)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  if (sameTitle) return refuse('invitation_too_soon', sameTitle);
  return {
    ok: true,
    plan: { messagingType: 'RESPONSE', tag: null, recipient: { id: customer.psid }, subscriptionId: null },
  };
}

function resolveNotification(input: ResolveInput, topic: TopicState): Resolution {
  const { page, sender, now } = input;
  // R6c: one message uses one allowance, so a conversation notification is text (and emoji) only.
  if (sender === 'agent' && input.content && input.content !== 'text') return refuse('content_not_allowed');
  if (!topic.active) return refuse('topic_inactive');
  const picked = pickSubscription(input.subscriptions ?? [], topic, page, now);
  if (!picked) return refuse('no_subscription');
  const { sub, verdict } = picked;
  if (verdict.status !== 'valid') return refuse(STATUS_REASON[verdict.status], verdict.nextAt);
  return { ok: true, plan: notificationPlan(sub) };
}

/** A notification goes on its token: the recipient form names the kind of token (no messaging_type). */
export function notificationPlan(sub: Pick<SubscriptionState, 'id' | 'kind' | 'token'>): SendPlan {
  return {
    messagingType: null,
    tag: null,
    recipient:
      sub.kind === 'one_time'
        ? { one_time_notif_token: sub.token }
        : { notification_messages_token: sub.token },
    subscriptionId: sub.id,
  };
}

export type ComposerState =
  | { mode: 'normal'; windowClosesAt: Date }
  | { mode: 'human_agent'; windowClosesAt: Date }
  | { mode: 'notification'; topics: Array<{ topicId: number; name: string; kind: TopicState['kind'] }> }
  | { mode: 'policy_notice'; reason: ReasonCode; text: Refusal['text']; nextAt: Date | null };

/**
 * R6: under 24 h the normal composer (R1a), 24 h–7 d the human-agent composer (R1b, R6b); from 7 days
 * the notification frame with the topics holding a valid subscription (R6a, R6e), else Facebook's
 * 7-day policy notice (R6a, R6d) — with the soonest time a cooling-down token frees up, if any.
 */
export function composerState(input: {
  page: PageState;
  customer: CustomerState;
  topics: readonly TopicState[];
  subscriptions: readonly SubscriptionState[];
  now: Date;
}): ComposerState {
  const { page, customer, topics, subscriptions, now } = input;
  const notice = (reason: ReasonCode, nextAt: Date | null = null): ComposerState => ({
    mode: 'policy_notice',
    reason,
    text: REASON_TEXT[reason],
    nextAt,
  });
  const stopped = pageStopReason(page);
  if (stopped) return notice(stopped);
  if (customer.unreachableReason) return notice('customer_unreachable');
  const window = windowState(customer.lastInteractionAt, now);
  const last = customer.lastInteractionAt?.getTime() ?? 0;
  if (window === 'open') return { mode: 'normal', windowClosesAt: new Date(last + WINDOW_24H_MS) };
  if (window === 'human_agent') return { mode: 'human_agent', windowClosesAt: new Date(last + WINDOW_7D_MS) };
  const valid: Array<{ topicId: number; name: string; kind: TopicState['kind'] }> = [];
  let soonest: Date | null = null;
  for (const topic of [...topics].sort((a, b) => a.name.localeCompare(b.name))) {
    const subs = subscriptions.filter((s) => s.topicId === topic.id);
    for (const sub of subs) {
      const v = subscriptionStatus(sub, topic, page, now);
      if (v.status === 'valid') {
        valid.push({ topicId: topic.id, name: topic.name, kind: topic.kind });
        break;
      }
      if (v.status === 'cooldown' && v.nextAt && (!soonest || v.nextAt < soonest)) soonest = v.nextAt;
    }
  }
  if (valid.length > 0) return { mode: 'notification', topics: valid };
  return soonest ? notice('cooldown', soonest) : notice('outside_7d_window');
}
