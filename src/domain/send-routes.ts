// R12 (with R1d): the route every message takes — response, human agent, utility template, recurring
// token, paid marketing message or OTN — or the refusal with its reason and next time. Under the legacy
// profiles the answer is send-resolver.ts's, unchanged, only named by its route; under `2026` the
// routes that remain after 24 hours are chosen here. Every surface (inbox, API, dry run, CLI) shows it.

import {
  type MarketingSetup,
  type MarketingTokenState,
  type Money,
  marketingCheck,
  marketingRouteApplies,
  marketingToken,
} from './marketing-messages.ts';
import type {
  CustomerState,
  InvitationState,
  PageState,
  SenderKind,
  SendPlan,
  SubscriptionState,
  TopicState,
} from './model.ts';
import { type Refusal, refuse } from './reasons.ts';
import {
  type ContentKind,
  type MessageIntent,
  notificationPlan,
  type Resolution,
  resolveSend,
  windowState,
} from './send-resolver.ts';
import { consentStatus } from './subscriptions.ts';
import { type TemplateState, templateSendability } from './utility-templates.ts';

export const ROUTES = [
  'response',
  'human_agent',
  'utility',
  'recurring_token',
  'marketing_message',
  'otn_token',
] as const;
export type Route = (typeof ROUTES)[number];

/** Who sends: the rule book's three, and the shop's own system posting an order event (R13c). */
export type RouteSender = SenderKind | 'order_event';
export const ROUTE_SENDERS: readonly RouteSender[] = ['bot', 'agent', 'campaign', 'order_event'];

