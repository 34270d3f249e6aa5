// Topics (R5): list, create, edit, activate / deactivate, delete.
import { Type } from '@sinclair/typebox';
import {
  createTopic,
  deactivateTopic,
  deleteTopic,
  editTopic,
  getTopic,
  listTopics,
  reactivateTopic,
} from '../../app/topics.ts';
import { CTA_TEXTS, FREQUENCIES } from '../../domain/platform.ts';
import type { App, ServerDeps } from '../server.ts';
import { PageParams } from './pages.ts';
import { presentTopic } from './presenters.ts';

const TopicParams = Type.Object({ topicId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const topicFields = {
  name: Type.String({ maxLength: 200 }),
  kind: Type.Union([Type.Literal('recurring'), Type.Literal('one_time')]),
  title: Type.String({ maxLength: 500 }),
  imageUrl: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
  ctaText: Type.Union([...CTA_TEXTS.map((c) => Type.Literal(c)), Type.Null()]),
  frequency: Type.Union([...FREQUENCIES.map((f) => Type.Literal(f)), Type.Null()]),
  validityMonths: Type.Union([Type.Integer(), Type.Null()]),
};
const CreateBody = Type.Object(
  {
    name: topicFields.name,
    kind: topicFields.kind,
    title: topicFields.title,
    imageUrl: Type.Optional(topicFields.imageUrl),
    ctaText: Type.Optional(topicFields.ctaText),
    frequency: Type.Optional(topicFields.frequency),
    validityMonths: Type.Optional(topicFields.validityMonths),
  },
  { additionalProperties: false },
);
const EditBody = Type.Partial(CreateBody, { additionalProperties: false });

export async function topicRoutes(app: App, deps: ServerDeps) {
  app.get('/pages/:pageId/topics', { schema: { tags: ['topics'], params: PageParams } }, async (req) => {
    const ws = await deps.workspaceFor(req);
    return { topics: (await listTopics(deps.ctx, ws, req.params.pageId)).map(presentTopic) };
  });

  app.post(
    '/pages/:pageId/topics',
    { schema: { tags: ['topics'], params: PageParams, body: CreateBody } },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const topic = await createTopic(deps.ctx, ws, req.params.pageId, { ...req.body });
      return reply.status(201).send(presentTopic(topic));
    },
  );

  app.get('/topics/:topicId', { schema: { tags: ['topics'], params: TopicParams } }, async (req) => {
    const ws = await deps.workspaceFor(req);
    return presentTopic(await getTopic(deps.ctx, ws, req.params.topicId));
  });

  app.patch(
    '/topics/:topicId',
    { schema: { tags: ['topics'], params: TopicParams, body: EditBody } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentTopic(await editTopic(deps.ctx, ws, req.params.topicId, { ...req.body }));
    },
  );

  app.post(
    '/topics/:topicId/deactivate',
    { schema: { tags: ['topics'], summary: 'R5b', params: TopicParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentTopic(await deactivateTopic(deps.ctx, ws, req.params.topicId));
    },
  );

  app.post(
    '/topics/:topicId/activate',
    { schema: { tags: ['topics'], summary: 'R5b', params: TopicParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentTopic(await reactivateTopic(deps.ctx, ws, req.params.topicId));
    },
  );

  app.delete(
    '/topics/:topicId',
    { schema: { tags: ['topics'], summary: 'R5c', params: TopicParams } },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      await deleteTopic(deps.ctx, ws, req.params.topicId);
      return reply.status(204).send();
    },
  );
}
