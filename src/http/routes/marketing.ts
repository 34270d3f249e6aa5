// Paid marketing messages (R14): the workspace's ad account, the route and cost estimate the campaign
// wizard shows, a campaign's budget and the paid statistics. The system-user token is write-only.
import { Type } from '@sinclair/typebox';
import { connectAdAccount, disconnectAdAccount, getAdAccount } from '../../app/ad-accounts.ts';
import { routeEstimate, setCampaignBudget } from '../../app/marketing-estimates.ts';
import { prepareNotificationCampaigns } from '../../app/marketing-messages.ts';
import { paidStats } from '../../app/marketing-stats.ts';
import { syncMetaTokens } from '../../app/marketing-tokens.ts';
import type { App, ServerDeps } from '../deps.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Minor = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export async function marketingRoutes(app: App, deps: ServerDeps) {
  app.get(
    '/ad-account',
    { schema: { tags: ['marketing'], summary: 'R14a: the connected ad account' } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return { adAccount: await getAdAccount(deps.ctx, ws) };
    },
  );

  app.put(
    '/ad-account',
    {
      schema: {
        tags: ['marketing'],
        summary: 'R14a: connect an ad account (checked on Graph before it is stored)',
        body: Type.Object(
          {
            adAccountId: Type.String({ minLength: 1, maxLength: 40 }),
            accessToken: Type.String({ minLength: 1, maxLength: 1000 }),
            defaultBudgetMinor: Type.Optional(Type.Union([Minor, Type.Null()])),
            minConversationGapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const adAccount = await connectAdAccount(deps.ctx, ws, req.body);
      // Meta's new message campaigns wait before their first send (2300003): made now, not at need.
      await prepareNotificationCampaigns(deps.ctx, ws);
      return { adAccount };
    },
  );

  app.delete('/ad-account', { schema: { tags: ['marketing'] } }, async (req, reply) => {
    const ws = await deps.workspaceFor(req);
    await disconnectAdAccount(deps.ctx, ws);
    return reply.status(204).send();
  });

  app.get(
    '/pages/:pageId/route-estimate',
    {
      schema: {
        tags: ['marketing'],
        summary: "R12h/R14d: the route a campaign's messages take on the page, and Meta's cost estimate",
        params: Type.Object({ pageId: Id }),
        querystring: Type.Object({ budgetMinor: Type.Optional(Minor) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return routeEstimate(deps.ctx, ws, req.params.pageId, req.query.budgetMinor ?? null);
    },
  );

  app.put(
    '/campaigns/:campaignId/budget',
    {
      schema: {
        tags: ['marketing'],
        summary: 'R14d: the most a paid campaign may spend',
        params: Type.Object({ campaignId: Id }),
        body: Type.Object({ budgetMinor: Type.Union([Minor, Type.Null()]) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return setCampaignBudget(deps.ctx, ws, req.params.campaignId, req.body.budgetMinor);
    },
  );

  app.post(
    '/pages/:pageId/marketing-tokens/sync',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['marketing'],
        summary:
          "R14b/R14e: read Meta's subscription-token list of the page now (the worker does it hourly); stops made at Meta become the customers' stops",
        params: Type.Object({ pageId: Id }),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return syncMetaTokens(deps.ctx, ws, req.params.pageId);
    },
  );

  app.get(
    '/stats/paid',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['marketing'],
        summary: 'R14d: paid messages of a campaign or topic: funnel and cost per delivered, read, click',
        querystring: Type.Union([
          Type.Object({ campaignId: Id }, { additionalProperties: false }),
          Type.Object({ topicId: Id }, { additionalProperties: false }),
        ]),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const q = req.query;
      return paidStats(
        deps.ctx,
        ws,
        'campaignId' in q ? { campaignId: q.campaignId } : { topicId: q.topicId },
      );
    },
  );
}