/** What a message is, as the API names it (R12h route preview): the kinds of RouteIntent. */
export const MESSAGE_KINDS = ['free_text', 'invitation', 'notification', 'utility_event'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** What the message is: free text (reply, bot block), an opt-in card, a topic notification, a utility event. */
export type RouteIntent =
  | { kind: 'free_text' }
  | { kind: 'invitation'; topic: TopicState }
  | { kind: 'notification'; topic: TopicState }
  /** R13c: a transactional update; `marketing` marks promotional content, which may not use it (R13d). */
  | { kind: 'utility_event'; template: TemplateState | null; marketing?: boolean };

export interface RouteInput {
  page: PageState;
  customer: CustomerState;
  sender: RouteSender;
  intent: RouteIntent;
  now: Date;
  content?: ContentKind;
  /** Invitations: this customer's invitations, all topics (R2c). */
  invitations?: readonly InvitationState[];
  /** This customer's tokens on the intent's topic. */
  subscriptions?: readonly SubscriptionState[];
  /** R12g: all this customer's tokens on the page, every topic (the per-token limits are Meta's). */
  pageSubscriptions?: readonly SubscriptionState[];
  /** R12f: Meta answered that OTN is unavailable for this page. */
  otnClosed?: boolean;
  /** R14a/c: the ad account and the page's minimum gap; absent = no ad account connected. */
  marketing?: MarketingSetup;
  /** R14b: the customer's marketing token as synchronised from Meta's list, if any. */
  marketingToken?: MarketingTokenState | null;
  /** R14c/R12g: the last paid message to this customer on the page, any topic, any campaign. */
  lastPaidSendAt?: Date | null;
  /** Meta's estimate of one paid message (app/marketing-estimates.ts); shown with the route when known. */
  estimate?: Money | null;
}

export interface RoutePlan {
  ok: true;
  route: Route;
  /** The Send API plan (`/me/messages`); null for a marketing message, which goes to `act_{id}/messages`. */
  plan: SendPlan | null;
  /** `utility`, and a utility event sent as text inside 24 h (R12c): the template it fills. */
  template?: TemplateState;
  /** `marketing_message`: the token and the topic subscription it is sent under (R12g consent). */
  marketing?: { subscriptionToken: string; subscriptionId: number; minConversationGapSeconds: number | null };
  /** `marketing_message`: the price of one message, when Meta's estimate is known. */
  estimate?: Money;
}

/** A refusal, with the route that was tried when one was (null: no route applies at all). */
export type RouteRefusal = Refusal & { route: Route | null };
export type RouteResolution = RoutePlan | RouteRefusal;

const NOT_CONNECTED: MarketingSetup = { adAccountConnected: false, minConversationGapSeconds: null };

/** R1d/R12: the one decision for every message, every profile. */
export function resolveRoute(input: RouteInput): RouteResolution {
  if (input.page.profile !== '2026') return legacyRoute(input);
  const { page, customer, intent } = input;
  if (page.restrictedReason) return refusal(refuse('page_restricted'), null);
  if (customer.unreachableReason) return refusal(refuse('customer_unreachable'), null);
  switch (intent.kind) {
    case 'free_text':
    case 'invitation':
      // R12a/b: the 24-hour and 7-day rules are the same as before 2026; an opt-in card still goes
      // inside 24 h, everywhere (it is how marketing subscribers are gathered: R14b).
      return labelled(
        resolveSend(sendInput(input, intent.kind === 'free_text' ? { kind: 'ordinary' } : intent)),
      );
    case 'utility_event':
      return utilityRoute(input, intent.template, intent.marketing === true);
    case 'notification':
      return notificationRoute(input, intent.topic);
  }
}

/** The route a legacy plan (or a 2026 in-window plan) takes, read off its recipient and tag. */
export function routeOfPlan(plan: SendPlan): Route {
  if (plan.tag === 'HUMAN_AGENT') return 'human_agent';
  if ('one_time_notif_token' in plan.recipient) return 'otn_token';
  if ('notification_messages_token' in plan.recipient) return 'recurring_token';
  return 'response';
}

function refusal(r: Refusal, route: Route | null): RouteRefusal {
  return { ...r, route };
}

function labelled(r: Resolution): RouteResolution {
  return r.ok ? { ok: true, route: routeOfPlan(r.plan), plan: r.plan } : refusal(r, null);
}

/**
 * The legacy resolver's sender: the shop's system is a proactive automation like a campaign — never a
 * human (R11a), and its in-window messages are UPDATE, not RESPONSE.
 */
function legacySender(sender: RouteSender): SenderKind {
  return sender === 'order_event' ? 'campaign' : sender;
}

function sendInput(input: RouteInput, intent: MessageIntent) {
  return {
    page: input.page,
    customer: input.customer,
    sender: legacySender(input.sender),
    intent,
    now: input.now,
    ...(input.content !== undefined && { content: input.content }),
    ...(input.invitations !== undefined && { invitations: input.invitations }),
    ...(input.subscriptions !== undefined && { subscriptions: input.subscriptions }),
  };
}

/**
 * Legacy profiles: exactly send-resolver.ts's answer. A utility event did not exist then: it is an
 * ordinary message (the template's text), so the 24-hour and 7-day rules decide it.
 */
function legacyRoute(input: RouteInput): RouteResolution {
  const { intent } = input;
  switch (intent.kind) {
    case 'free_text':
    case 'utility_event':
      return labelled(resolveSend(sendInput(input, { kind: 'ordinary' })));
    case 'invitation':
    case 'notification':
      return labelled(resolveSend(sendInput(input, intent)));
  }
}

/** The Send API plan of a message to the PSID inside 24 h (R12a): proactive sends are UPDATE. */
function responsePlan(input: RouteInput): SendPlan {
  return {
    messagingType: input.sender === 'campaign' || input.sender === 'order_event' ? 'UPDATE' : 'RESPONSE',
    tag: null,
    recipient: { id: input.customer.psid },
    subscriptionId: null,
  };
}

/**
 * R13c/R13d: who may use the utility route — an agent picking a template or the shop's own system
 * posting an order event; never a campaign or the chat assistant, never content marked as marketing.
 */
export function utilityTriggerAllowed(sender: RouteSender, marketing = false): boolean {
  return !marketing && (sender === 'agent' || sender === 'order_event');
}

/**
 * R12c/R13b: how a transactional update goes, given the customer's last interaction: inside 24 h as
 * ordinary text with the template filled in (`response`, whatever the template's status); after that
 * only on an APPROVED utility template (`utility`). The resolver and the order events both ask this.
 */
export function utilityWindowRoute(args: {
  lastInteractionAt: Date | null;
  now: Date;
  template: Pick<TemplateState, 'status' | 'category'> | null;
}): { ok: true; route: 'response' | 'utility' } | Refusal {
  const window = windowState(args.lastInteractionAt, args.now);
  if (window === 'none') return refuse('never_interacted');
  if (!args.template) return refuse('template_missing');
  if (window === 'open') return { ok: true, route: 'response' };
  const sendable = templateSendability(args.template);
  return sendable.ok ? { ok: true, route: 'utility' } : sendable;
}

/** R12c/R13: a transactional update, decided by utilityTriggerAllowed and utilityWindowRoute. */
function utilityRoute(
  input: RouteInput,
  template: TemplateState | null,
  marketing: boolean,
): RouteResolution {
  if (!utilityTriggerAllowed(input.sender, marketing))
    return refusal(refuse('marketing_on_utility'), 'utility');
  const decided = utilityWindowRoute({
    lastInteractionAt: input.customer.lastInteractionAt,
    now: input.now,
    template,
  });
  if (!decided.ok) {
    if (decided.reason === 'never_interacted') return refusal(decided, null);
    const open = windowState(input.customer.lastInteractionAt, input.now) === 'open';
    return refusal(decided, open ? 'response' : 'utility');
  }
  if (decided.route === 'response') {
    return { ok: true, route: 'response', plan: responsePlan(input), template: template! };
  }
  return {
    ok: true,
    route: 'utility',
    plan: {
      messagingType: 'UTILITY',
      tag: null,
      recipient: { id: input.customer.psid },
      subscriptionId: null,
    },
    template: template!,
  };
}

const CONSENT_REASON = {
  suspended: 'topic_inactive',
  used: 'token_used',
  expired: 'subscription_expired',
  stopped: 'subscription_stopped',
} as const;

/**
 * R12d–g: a topic notification. The topic is the product's consent record (R12g): the customer must
 * hold it. Inside 24 h it goes free as a response (R12a); after that on the OTN token (R12f), on the
 * recurring token where the page's region keeps it (R12d), else as a paid marketing message (R12e).
 */
function notificationRoute(input: RouteInput, topic: TopicState): RouteResolution {
  const { customer, now } = input;
  // R6c: one message uses one allowance, so a conversation notification is text (and emoji) only.
  if (input.sender === 'agent' && input.content && input.content !== 'text') {
    return refusal(refuse('content_not_allowed'), null);
  }
  if (!topic.active) return refusal(refuse('topic_inactive'), null);
  const held = heldSubscription(input.subscriptions ?? [], topic, now);
  if (!held.ok) return refusal(held, null);
  const sub = held.sub;
  if (windowState(customer.lastInteractionAt, now) === 'open') {
    return { ok: true, route: 'response', plan: responsePlan(input) };
  }
  if (topic.kind === 'one_time') {
    if (input.otnClosed) return refusal(refuse('otn_closed'), 'otn_token');
    return { ok: true, route: 'otn_token', plan: notificationPlan(sub) };
  }
  if (marketingRouteApplies(input.page)) return marketingRoute(input, sub);
  return recurringRoute(input, sub);
}

/** The customer's token a send would use: held first, OTN soonest-expiring (R7d); else why none is held. */
function heldSubscription(
  subs: readonly SubscriptionState[],
  topic: TopicState,
  now: Date,
): { ok: true; sub: SubscriptionState } | Refusal {
  const mine = subs.filter((s) => s.topicId === topic.id);
  const held = mine
    .filter((s) => consentStatus(s, topic, now) === 'valid')
    .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())[0];
  if (held) return { ok: true, sub: held };
  if (mine.length === 0) return refuse('no_subscription');
  // The most lasting reason first, as subscriptionStatus orders them.
  const order = ['stopped', 'used', 'expired', 'suspended'] as const;
  const statuses = mine.map((s) => consentStatus(s, topic, now));
  const worst = order.find((st) => statuses.includes(st)) ?? 'expired';
  return refuse(CONSENT_REASON[worst]);
}

