// Campaigns (R9): create, list, read with progress, dry run, start / schedule, pause, resume, cancel,
// the delivery list; and the tracked redirect of URL buttons (GET /r/:token, a public service route).
// Registered without a prefix: the /api paths are spelled out here.
import { type Static, Type } from '@sinclair/typebox';
import {
  type CreateCampaign,
  campaignDeliveries,
  campaignProgress,
  cancelCampaign,
  createCampaign,
  deleteDraft,
  dryRun,
  followLink,
  getCampaign,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  startCampaign,
  updateDraft,
} from '../../app/campaigns.ts';
import type { CampaignRow } from '../../storage/schema.ts';
import type { App, ServerDeps } from '../deps.ts';
import {
  type CampaignAudience as Audience,
  CampaignCreateBody as CreateBody,
  DateTime,
  CampaignDraftBody as DraftBody,
  Id,
} from '../schemas/campaigns.ts';
import { DryRunResult } from '../schemas/send-routes.ts';
import { PageParams } from './pages.ts';

const CampaignParams = Type.Object({ id: Id });
const DeliveryQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union(
        ['pending', 'sending', 'retry', 'deferred', 'sent', 'failed', 'skipped'].map((s) => Type.Literal(s)),
      ),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    after: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

function audienceInput(a: Static<typeof Audience> | undefined): CreateCampaign['audience'] {
  if (!a) return {};
  const d = (v: string | undefined) => (v ? { v: new Date(v) } : undefined);
  return {
    ...(a.labels && { labels: a.labels }),
    ...(a.attributes && { attributes: a.attributes }),
    ...(d(a.lastInteractionFrom) && { lastInteractionFrom: d(a.lastInteractionFrom)!.v }),
    ...(d(a.lastInteractionTo) && { lastInteractionTo: d(a.lastInteractionTo)!.v }),
    ...(d(a.optedInFrom) && { optedInFrom: d(a.optedInFrom)!.v }),
    ...(d(a.optedInTo) && { optedInTo: d(a.optedInTo)!.v }),
  };
}

export function presentCampaign(c: CampaignRow) {
  return {
    id: c.id,
    pageId: c.page_id,
    topicId: c.topic_id,
    name: c.name,
    status: c.status,
    pauseReason: c.pause_reason,
    content: c.content,
    audience: c.audience,
    allowDefer: c.allow_defer,
    scheduledAt: c.scheduled_at,
    startedAt: c.started_at,
    finishedAt: c.finished_at,
    targeted: c.targeted,
    sent: c.sent_count,
    failed: c.failed_count,
    skipped: c.skipped_count,
    createdAt: c.created_at,
  };
}

