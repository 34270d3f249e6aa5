// The one path every single message takes — bot, agent or API: resolve (R1d) → Graph → record. The
// Graph client is only ever called with the resolver's plan; what Meta answers is applied here.
import {
  credentials,
  type GraphFailure,
  type MarketingApi,
  type OutgoingMessage,
  otnRequest,
  type PageCredentials,
  recurringOptIn,
  type SendResult,
  textMessage,
} from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import { marketingRouteApplies, paidWaitRefusal } from '../domain/marketing-messages.ts';
import type { SenderKind, SendPlan } from '../domain/model.ts';
import type { Profile } from '../domain/platform.ts';
import { type Refusal, refuse } from '../domain/reasons.ts';
import { otnUnavailableAnswer } from '../domain/send-errors.ts';
import { type SendKind, sendOutcome } from '../domain/send-outcomes.ts';
import type { ContentKind } from '../domain/send-resolver.ts';
import { type Route, routeOfPlan } from '../domain/send-routes.ts';
import { requireText } from '../domain/text.ts';
import { adAccountState, findAdAccount } from '../storage/ad-accounts.ts';
import * as messages from '../storage/messages.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow, TopicRow } from '../storage/schema.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';
import { sendPaidMessage } from './marketing-messages.ts';
import { newInvitationPayload } from './optins.ts';
import { applySendFailure, recordSentInvitation, type SentInvitation } from './send-outcomes.ts';
import { routeIn, unavailableRoute, usesRoutes } from './send-routes.ts';
import { claimNotification, loadConversation, resolveSendFor, settleNotification } from './sends.ts';

/** The part of the Graph client the app needs; the production client and nothing else implements it. */
export interface Channel {
  send(page: PageCredentials, plan: SendPlan, message: OutgoingMessage): Promise<SendResult>;
}

export interface MessagingContext extends AppContext {
  channel: Channel;
  /** Meta's utility-template calls (app/templates.ts); the runtime fills it from the same Graph client. */
  templates?: import('./templates.ts').TemplatePort;
  /** R14: the Marketing Message API, for pages whose recurring route is closed (2026, outside AU/EU/JP/KR/UK). */
  marketing?: MarketingApi;
}

/** Every answer names the route taken or tried (R12h); null when no route applied at all. */
export type SendOutcome =
  | {
      ok: true;
      messageId: string;
      plan: SendPlan;
      route: Route;
      paid?: { trackingId: string | null; costMinor: number };
    }
  | (Refusal & { stage: 'rules'; route?: Route | null })
  | { ok: false; stage: 'graph'; error: GraphFailure };

/** One word for what happened to a send: sent, the refusal reason, or graph_<error class> (metrics, logs). */
export function outcomeLabel(outcome: SendOutcome): string {
  if (outcome.ok) return 'sent';
  return outcome.stage === 'rules' ? outcome.reason : `graph_${outcome.error.class}`;
}

// The page → Graph credentials mapping is the channel's (the dispatcher uses it too).
export { credentials };

/** What an agent typed, as the message sent for a reply or a notification (routes pass the text). */
export function agentTextMessage(text: string): OutgoingMessage {
  return textMessage(text);
}

export function contentKind(m: OutgoingMessage): ContentKind {
  if ('text' in m && m.text !== undefined) return 'text';
  const att = (m as { attachment?: { type?: string } }).attachment;
  if (att?.type === 'image') return 'image';
  return 'template';
}

/** A blank text is refused before anything is resolved or sent (it would spend an allowance). */
function refuseBlank(m: OutgoingMessage): void {
  if ('text' in m && typeof m.text === 'string') requireText(m.text, 'text');
}

/** What Meta's refusal changes (domain/send-outcomes.ts), persisted by the one applier. */
function applyFailure(
  ctx: AppContext,
  kind: SendKind,
  page: PageRow,
  customerId: number,
  error: GraphFailure,
  extra: Pick<Parameters<typeof applySendFailure>[1], 'token' | 'invitation'> = {},
): Promise<void> {
  return applySendFailure(ctx, {
    page,
    customerId,
    outcome: sendOutcome({ kind, answer: { ok: false, class: error.class } }),
    message: error.message,
    ...extra,
  });
}

/** R12f: Meta's first answer that OTN is unavailable closes it for a 2026 page; the workspace sees it. */
async function closeOtnOn(ctx: AppContext, page: PageRow, error: GraphFailure): Promise<void> {
  if (!usesRoutes(page) || !otnUnavailableAnswer({ code: error.code, error_subcode: error.subcode })) return;
  if (await pages.closeOtn(ctx.db, page.id, error.message, ctx.clock.now())) {
    console.warn('[otn closed]', page.fb_page_id, error.message);
  }
}