/**
 * R12d/R12g: on the recurring token, one message per token per 48 h (R8b) — and Meta keeps one token
 * per customer and page, so a send on any topic with the same token counts.
 */
function recurringRoute(input: RouteInput, sub: SubscriptionState): RouteResolution {
  const sameToken = [sub, ...(input.pageSubscriptions ?? [])].filter(
    (s) => s.kind === 'recurring' && s.token === sub.token,
  );
  const nextAt = sameToken
    .map((s) => s.nextEligibleAt)
    .filter((d): d is Date => d !== null && d > input.now)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  if (nextAt) return refusal(refuse('cooldown', nextAt), 'recurring_token');
  return { ok: true, route: 'recurring_token', plan: notificationPlan(sub) };
}

/** R12e/R14: the paid route, with the ad account, the token and Meta's limits known before sending. */
function marketingRoute(input: RouteInput, sub: SubscriptionState): RouteResolution {
  const setup = input.marketing ?? NOT_CONNECTED;
  const check = marketingCheck({
    setup,
    customer: input.customer,
    token: marketingToken(input.marketingToken ?? null, sub.token, input.lastPaidSendAt ?? null),
    now: input.now,
  });
  if (!check.ok) return refusal(check, 'marketing_message');
  return {
    ok: true,
    route: 'marketing_message',
    plan: null,
    marketing: {
      subscriptionToken: check.token.token,
      subscriptionId: sub.id,
      minConversationGapSeconds: setup.minConversationGapSeconds,
    },
    ...(input.estimate ? { estimate: input.estimate } : {}),
  };
}
