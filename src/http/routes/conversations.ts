// A conversation from the agent's side: the thread, the Sent / Not sent topic lists (R4), the composer
// state (R6), and the three things an agent sends — a reply (R1), a topic invitation (R2, R4f), a
// notification on a subscribed topic (R6, text and emoji only).
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import {
  changeLabels,
  conversationThread,
  labelsOfPage,
  listPageConversations,
} from '../../app/conversations.ts';
import { inviteWithNotice } from '../../app/invitations.ts';
import {
  agentTextMessage,
  outcomeLabel,
  type SendOutcome,
  sendNotification,
  sendOrdinary,
} from '../../app/messaging.ts';
import { conversationComposer, customerTopicLists, loadConversation } from '../../app/sends.ts';
import { windowState } from '../../domain/send-resolver.ts';
import type { App, ServerDeps } from '../deps.ts';
import { ConversationItem, ConversationsQuery, Nullable } from '../schemas/conversations.ts';
import { PageParams } from './pages.ts';

const CustomerParams = Type.Object({ customerId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
// The schema only bounds the request's size; the label rules themselves (1–40 characters, at most 20
// per customer, case-insensitive) are the domain's, so the API and imports refuse the same things.
const LabelList = Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 100 });
const LabelsBody = Type.Object({ labels: LabelList }, { additionalProperties: false });
const LabelsResult = Type.Object({ labels: Type.Array(Type.String()) });

function presentOutcome(reply: FastifyReply, outcome: SendOutcome, extra: Record<string, unknown> = {}) {
  if (outcome.ok) {
    return reply.status(201).send({
      messageId: outcome.messageId,
      route: outcome.route,
      messagingType: outcome.plan.messagingType,
      tag: outcome.plan.tag,
    });
  }
  if (outcome.stage === 'rules') {
    return reply.status(422).send({
      error: {
        code: outcome.reason,
        message: outcome.text.en,
        details: {
          vi: outcome.text.vi,
          en: outcome.text.en,
          nextAt: outcome.nextAt,
          route: outcome.route ?? null,
          ...extra,
        },
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
    '/pages/:pageId/conversations',
    {
      config: { role: 'agent' },
      schema: {
        tags: ['conversations'],
        summary: 'The inbox: conversations by last interaction, with R1 window, last message, labels',
        params: PageParams,
        querystring: ConversationsQuery,
        response: {
          200: Type.Object({ conversations: Type.Array(ConversationItem), next: Nullable(Type.String()) }),
        },
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return listPageConversations(deps.ctx, ws, req.params.pageId, req.query);
    },
  );

  app.get(
    '/pages/:pageId/labels',
    {
      config: { role: 'agent' },
      schema: {
        tags: ['conversations'],
        summary: 'Labels in use on the page, with counts',
        params: PageParams,
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return { labels: await labelsOfPage(deps.ctx, ws, req.params.pageId) };
    },
  );

  const labelRoute = (summary: string) => ({
    config: { role: 'agent' as const },
    schema: {
      tags: ['conversations'],
      summary,
      params: CustomerParams,
      body: LabelsBody,
      response: { 200: LabelsResult },
    },
  });
  app.put(
    '/customers/:customerId/labels',
    labelRoute("Replace the customer's labels (1–40 characters each, at most 20)"),
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return {
        labels: await changeLabels(deps.ctx, ws, req.params.customerId, {
          op: 'set',
          labels: req.body.labels,
        }),
      };
    },
  );
  app.post('/customers/:customerId/labels', labelRoute('Add labels to the customer'), async (req) => {
    const ws = await deps.workspaceFor(req);
    return {
      labels: await changeLabels(deps.ctx, ws, req.params.customerId, { op: 'add', labels: req.body.labels }),
    };
  });
  app.delete(
    '/customers/:customerId/labels',
    {
      config: { role: 'agent' },
      schema: {
        tags: ['conversations'],
        summary: 'Remove labels from the customer: ?label=a&label=b',
        params: CustomerParams,
        querystring: Type.Object(
          { label: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: LabelsResult },
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return {
        labels: await changeLabels(deps.ctx, ws, req.params.customerId, {
          op: 'remove',
          labels: req.query.label,
        }),
      };
    },
  );

  app.get(
    '/customers/:customerId',
    {
      config: { role: 'agent' },
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
    { config: { role: 'agent' }, schema: { tags: ['conversations'], params: CustomerParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const rows = await conversationThread(deps.ctx, ws, req.params.customerId);
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
      config: { role: 'agent' },
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
        message: agentTextMessage(req.body.text),
      });
      deps.metrics.sends.inc({ kind: 'agent_reply', outcome: outcomeLabel(outcome) });
      return presentOutcome(reply, outcome);
    },
  );

  app.post(
    '/customers/:customerId/invitations',
    {
      config: { role: 'agent' },
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
      const { outcome, notice } = await inviteWithNotice(deps.ctx, {
        workspaceId: ws,
        customerId: req.params.customerId,
        topicId: req.body.topicId,
        sender: 'agent',
      });
      deps.metrics.sends.inc({ kind: 'agent_invitation', outcome: outcomeLabel(outcome) });
      // R4f: an already sent or subscribed topic shows the page's notice text (app decides, loads it).
      return presentOutcome(reply, outcome, notice && { notice });
    },
  );

  app.post(
    '/customers/:customerId/notifications',
    {
      config: { role: 'agent' },
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
        message: agentTextMessage(req.body.text),
      });
      deps.metrics.sends.inc({ kind: 'agent_notification', outcome: outcomeLabel(outcome) });
      return presentOutcome(reply, outcome);
    },
  );
}
