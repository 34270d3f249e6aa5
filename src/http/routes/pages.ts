// Pages of the workspace and their settings: profile, time zone, region, the R4f notice text.
import { Type } from '@sinclair/typebox';
import {
  getNoticeText,
  getPage,
  listPages,
  setNoticeText,
  updatePageSettings,
} from '../../app/workspaces.ts';
import { PROFILES } from '../../domain/platform.ts';
import type { App, ServerDeps } from '../deps.ts';
import { presentPage } from './presenters.ts';

export const PageParams = Type.Object({ pageId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export async function pageRoutes(app: App, deps: ServerDeps) {
  // Agents see which pages exist (the inbox needs them) but not their settings.
  app.get(
    '/pages',
    { config: { role: 'agent' }, schema: { tags: ['pages'], summary: 'Pages of the workspace' } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const rows = await listPages(deps.ctx, ws);
      if (req.auth?.role === 'agent')
        return { pages: rows.map((p) => ({ id: p.id, fbPageId: p.fb_page_id, name: p.name })) };
      return { pages: rows.map(presentPage) };
    },
  );

  app.get('/pages/:pageId', { schema: { tags: ['pages'], params: PageParams } }, async (req) => {
    const ws = await deps.workspaceFor(req);
    return presentPage(await getPage(deps.ctx, ws, req.params.pageId));
  });

  app.patch(
    '/pages/:pageId',
    {
      schema: {
        tags: ['pages'],
        summary: 'Change the platform profile, time zone, region or opt-in feature switch',
        params: PageParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            profile: Type.Optional(Type.Union(PROFILES.map((p) => Type.Literal(p)))),
            timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            region: Type.Optional(Type.Union([Type.String({ minLength: 2, maxLength: 8 }), Type.Null()])),
            optInFeatureEnabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentPage(await updatePageSettings(deps.ctx, ws, req.params.pageId, req.body));
    },
  );

  app.get(
    '/pages/:pageId/notice',
    { schema: { tags: ['pages'], summary: 'R4f: the "already subscribed" notice', params: PageParams } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return getNoticeText(deps.ctx, ws, req.params.pageId);
    },
  );

  app.put(
    '/pages/:pageId/notice',
    {
      schema: {
        tags: ['pages'],
        params: PageParams,
        body: Type.Object(
          {
            vi: Type.Optional(Type.String({ maxLength: 640 })),
            en: Type.Optional(Type.String({ maxLength: 640 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return setNoticeText(deps.ctx, ws, req.params.pageId, req.body);
    },
  );
}
