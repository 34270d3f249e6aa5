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
import type { App, ServerDeps } from '../deps.ts';
import { TopicCreateBody as CreateBody, TopicEditBody as EditBody } from '../schemas/topics.ts';
import { PageParams } from './pages.ts';
import { presentTopic } from './presenters.ts';

const TopicParams = Type.Object({ topicId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

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
