// Order events (R13c): the shop's own system posts them with an Idempotency-Key; each page maps an event
// type to a template and its parameters; the log is listed and searched.
import { Type } from '@sinclair/typebox';
import {
  listMappings,
  listOrderEvents,
  postOrderEvent,
  putMapping,
  removeMapping,
} from '../../app/order-events.ts';
import { ORDER_EVENT_REASONS } from '../../domain/order-events.ts';
import type { OrderEventMappingRow, OrderEventRow } from '../../storage/schema.ts';
import type { App, ServerDeps } from '../deps.ts';
import {
  EventType,
  MappingBody,
  type MappingView,
  OrderEventBody,
  type OrderEventView,
} from '../schemas/templates.ts';
import { PageParams } from './pages.ts';

const MappingParams = Type.Object({
  pageId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  eventType: EventType,
});

function presentMapping(m: OrderEventMappingRow): MappingView {
  return {
    eventType: m.event_type,
    templateId: m.template_id,
    params: m.params,
    updatedAt: m.updated_at.toISOString(),
  };
}

export function presentOrderEvent(e: OrderEventRow): OrderEventView {
  const code = e.reason?.split(':')[0] ?? null;
  return {
    id: Number(e.id),
    idempotencyKey: e.idempotency_key,
    type: e.event_type,
    orderId: e.order_id,
    customer: { psid: e.customer_psid, phone: e.customer_phone, id: e.customer_id },
    fields: e.fields,
    status: e.status,
    reason: e.reason,
    reasonText:
      code && code in ORDER_EVENT_REASONS
        ? ORDER_EVENT_REASONS[code as keyof typeof ORDER_EVENT_REASONS]
        : null,
    templateId: e.template_id,
    messageId: e.message_id,
    text: e.text,
    attempts: e.attempts,
    createdAt: e.created_at.toISOString(),
    settledAt: e.settled_at?.toISOString() ?? null,
  };
}

export async function orderEventRoutes(app: App, deps: ServerDeps) {
  app.get(
    '/pages/:pageId/order-event-mappings',
    { schema: { tags: ['order-events'], params: PageParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return { mappings: (await listMappings(deps.ctx, ws, req.params.pageId)).map(presentMapping) };
    },
  );

  app.put(
    '/pages/:pageId/order-event-mappings/:eventType',
    {
      schema: {
        tags: ['order-events'],
        summary: 'R13c: map an event type to a template',
        params: MappingParams,
        body: MappingBody,
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentMapping(
        await putMapping(deps.ctx, ws, req.params.pageId, req.params.eventType, req.body),
      );
    },
  );

  app.delete(
    '/pages/:pageId/order-event-mappings/:eventType',
    { schema: { tags: ['order-events'], params: MappingParams } },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      await removeMapping(deps.ctx, ws, req.params.pageId, req.params.eventType);
      return reply.status(204).send();
    },
  );

  app.post(
    '/pages/:pageId/order-events',
    {
      schema: {
        tags: ['order-events'],
        summary:
          'R13c: an order event (Idempotency-Key header required); answered sent / sent_as_reply / refused',
        params: PageParams,
        body: OrderEventBody,
      },
      // The shop's own system posts with any API key; what it may send is the page's mapping (admin).
      config: { role: 'agent' },
    },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const header = req.headers['idempotency-key'];
      const { event, replayed } = await postOrderEvent(deps.ctx, ws, req.params.pageId, {
        idempotencyKey: Array.isArray(header) ? header[0] : header,
        body: req.body,
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(replayed ? 200 : 201).send(presentOrderEvent(event));
    },
  );

  app.get(
    '/pages/:pageId/order-events',
    {
      schema: {
        tags: ['order-events'],
        params: PageParams,
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([
              Type.Literal('pending'),
              Type.Literal('sent'),
              Type.Literal('sent_as_reply'),
              Type.Literal('refused'),
            ]),
          ),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const rows = await listOrderEvents(deps.ctx, ws, req.params.pageId, req.query);
      return { events: rows.map(presentOrderEvent) };
    },
  );
}
