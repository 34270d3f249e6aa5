// Chat assistant triggers (Trợ lý chat): list, create, edit, delete.
import { Type } from '@sinclair/typebox';
import {
  createTrigger,
  deleteTrigger,
  getTrigger,
  listTriggers,
  updateTrigger,
} from '../../app/assistant.ts';
import { TRIGGER_KINDS } from '../../domain/assistant.ts';
import type { App, ServerDeps } from '../deps.ts';
import { PageParams } from './pages.ts';
import { presentTrigger } from './presenters.ts';

const TriggerParams = Type.Object({ triggerId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
// Blocks are validated by the domain (validateBlocks) with precise messages; here only their outline.
const Body = Type.Object(
  {
    kind: Type.Union(TRIGGER_KINDS.map((k) => Type.Literal(k))),
    value: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    blocks: Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }), {
      maxItems: 10,
    }),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export async function assistantRoutes(app: App, deps: ServerDeps) {
  app.get(
    '/pages/:pageId/assistant/triggers',
    { schema: { tags: ['chat assistant'], params: PageParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return { triggers: (await listTriggers(deps.ctx, ws, req.params.pageId)).map(presentTrigger) };
    },
  );

  app.post(
    '/pages/:pageId/assistant/triggers',
    { schema: { tags: ['chat assistant'], params: PageParams, body: Body } },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      return reply
        .status(201)
        .send(presentTrigger(await createTrigger(deps.ctx, ws, req.params.pageId, req.body)));
    },
  );

  app.get(
    '/assistant/triggers/:triggerId',
    { schema: { tags: ['chat assistant'], params: TriggerParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentTrigger(await getTrigger(deps.ctx, ws, req.params.triggerId));
    },
  );

  app.patch(
    '/assistant/triggers/:triggerId',
    {
      schema: {
        tags: ['chat assistant'],
        params: TriggerParams,
        body: Type.Partial(Body, { additionalProperties: false }),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentTrigger(await updateTrigger(deps.ctx, ws, req.params.triggerId, req.body));
    },
  );

  app.delete(
    '/assistant/triggers/:triggerId',
    { schema: { tags: ['chat assistant'], params: TriggerParams } },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      await deleteTrigger(deps.ctx, ws, req.params.triggerId);
      return reply.status(204).send();
    },
  );
}
