// Chat assistant (Trợ lý chat): managing triggers, and answering a customer with a trigger's blocks.
// Opt-in blocks are invitations like an agent's (R2, R4); a refused one is skipped, never forced.
import {
  buttonTemplate,
  imageMessage,
  type OutgoingMessage,
  postbackButton,
  quickReply,
  textMessage,
  webUrlButton,
} from '../channel/index.ts';
import {
  type Block,
  type InboundForAssistant,
  matchTrigger,
  validateBlocks,
  validateTrigger,
} from '../domain/assistant.ts';
import { DomainError } from '../domain/errors.ts';
import * as store from '../storage/assistant.ts';
import type { Executor } from '../storage/db.ts';
import type { AssistantTriggerRow } from '../storage/schema.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';
import { type MessagingContext, type SendOutcome, sendInvitation, sendOrdinary } from './messaging.ts';
import { loadConversation } from './sends.ts';
import { getNoticeText, getPage } from './workspaces.ts';

export interface TriggerInput {
  kind?: unknown;
  value?: unknown;
  blocks?: unknown;
  position?: unknown;
  active?: unknown;
}

/** Opt-in blocks must name a topic of the right kind on the same page. */
async function checkBlockTopics(
  db: Executor,
  workspaceId: number,
  pageId: number,
  blocks: Block[],
): Promise<void> {
  for (const b of blocks) {
    if (b.type !== 'otn_request' && b.type !== 'recurring_optin') continue;
    const t = await topics.findTopic(db, workspaceId, b.topicId);
    const want = b.type === 'otn_request' ? 'one_time' : 'recurring';
    if (!t || t.page_id !== pageId)
      throw new DomainError('topic_not_found', `No topic ${b.topicId} on this page.`);
    if (t.kind !== want) {
      throw new DomainError(
        'validation_failed',
        `Topic "${t.name}" is not a ${want === 'one_time' ? 'OTN' : 'recurring'} topic.`,
      );
    }
  }
}

function triggerValues(input: TriggerInput) {
  const { kind, value } = validateTrigger(input.kind, input.value);
  const blocks = validateBlocks(input.blocks);
  if (input.position !== undefined && !Number.isInteger(input.position)) {
    throw new DomainError('validation_failed', 'The position is a whole number.');
  }
  if (input.active !== undefined && typeof input.active !== 'boolean') {
    throw new DomainError('validation_failed', 'active is true or false.');
  }
  return {
    kind,
    value,
    blocks,
    position: input.position as number | undefined,
    active: input.active as boolean | undefined,
  };
}

export async function createTrigger(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  input: TriggerInput,
) {
  await getPage(ctx, workspaceId, pageId);
  const values = triggerValues(input);
  await checkBlockTopics(ctx.db, workspaceId, pageId, values.blocks);
  return store.insertTrigger(ctx.db, workspaceId, pageId, values, ctx.clock.now());
}

export async function updateTrigger(
  ctx: AppContext,
  workspaceId: number,
  triggerId: number,
  input: TriggerInput,
) {
  const current = await getTrigger(ctx, workspaceId, triggerId);
  const values = triggerValues({
    kind: current.kind,
    value: current.value,
    blocks: current.blocks,
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
  });
  await checkBlockTopics(ctx.db, workspaceId, current.page_id, values.blocks);
  return (await store.updateTrigger(ctx.db, workspaceId, triggerId, values, ctx.clock.now()))!;
}

export async function getTrigger(
  ctx: AppContext,
  workspaceId: number,
  triggerId: number,
): Promise<AssistantTriggerRow> {
  const row = await store.findTrigger(ctx.db, workspaceId, triggerId);
  if (!row)
    throw new DomainError('validation_failed', `No trigger ${triggerId} in this workspace.`, {
      notFound: true,
    });
  return row;
}

export async function deleteTrigger(ctx: AppContext, workspaceId: number, triggerId: number): Promise<void> {
  await getTrigger(ctx, workspaceId, triggerId);
  await store.deleteTrigger(ctx.db, workspaceId, triggerId);
}

export async function listTriggers(ctx: AppContext, workspaceId: number, pageId: number) {
  await getPage(ctx, workspaceId, pageId);
  return store.listTriggers(ctx.db, pageId);
}

/** Which trigger answers this inbound event, if any (pure match over the page's triggers). */
export async function findAnswer(db: Executor, pageId: number, inbound: InboundForAssistant) {
  const rows = await store.listTriggers(db, pageId);
  return matchTrigger(rows, inbound);
}

function blockMessage(
  b: Exclude<Block, { type: 'otn_request' } | { type: 'recurring_optin' }>,
): OutgoingMessage {
  switch (b.type) {
    case 'text':
      return textMessage(
        b.text,
        b.quickReplies?.map((q) => quickReply(q.title, q.payload)),
      );
    case 'image':
      return imageMessage(b.url);
    case 'buttons':
      return buttonTemplate(
        b.text,
        b.buttons.map((x) =>
          x.type === 'web_url' ? webUrlButton(x.title, x.url) : postbackButton(x.title, x.payload),
        ),
      );
  }
}

/** Sends a trigger's blocks in order as the bot; stops at the first block the rules or Meta refuse. */
export async function answerWithTrigger(
  ctx: MessagingContext,
  workspaceId: number,
  customerId: number,
  triggerId: number,
) {
  const trigger = await getTrigger(ctx, workspaceId, triggerId);
  const outcomes: SendOutcome[] = [];
  for (const block of trigger.blocks as Block[]) {
    let outcome: SendOutcome;
    if (block.type === 'otn_request' || block.type === 'recurring_optin') {
      outcome = await sendInvitation(ctx, {
        workspaceId,
        customerId,
        topicId: block.topicId,
        sender: 'bot',
        senderRef: `trigger:${trigger.id}`,
        override:
          block.type === 'otn_request'
            ? { title: block.description }
            : {
                ...(block.title && { title: block.title }),
                ...(block.imageUrl && { imageUrl: block.imageUrl }),
                ...(block.ctaText && { ctaText: block.ctaText }),
              },
      });
      // R4f: the customer already holds the topic → the page's notice text instead of a second card.
      if (!outcome.ok && outcome.stage === 'rules' && outcome.reason === 'already_subscribed') {
        await answerWithNotice(ctx, workspaceId, customerId);
        continue;
      }
      // Sent recently and not yet accepted (R2c): skip the card, go on with the rest.
      if (!outcome.ok && outcome.stage === 'rules' && outcome.reason === 'invitation_too_soon') continue;
    } else {
      outcome = await sendOrdinary(ctx, {
        workspaceId,
        customerId,
        sender: 'bot',
        message: blockMessage(block),
      });
    }
    outcomes.push(outcome);
    if (!outcome.ok) break;
  }
  return outcomes;
}

/** R4f: the configurable "already subscribed" text, in the customer's language (vi by default). */
export async function answerWithNotice(ctx: MessagingContext, workspaceId: number, customerId: number) {
  const { page, customer } = await loadConversation(ctx.db, workspaceId, customerId);
  const notice = await getNoticeText(ctx, workspaceId, page.id);
  const text = customer.locale && !customer.locale.startsWith('vi') ? notice.en : notice.vi;
  return sendOrdinary(ctx, { workspaceId, customerId, sender: 'bot', message: textMessage(text) });
}
