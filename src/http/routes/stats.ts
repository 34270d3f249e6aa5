// R10 statistics for admins: per topic (totals + daily series), per page, per campaign.
import { Type } from '@sinclair/typebox';
import { pageOverview } from '../../app/overview.ts';
import { campaignStats, MAX_STATS_DAYS, pageStats, topicStats, workspaceStats } from '../../app/stats.ts';
import type { App, ServerDeps } from '../deps.ts';
import { CampaignStats, Overview, PageStats, TopicStats, WorkspaceStats } from '../schemas/stats.ts';
import { PageParams } from './pages.ts';

const DaysQuery = Type.Object(
  { days: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_STATS_DAYS, default: 30 })) },
  { additionalProperties: false },
);
const TopicParams = Type.Object({ topicId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export async function statsRoutes(app: App, deps: ServerDeps) {
  app.get(
    '/topics/:topicId/stats',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['statistics'],
        summary: 'R10b: invitations, acceptance rate, valid subscribers over time, stops, sends',
        params: TopicParams,
        querystring: DaysQuery,
        response: { 200: TopicStats },
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return topicStats(deps.ctx, ws, req.params.topicId, req.query.days ?? 30);
    },
  );

  app.get(
    '/pages/:pageId/stats',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['statistics'],
        summary: 'The page at a glance: customers, subscribers, topics (interaction over `days`)',
        params: PageParams,
        querystring: DaysQuery,
        response: { 200: PageStats },
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return pageStats(deps.ctx, ws, req.params.pageId, req.query.days ?? 30);
    },
  );

  app.get(
    '/stats',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['statistics'],
        summary: 'The whole workspace: customers, subscribers and sends, summed and per page',
        querystring: DaysQuery,
        response: { 200: WorkspaceStats },
      },
    },
    async (req) => workspaceStats(deps.ctx, await deps.workspaceFor(req), req.query.days ?? 30),
  );

  app.get(
    '/pages/:pageId/overview',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['statistics'],
        summary: 'The home screen: waiting conversations, subscribers by topic, latest campaigns, attention',
        params: PageParams,
        response: { 200: Overview },
      },
    },
    async (req) => pageOverview(deps.ctx, await deps.workspaceFor(req), req.params.pageId),
  );

  app.get(
    '/campaigns/:id/stats',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['statistics'],
        summary: 'R10a: targeted, sent, delivered, read, clicked, failed by reason, stopped after, rates',
        // `:id`, as the campaign routes name it: one path segment, one parameter name.
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        response: { 200: CampaignStats },
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return campaignStats(deps.ctx, ws, req.params.id);
    },
  );
}
