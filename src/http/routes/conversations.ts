// A conversation from the agent's side: the thread, the Sent / Not sent topic lists (R4), the composer
// state (R6), and the three things an agent sends — a reply (R1), a topic invitation (R2, R4f), a
// notification on a subscribed topic (R6, text and emoji only).
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { type SendOutcome, sendInvitation, sendNotification, sendOrdinary } from '../../app/messaging.ts';
import { conversationComposer, customerTopicLists, loadConversation } from '../../app/sends.ts';
import { getNoticeText } from '../../app/workspaces.ts';
import { textMessage } from '../../channel/messages.ts';
import { windowState } from '../../domain/send-resolver.ts';
import { conversationMessages } from '../../storage/messages.ts';
import type { App, ServerDeps } from '../server.ts';

const CustomerParams = Type.Object({ customerId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

function presentOutcome(reply: FastifyReply, outcome: SendOutcome, extra: Record<string, unknown> = {}) {
  if (outcome.ok) {
    return reply.status(201).send({
      messageId: outcome.messageId,
      messagingType: outcome.plan.messagingType,
      tag: outcome.plan.tag,
    });
  }
  if (outcome.stage === 'rules') {
    return reply.status(422).send({
      error: {
        code: outcome.reason,
        message: outcome.text.en,
        details: { vi: outcome.text.vi, en: outcome.text.en, nextAt: outcome.nextAt, ...extra },
      },
    });
  }
  return reply.status(502).send({
    error: {
      code: `graph_${outcome.error.class}`,
      message: outcome.error.message,
      details: { code: outcome.error.code, subcode: outcome.error.subcode },
    },
  });
}

export async function conversationRoutes(app: App, deps: ServerDeps) {
  app.get(
    '/customers/:customerId',
    {
      schema: {
        tags: ['conversations'],
        summary: 'One conversation: customer, window, R4 lists, R6 composer',
        params: CustomerParams,
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const { customer } = await loadConversation(deps.ctx.db, ws, req.params.customerId);
      const now = deps.ctx.clock.now();
      const [lists, composer] = await Promise.all([
        customerTopicLists(deps.ctx, ws, customer.id),
        conversationComposer(deps.ctx, ws, customer.id),
      ]);
      return {
        customer: {
          id: customer.id,
          psid: customer.psid,
          name: customer.name,
          lastInteractionAt: customer.last_interaction_at,
          labels: customer.labels,
          unreachableReason: customer.unreachable_reason,
        },
        window: windowState(customer.last_interaction_at, now),
        topics: lists,
        composer,
      };
    },
  );

  app.get(
    '/customers/:customerId/messages',
    { schema: { tags: ['conversations'], params: CustomerParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const { customer } = await loadConversation(deps.ctx.db, ws, req.params.customerId);
      const rows = await conversationMessages(deps.ctx.db, customer.id);
      return {
        messages: rows.map((m) => ({
          id: m.id,
          direction: m.direction,
          sender: m.sender_kind,
          kind: m.kind,
          text: m.text,
          mid: m.mid,
          payload: m.payload,
          at: m.created_at,
          deliveredAt: m.delivered_at,
          readAt: m.read_at,
        })),
      };
    },
  );

  app.post(
    '/customers/:customerId/messages',
    {
      schema: {
        tags: ['conversations'],
        summary: 'R1: an agent reply (RESPONSE under 24 h, HUMAN_AGENT to 7 days, refused after)',
        params: CustomerParams,
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const outcome = await sendOrdinary(deps.ctx, {
        workspaceId: ws,
        customerId: req.params.customerId,
        sender: 'agent',
        message: textMessage(req.body.text),
      });
      return presentOutcome(reply, outcome);
    },
  );

  app.post(
    '/customers/:customerId/invitations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'R2/R4: send a topic invitation (only inside 24 h)',
        params: CustomerParams,
        body: Type.Object(
          { topicId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const outcome = await sendInvitation(deps.ctx, {
        workspaceId: ws,
        customerId: req.params.customerId,
        topicId: req.body.topicId,
        sender: 'agent',
      });
      // R4f: an already sent or subscribed topic shows the page's notice text.
      if (
        !outcome.ok &&
        outcome.stage === 'rules' &&
        ['already_subscribed', 'invitation_too_soon'].includes(outcome.reason)
      ) {
        const { page } = await loadConversation(deps.ctx.db, ws, req.params.customerId);
        return presentOutcome(reply, outcome, { notice: await getNoticeText(deps.ctx, ws, page.id) });
      }
      return presentOutcome(reply, outcome);
    },
  );

  app.post(
    '/customers/:customerId/notifications',
    {
      schema: {
        tags: ['conversations'],
        summary: 'R6: a notification on a valid topic (text and emoji only)',
        params: CustomerParams,
        body: Type.Object(
          {
            topicId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
            text: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const outcome = await sendNotification(deps.ctx, {
        workspaceId: ws,
        customerId: req.params.customerId,
        topicId: req.body.topicId,
        sender: 'agent',
        message: textMessage(req.body.text),
      });
      return presentOutcome(reply, outcome);
    },
  );
}
