// "Kết nối Fanpage": start the Facebook Login round trip, its callback, the tick list, connecting the
// ticked pages, and disconnecting a page. Owner and admin only (the default /api role is admin).
import { Type } from '@sinclair/typebox';
import { connectOffered, finishLogin, offeredPages, startConnect } from '../../app/facebook-connect.ts';
import { disconnectPage } from '../../app/page-connections.ts';
import { isDomainError } from '../../domain/errors.ts';
import { PROFILES } from '../../domain/platform.ts';
import { requireAuth } from '../auth.ts';
import type { App, ServerDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { PageParams } from './pages.ts';
import { presentPage } from './presenters.ts';

/** Where the console shows the tick list and the connected pages (web/src/pages/connect). */
export const CONNECT_PAGE = '/pages/connect';
const OfferParams = Type.Object({ offerId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export async function facebookConnectRoutes(app: App, deps: ServerDeps) {
  const fb = () => {
    if (!deps.facebook)
      throw new HttpError(503, 'facebook_login_failed', 'No Meta app is configured for Facebook Login.');
    return deps.facebook;
  };
  const redirectUri = () => `${fb().publicUrl.replace(/\/+$/, '')}/api/facebook/callback`;
  const session = (req: Parameters<typeof requireAuth>[0]) => {
    const auth = requireAuth(req);
    // The state and the offer are bound to a console session; an API key has none.
    if (!auth.sessionToken)
      throw new HttpError(403, 'forbidden', 'Connect pages from the console (a session).');
    return { workspaceId: auth.workspaceId, sessionToken: auth.sessionToken };
  };

  app.post(
    '/facebook/connect',
    { schema: { tags: ['pages'], summary: 'Start "Kết nối Fanpage": the Facebook Login dialog URL' } },
    async (req) => {
      const s = session(req);
      return { url: await startConnect(deps.ctx, fb().app, { ...s, redirectUri: redirectUri() }) };
    },
  );

  // Facebook's redirect lands here without our SameSite=strict cookie: public, guarded by the state.
  app.get(
    '/facebook/callback',
    {
      config: { role: 'public' },
      schema: {
        tags: ['pages'],
        querystring: Type.Object(
          {
            code: Type.Optional(Type.String({ maxLength: 2048 })),
            state: Type.Optional(Type.String({ maxLength: 256 })),
            error: Type.Optional(Type.String({ maxLength: 256 })),
            error_reason: Type.Optional(Type.String({ maxLength: 256 })),
            error_code: Type.Optional(Type.String({ maxLength: 64 })),
            error_description: Type.Optional(Type.String({ maxLength: 1024 })),
          },
          { additionalProperties: true },
        ),
      },
    },
    async (req, reply) => {
      const q = req.query;
      const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.rn_session ?? null;
      try {
        const r = await finishLogin(deps.ctx, fb().app, {
          state: q.state,
          code: q.code,
          error: q.error,
          sessionToken: cookie,
          redirectUri: redirectUri(),
        });
        const to = r.kind === 'offer' ? `?offer=${r.offerId}` : '?error=login_denied';
        return reply.redirect(`${CONNECT_PAGE}${to}`, 302);
      } catch (e) {
        if (isDomainError(e)) return reply.redirect(`${CONNECT_PAGE}?error=${e.code}`, 302);
        throw e;
      }
    },
  );

  app.get(
    '/facebook/offers/:offerId',
    { schema: { tags: ['pages'], summary: 'The pages Facebook listed, to tick', params: OfferParams } },
    async (req) => ({
      pages: await offeredPages(deps.ctx, { ...session(req), offerId: req.params.offerId }),
    }),
  );

  app.post(
    '/facebook/offers/:offerId/connect',
    {
      schema: {
        tags: ['pages'],
        summary: 'Connect the ticked pages (subscribe the app, store the page tokens encrypted)',
        params: OfferParams,
        body: Type.Object(
          {
            pages: Type.Array(
              Type.Object(
                {
                  // Checked against the offer (which must be this session's first: 404 before 400).
                  fbPageId: Type.String({ maxLength: 32 }),
                  profile: Type.Optional(Type.Union(PROFILES.map((p) => Type.Literal(p)))),
                  region: Type.Optional(
                    Type.Union([Type.String({ minLength: 2, maxLength: 8 }), Type.Null()]),
                  ),
                  timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
                },
                { additionalProperties: false },
              ),
              { maxItems: 100 },
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const rows = await connectOffered(deps.ctx, fb().app, {
        ...session(req),
        offerId: req.params.offerId,
        pages: req.body.pages,
      });
      return { pages: rows.map(presentPage) };
    },
  );

  app.post(
    '/pages/:pageId/disconnect',
    {
      schema: {
        tags: ['pages'],
        summary: 'Unsubscribe the app and mark the page disconnected (history kept)',
        params: PageParams,
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const r = await disconnectPage(deps.ctx, ws, req.params.pageId, deps.facebook?.app ?? null);
      return { page: presentPage(r.page), unsubscribed: r.unsubscribed };
    },
  );
}