function logOutgoing(
  ctx: AppContext,
  page: PageRow,
  customerId: number,
  sender: SenderKind,
  kind: string,
  messageId: string,
  message: OutgoingMessage,
) {
  return messages.insertMessage(ctx.db, {
    workspaceId: page.workspace_id,
    pageId: page.id,
    customerId,
    direction: 'out',
    senderKind: sender,
    kind,
    mid: messageId,
    text: 'text' in message ? (message.text ?? null) : null,
    payload: message,
    at: ctx.clock.now(),
  });
}

/** An ordinary message (reply, bot block): R1 decides RESPONSE, HUMAN_AGENT or refusal. */
export async function sendOrdinary(
  ctx: MessagingContext,
  req: { workspaceId: number; customerId: number; sender: SenderKind; message: OutgoingMessage },
): Promise<SendOutcome> {
  const { page } = await loadConversation(ctx.db, req.workspaceId, req.customerId);
  refuseBlank(req.message);
  const resolution = await resolveSendFor(ctx, {
    ...req,
    intent: { kind: 'ordinary' },
    content: contentKind(req.message),
  });
  if (!resolution.ok) return { ...resolution, stage: 'rules' };
  const result = await ctx.channel.send(credentials(page), resolution.plan, req.message);
  if (!result.ok) {
    await applyFailure(ctx, 'reply', page, req.customerId, result.error);
    return { ok: false, stage: 'graph', error: result.error };
  }
  await logOutgoing(ctx, page, req.customerId, req.sender, 'message', result.messageId, req.message);
  return {
    ok: true,
    messageId: result.messageId,
    plan: resolution.plan,
    route: routeOfPlan(resolution.plan),
  };
}

/** The opt-in card of a topic: OTN "+OTNR" (fixed "Notify me") or the recurring template. */
export function invitationMessage(
  topic: TopicRow,
  page: { profile: Profile; timeZone: string },
  payload: string,
  override: { title?: string; imageUrl?: string; ctaText?: TopicRow['cta_text'] } = {},
): OutgoingMessage {
  if (topic.kind === 'one_time') return otnRequest({ title: override.title ?? topic.title, payload });
  return recurringOptIn({
    title: override.title ?? topic.title,
    payload,
    ...((override.imageUrl ?? topic.image_url) ? { imageUrl: (override.imageUrl ?? topic.image_url)! } : {}),
    ctaText: (override.ctaText ?? topic.cta_text ?? 'GET_UPDATES') as 'GET_UPDATES',
    timezone: page.timeZone,
    ...(topic.frequency ? { frequency: topic.frequency as 'DAILY' } : {}),
    profile: page.profile,
  });
}

/** R2: an invitation goes only when the rules allow; a duplicate refusal from Meta still counts (R4b). */
export async function sendInvitation(
  ctx: MessagingContext,
  req: {
    workspaceId: number;
    customerId: number;
    topicId: number;
    sender: SenderKind;
    senderRef?: string | null;
    override?: { title?: string; imageUrl?: string; ctaText?: TopicRow['cta_text'] };
  },
): Promise<SendOutcome> {
  const { page } = await loadConversation(ctx.db, req.workspaceId, req.customerId);
  const topic = await topics.findTopic(ctx.db, req.workspaceId, req.topicId);
  if (!topic || topic.page_id !== page.id)
    throw new DomainError('topic_not_found', `No topic ${req.topicId} on this page.`);
  // R12f: once Meta said OTN is unavailable for the page, no OTN request is sent there.
  if (topic.kind === 'one_time' && usesRoutes(page) && page.otn_closed_at) {
    return { ...refuse('otn_closed'), stage: 'rules', route: 'otn_token' };
  }
  const resolution = await resolveSendFor(ctx, {
    ...req,
    intent: { kind: 'invitation', topicId: req.topicId },
  });
  if (!resolution.ok) return { ...resolution, stage: 'rules' };
  const payload = newInvitationPayload(topic.id);
  const message = invitationMessage(
    topic,
    { profile: page.profile, timeZone: page.time_zone },
    payload,
    req.override,
  );
  const result = await ctx.channel.send(credentials(page), resolution.plan, message);
  const invitation: SentInvitation = {
    topicId: req.topicId,
    senderKind: req.sender,
    senderRef: req.senderRef ?? null,
    payload,
  };
  if (!result.ok) {
    if (topic.kind === 'one_time') await closeOtnOn(ctx, page, result.error);
    // R4b: a duplicate refusal still counts as sent; 2018352 backs off invitations to this customer.
    await applyFailure(ctx, 'invitation', page, req.customerId, result.error, { invitation });
    return { ok: false, stage: 'graph', error: result.error };
  }
  await recordSentInvitation(ctx, page, req.customerId, invitation, 'sent', result.messageId);
  await logOutgoing(ctx, page, req.customerId, req.sender, 'invitation', result.messageId, message);
  return { ok: true, messageId: result.messageId, plan: resolution.plan, route: 'response' };
}