export async function campaignRoutes(app: App, deps: ServerDeps) {
  const tags = ['campaigns'];
  const admin = { role: 'admin' as const };
  const present = async (c: CampaignRow) => ({
    ...presentCampaign(c),
    progress: await campaignProgress(deps.ctx, c),
  });

  app.post(
    '/api/pages/:pageId/campaigns',
    {
      config: admin,
      schema: { tags, summary: 'R9a/b: create a draft', params: PageParams, body: CreateBody },
    },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const b = req.body;
      const c = await createCampaign(deps.ctx, ws, req.params.pageId, {
        name: b.name,
        topicId: b.topicId,
        content: b.content as CreateCampaign['content'],
        audience: audienceInput(b.audience),
        allowDefer: b.allowDefer ?? false,
      });
      return reply.status(201).send(presentCampaign(c));
    },
  );

  app.get(
    '/api/pages/:pageId/campaigns',
    { config: admin, schema: { tags, params: PageParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return {
        campaigns: (await listCampaigns(deps.ctx, ws, { pageId: req.params.pageId })).map(presentCampaign),
      };
    },
  );

  app.get('/api/campaigns', { config: admin, schema: { tags } }, async (req) => {
    const ws = await deps.workspaceFor(req);
    return { campaigns: (await listCampaigns(deps.ctx, ws)).map(presentCampaign) };
  });

  app.get(
    '/api/campaigns/:id',
    { config: admin, schema: { tags, summary: 'R9e: with live progress', params: CampaignParams } },
    async (req) => present(await getCampaign(deps.ctx, await deps.workspaceFor(req), req.params.id)),
  );

  app.patch(
    '/api/campaigns/:id',
    {
      config: admin,
      schema: { tags, summary: 'R9: edit a draft (only a draft)', params: CampaignParams, body: DraftBody },
    },
    async (req) => {
      const b = req.body;
      const c = await updateDraft(deps.ctx, await deps.workspaceFor(req), req.params.id, {
        ...(b.name !== undefined && { name: b.name }),
        ...(b.topicId !== undefined && { topicId: b.topicId }),
        ...(b.content !== undefined && { content: b.content as CreateCampaign['content'] }),
        ...(b.audience !== undefined && { audience: audienceInput(b.audience) }),
        ...(b.allowDefer !== undefined && { allowDefer: b.allowDefer }),
      });
      return presentCampaign(c);
    },
  );

  app.delete(
    '/api/campaigns/:id',
    { config: admin, schema: { tags, summary: 'R9: delete a draft (only a draft)', params: CampaignParams } },
    async (req, reply) => {
      await deleteDraft(deps.ctx, await deps.workspaceFor(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/campaigns/:id/dry-run',
    {
      config: admin,
      schema: {
        tags,
        summary: 'R9c: who would get it, and why not',
        params: CampaignParams,
        response: { 200: DryRunResult },
      },
    },
    async (req) => dryRun(deps.ctx, await deps.workspaceFor(req), req.params.id),
  );

  app.post(
    '/api/campaigns/:id/start',
    {
      config: admin,
      schema: {
        tags,
        summary: 'R9e: start now, or schedule with `at`',
        params: CampaignParams,
        body: Type.Object({ at: Type.Optional(DateTime) }, { additionalProperties: false }),
      },
      // The body is optional. Without a content-type Fastify parses nothing, and with an empty JSON body
      // our parser gives undefined: either way the schema would refuse "body must be object", so no body
      // means {} (start now).
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => {
      const at = req.body?.at ? new Date(req.body.at) : null;
      return present(await startCampaign(deps.ctx, await deps.workspaceFor(req), req.params.id, at));
    },
  );

  for (const [verb, fn] of [
    ['pause', pauseCampaign],
    ['resume', resumeCampaign],
    ['cancel', cancelCampaign],
  ] as const) {
    app.post(
      `/api/campaigns/:id/${verb}`,
      { config: admin, schema: { tags, summary: `R9e: ${verb}`, params: CampaignParams } },
      async (req) => present(await fn(deps.ctx, await deps.workspaceFor(req), req.params.id)),
    );
  }

  app.get(
    '/api/campaigns/:id/deliveries',
    {
      config: admin,
      schema: {
        tags,
        summary: 'R9d: every recipient and how it ended',
        params: CampaignParams,
        querystring: DeliveryQuery,
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const q = req.query;
      const rows = await campaignDeliveries(deps.ctx, ws, req.params.id, {
        ...(q.status && { status: q.status as never }),
        ...(q.after !== undefined && { after: q.after }),
        ...(q.limit !== undefined && { limit: q.limit }),
      });
      return {
        deliveries: rows.map((r) => ({
          id: r.id,
          customerId: r.customer_id,
          psid: r.psid,
          name: r.name,
          status: r.status,
          reason: r.reason,
          messageId: r.message_id,
          attempts: r.attempts,
          sentAt: r.sent_at,
          deferredUntil: r.deferred_until,
          clickedAt: r.clicked_at,
        })),
        next: rows.length ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  // Public: the customer's phone follows it. Records the click (R10a), then redirects.
  app.get(
    '/r/:token',
    { schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 200 }) }) } },
    async (req, reply) => reply.redirect(await followLink(deps.ctx, req.params.token), 302),
  );
}
