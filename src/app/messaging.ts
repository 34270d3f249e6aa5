// The one path every single message takes — bot, agent or API: resolve (R1d) → Graph → record. The
// Graph client is only ever called with the resolver's plan; what Meta answers is applied here.
import {
  credentials,
  type GraphFailure,
  type OutgoingMessage,
  otnRequest,
  type PageCredentials,
  recurringOptIn,
  type SendResult,
  textMessage,
} from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import type { SenderKind, SendPlan } from '../domain/model.ts';
import type { Profile } from '../domain/platform.ts';
import type { Refusal } from '../domain/reasons.ts';
import type { SendErrorClass } from '../domain/send-errors.ts';
import type { ContentKind } from '../domain/send-resolver.ts';
import { requireText } from '../domain/text.ts';
import * as customers from '../storage/customers.ts';
import { inTransaction } from '../storage/db.ts';
import * as messages from '../storage/messages.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow, TopicRow } from '../storage/schema.ts';
import * as subs from '../storage/subscriptions.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';
import { newInvitationPayload, recordInvitation } from './optins.ts';
import { claimNotification, loadConversation, resolveSendFor, settleNotification } from './sends.ts';

/** The part of the Graph client the app needs; the production client and nothing else implements it. */
export interface Channel {
  send(page: PageCredentials, plan: SendPlan, message: OutgoingMessage): Promise<SendResult>;
}

export interface MessagingContext extends AppContext {
  channel: Channel;
}

export type SendOutcome =
  | { ok: true; messageId: string; plan: SendPlan }
  | (Refusal & { stage: 'rules' })
  | { ok: false; stage: 'graph'; error: GraphFailure };

/** One word for what happened to a send: sent, the refusal reason, or graph_<error class> (metrics, logs). */
export function outcomeLabel(outcome: SendOutcome): string {
  if (outcome.ok) return 'sent';
  return outcome.stage === 'rules' ? outcome.reason : `graph_${outcome.error.class}`;
}

const OPTIN_BACKOFF_MS = 24 * 3_600_000;

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

/** R11b and friends: what a Graph failure changes in our state (never a retry — the client did those). */
async function applyFailure(
  ctx: AppContext,
  page: PageRow,
  customerId: number,
  error: GraphFailure,
): Promise<void> {
  const cls: SendErrorClass = error.class;
  if (cls === 'page_restricted' || cls === 'page_token_invalid') {
    await pages.updatePage(ctx.db, page.workspace_id, page.id, {
      restricted_reason: `${cls}: ${error.message}`.slice(0, 500),
    });
  } else if (cls === 'customer_unreachable') {
    await customers.setUnreachable(ctx.db, customerId, error.message.slice(0, 500));
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
    await applyFailure(ctx, page, req.customerId, result.error);
    return { ok: false, stage: 'graph', error: result.error };
  }
  await logOutgoing(ctx, page, req.customerId, req.sender, 'message', result.messageId, req.message);
  return { ok: true, messageId: result.messageId, plan: resolution.plan };
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
  const record = (status: 'sent' | 'refused', messageId: string | null) =>
    recordInvitation(ctx, {
      workspaceId: req.workspaceId,
      pageId: page.id,
      customerId: req.customerId,
      topicId: req.topicId,
      senderKind: req.sender,
      senderRef: req.senderRef ?? null,
      payload,
      status,
      messageId,
    });
  if (!result.ok) {
    if (result.error.class === 'duplicate_optin') await record('refused', null);
    else if (result.error.class === 'optin_limit') {
      // "Back off for that customer": no invitation to them for a day.
      await customers.setOptInBackoff(
        ctx.db,
        req.customerId,
        new Date(ctx.clock.now().getTime() + OPTIN_BACKOFF_MS),
      );
    } else await applyFailure(ctx, page, req.customerId, result.error);
    return { ok: false, stage: 'graph', error: result.error };
  }
  await record('sent', result.messageId);
  await logOutgoing(ctx, page, req.customerId, req.sender, 'invitation', result.messageId, message);
  return { ok: true, messageId: result.messageId, plan: resolution.plan };
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
  const sendReq = {
    workspaceId: req.workspaceId,
    customerId: req.customerId,
    sender: req.sender,
    intent: { kind: 'notification' as const, topicId: req.topicId },
    content: contentKind(req.message),
  };
  const claim = await claimNotification(ctx, sendReq);
  if (!claim.resolution.ok) return { ...claim.resolution, stage: 'rules' };
  const plan = claim.resolution.plan;
  const result = await ctx.channel.send(credentials(page), plan, req.message);
  if (result.ok) {
    await settleNotification(ctx, claim, sendReq, { sent: true, messageId: result.messageId });
    await logOutgoing(ctx, page, req.customerId, req.sender, 'notification', result.messageId, req.message);
    return { ok: true, messageId: result.messageId, plan };
  }
  const cls = result.error.class;
  const now = ctx.clock.now();
  if (cls === 'transient' || cls === 'rate_limited') {
    // Retries are spent and Meta may have delivered (a timeout): keep the token claimed — at most once.
  } else if (cls === 'subscription_stopped') {
    await inTransaction(ctx.db, async (tx) => {
      await subs.releaseToken(tx, plan.subscriptionId!, claim.previous!, now);
      await subs.setStopped(tx, plan.subscriptionId!, now, now, now);
      await subs.appendConsent(tx, {
        workspaceId: page.workspace_id,
        pageId: page.id,
        topicId: req.topicId,
        customerId: req.customerId,
        subscriptionId: plan.subscriptionId,
        event: 'stopped',
        at: now,
        detail: { source: 'graph_error_1893015' },
      });
    });
  } else if (cls === 'token_invalid') {
    await subs.markExpiredNow(ctx.db, plan.subscriptionId!, now);
  } else {
    await settleNotification(ctx, claim, sendReq, { sent: false });
    await applyFailure(ctx, page, req.customerId, result.error);
  }
  return { ok: false, stage: 'graph', error: result.error };
}