/** R6/R7/R8: a notification on a topic's token — claimed atomically, settled by Meta's answer. */
export async function sendNotification(
  ctx: MessagingContext,
  req: {
    workspaceId: number;
    customerId: number;
    topicId: number;
    sender: SenderKind;
    message: OutgoingMessage;
  },
): Promise<SendOutcome> {
  const { page } = await loadConversation(ctx.db, req.workspaceId, req.customerId);
  refuseBlank(req.message);
  // R12e/R14c: where the recurring route is closed, the notification goes as a paid marketing message —
  // the resolver's own rule (marketingRouteApplies), and sendPaidMessage checks it with marketingCheck.
  // An OTN topic keeps its own token (R12f) wherever the recurring route is closed.
  if (
    marketingRouteApplies(page) &&
    (await topics.findTopic(ctx.db, req.workspaceId, req.topicId))?.kind !== 'one_time'
  )
    return paidNotification(ctx, req);
  const sendReq = {
    workspaceId: req.workspaceId,
    customerId: req.customerId,
    sender: req.sender,
    intent: { kind: 'notification' as const, topicId: req.topicId },
    content: contentKind(req.message),
  };
  if (usesRoutes(page)) {
    // R12: under 2026 the route decides; a route whose sending code is not here yet is refused, and an
    // in-window notification goes free to the PSID without spending the token (R12a).
    const routed = await routeIn(
      ctx.db,
      { ...sendReq, kind: 'notification', topicId: req.topicId },
      ctx.clock.now(),
    );
    if (!routed.ok) return { ...routed, stage: 'rules' };
    const unavailable = unavailableRoute(routed);
    if (unavailable) return { ...unavailable, stage: 'rules' };
    if (routed.route === 'response' && routed.plan) {
      const sent = await ctx.channel.send(credentials(page), routed.plan, req.message);
      if (!sent.ok) {
        await applyFailure(ctx, 'reply', page, req.customerId, sent.error);
        return { ok: false, stage: 'graph', error: sent.error };
      }
      await logOutgoing(ctx, page, req.customerId, req.sender, 'notification', sent.messageId, req.message);
      return { ok: true, messageId: sent.messageId, plan: routed.plan, route: 'response' };
    }
  }
  const claim = await claimNotification(ctx, sendReq);
  if (!claim.resolution.ok) return { ...claim.resolution, stage: 'rules' };
  const plan = claim.resolution.plan;
  const result = await ctx.channel.send(credentials(page), plan, req.message);
  if (result.ok) {
    await settleNotification(ctx, claim, sendReq, { sent: true, messageId: result.messageId });
    await logOutgoing(ctx, page, req.customerId, req.sender, 'notification', result.messageId, req.message);
    return { ok: true, messageId: result.messageId, plan, route: routeOfPlan(plan) };
  }
  if ('one_time_notif_token' in plan.recipient) await closeOtnOn(ctx, page, result.error);
  await applyFailure(ctx, 'notification', page, req.customerId, result.error, {
    token: {
      subscriptionId: plan.subscriptionId!,
      topicId: req.topicId,
      previous: claim.previous && { subscriptionId: plan.subscriptionId!, ...claim.previous },
    },
  });
  return { ok: false, stage: 'graph', error: result.error };
}

/** R14c: a notification on a page whose recurring route is closed, as a paid marketing message. */
async function paidNotification(
  ctx: MessagingContext,
  req: Parameters<typeof sendNotification>[1],
): Promise<SendOutcome> {
  const r = await sendPaidMessage(ctx, { ...req, campaignId: null });
  if (r.ok) {
    const plan: SendPlan = { messagingType: null, tag: null, recipient: { id: '' }, subscriptionId: null };
    return {
      ok: true,
      messageId: r.trackingId ?? `marketing:${r.sendId}`,
      plan,
      route: 'marketing_message',
      paid: { trackingId: r.trackingId, costMinor: r.costMinor },
    };
  }
  // R12h: a refusal names the route it tried, as the resolver's does.
  if (r.stage === 'rules') return { ...r, route: 'marketing_message' };
  // Meta's "not now" (activation wait, conversation gap, 12 h limit) is a refusal with its time, not a failure.
  const account = await findAdAccount(ctx.db, req.workspaceId);
  const gap = account ? adAccountState(account).minConversationGapSeconds : 0;
  const wait = paidWaitRefusal({ code: r.error.code, error_subcode: r.error.subcode }, ctx.clock.now(), gap);
  if (wait) return { ...wait, stage: 'rules', route: 'marketing_message' };
  return { ok: false, stage: 'graph', error: r.error };
}
