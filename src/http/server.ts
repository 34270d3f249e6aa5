// buildServer(deps): the Fastify app, used by main.ts and by tests. Routes are thin: validate input
// by schema, call one use-case, present the result. Errors go through one table (errors.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyReply, type FastifyRequest, type HookHandlerDoneFunction } from 'fastify';
import { checkDatabase } from '../app/workspaces.ts';
import { noteAuditTarget } from './audit-actions.ts';
import { auditTrail, guard } from './auth.ts';
import type { ApiRoute, App, ServerDeps } from './deps.ts';
import { errorHandler } from './errors.ts';
import { boundPublicBody } from './public-bodies.ts';
import { ApiRateLimit } from './rate-limit.ts';
import { accountRoutes } from './routes/accounts.ts';
import { assistantRoutes } from './routes/assistant.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { dataRoutes } from './routes/data.ts';
import { facebookConnectRoutes } from './routes/facebook-connect.ts';
import { marketingRoutes } from './routes/marketing.ts';
import { orderEventRoutes } from './routes/order-events.ts';
import { pageRoutes } from './routes/pages.ts';
import { sendRouteRoutes } from './routes/send-routes.ts';
import { signUpRoutes } from './routes/sign-up.ts';
import { statsRoutes } from './routes/stats.ts';
import { templateRoutes } from './routes/templates.ts';
import { topicRoutes } from './routes/topics.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

// The types live in deps.ts so the routes need not import this file (which imports them).
export type { ApiRoute, App, ServerDeps } from './deps.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody: Buffer | null;
  }
  interface FastifyInstance {
    /** Every /api route with its declared role and schemas (the tenancy test walks them all). */
    apiRoutes: ApiRoute[];
  }
}

/** The console's build output (web/dist), served at / when it exists. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function buildServer(deps: ServerDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? false,
    // The client address (rate limits, sign-in throttle) is read from X-Forwarded-For only when the
    // peer is one of these proxies; otherwise a client could name any address it likes.
    trustProxy: deps.trustProxy?.length ? [...deps.trustProxy] : false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Keep the raw bytes: the webhook signature is computed over them, not over re-serialised JSON.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    req.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      const err = new Error('The request body is not valid JSON.') as Error & {
        statusCode: number;
        code: string;
      };
      err.statusCode = 400;
      err.code = 'invalid_json';
      done(err, undefined);
    }
  });
  app.setErrorHandler(errorHandler);
  // Declared, so every request object has them from the start (one shape, not one per added field).
  app.decorateRequest('rawBody', null);
  app.decorateRequest('auth', null);
  // Before the console and the API, in a scope of its own: a delivery runs none of their hooks (cookies,
  // security headers, access, audit), needs none of them, and is the server's hottest path (issue 13).
  await app.register(async (scope) => webhookRoutes(scope as App, deps));
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  await app.register(async (scope) => {
    const site = scope as App;
    // --- web console (web/dist, built by `npm run build:web`): static files + SPA fallback --------------
    // Only GETs that want HTML and are outside the service's own prefixes fall back to index.html, so
    // /api, /webhooks, /healthz, /metrics and /r keep their JSON 404s.
    const webRoot = deps.webRoot === undefined ? WEB_DIST : deps.webRoot;
    const serveConsole = webRoot !== null && existsSync(path.join(webRoot, 'index.html'));
    const spaPath = (url: string) => !/^\/(api|webhooks|healthz|metrics|r)(\/|$|\?)/.test(url);
    site.setNotFoundHandler((req, reply) => {
      if (
        serveConsole &&
        (req.method === 'GET' || req.method === 'HEAD') &&
        spaPath(req.url) &&
        String(req.headers.accept ?? '').includes('text/html')
      ) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      }
      return reply
        .status(404)
        .send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}.` } });
    });
    if (serveConsole) {
      await site.register(fastifyStatic, {
        root: webRoot,
        wildcard: false,
        // Ours below, not the plugin's own `public, max-age=0`, which it wrote over them.
        cacheControl: false,
        setHeaders: (res, file) =>
          res.setHeader(
            'cache-control',
            // Relative to the console's root: an install under any directory named `assets` is not one.
            path.relative(webRoot, file).startsWith(`assets${path.sep}`)
              ? 'public, max-age=31536000, immutable'
              : 'no-cache',
          ),
      });
    }
    // --- end web console ----------------------------------------------------------------------------------

    await site.register(cookie);
    // Every /api route (not the docs) is rate limited per caller; webhooks and the console are not.
    const isApi = (url: string) => url.startsWith('/api/') && !url.startsWith('/api/docs');
    // Per client address until a request authenticates, then per principal (see rate-limit.ts).
    const apiRate = deps.security?.apiRatePerMinute ?? 1200;
    const limit =
      apiRate > 0 ? new ApiRateLimit(apiRate, 60_000, () => deps.ctx.clock.now().getTime()) : null;
    // Every /api route (not the docs) authenticates and checks its declared role; admin writes are audited.
    const checkAccess = guard(deps.ctx, limit);
    const recordAudit = auditTrail(deps.ctx);
    // Run for every request of this scope but needed by /api only: elsewhere (the console's files,
    // /healthz, /metrics, /r) they call `done` at once, no promise per request; for /api they return the promise, awaited as an async hook's is.
    const apiOnly =
      (hook: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
      (
        req: FastifyRequest,
        reply: FastifyReply,
        done: HookHandlerDoneFunction,
      ): Promise<unknown> | undefined => {
        if (isApi(req.url)) return hook(req, reply);
        done();
        return undefined;
      };
    const access = apiOnly(checkAccess);
    // Not on /webhooks (registered above, before the hooks): Meta reads none of the browser security
    // headers; the GET handshake sets them itself, since it echoes a value the caller chose.
    site.addHook('onRequest', (req, reply, done) => {
      reply.headers(SECURITY_HEADERS);
      return access(req, reply, done);
    });
    const noteTarget = noteAuditTarget(deps.ctx);
    site.addHook('preHandler', apiOnly(noteTarget));
    site.addHook('onResponse', apiOnly(recordAudit));
    site.addHook('onRoute', (route) => {
      if (isApi(route.url)) {
        const role = (route.config as { role?: string } | undefined)?.role;
        if (role === 'public') boundPublicBody(route, deps.security?.publicBodyTimeoutMs);
        for (const method of [route.method].flat()) {
          if (method === 'HEAD') continue;
          apiRoutes.push({
            method,
            url: route.url,
            role: (route.config as { role?: string } | undefined)?.role ?? 'admin',
            body: route.schema?.body,
            querystring: route.schema?.querystring,
          });
        }
      }
    });

    await site.register(swagger, {
      openapi: {
        info: {
          title: 'renotify API',
          version: '0.1.0',
          description: 'Messenger notification topics, opt-ins and sends.',
        },
      },
    });
    await site.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

    // A load balancer or orchestrator reads this: 503 with the reason while the database is away (the
    // process itself stays up and reconnects), 200 again once it answers.
    site.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
      const problem = deps.healthProblem
        ? await deps.healthProblem()
        : await checkDatabase(deps.ctx).then(
            () => null,
            (e: Error) => `database: ${e.message}`,
          );
      if (problem) return reply.status(503).send({ status: 'unavailable', reason: problem });
      return { status: 'ok' };
    });
    site.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      if (deps.queueDepth) deps.metrics.queueDepth.set(await deps.queueDepth());
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });

    const accountDeps = {
      ...deps,
      secureCookies: deps.security?.secureCookies ?? false,
    };
    for (const routes of [accountRoutes, signUpRoutes])
      await site.register(async (scope) => routes(scope as App, accountDeps), { prefix: '/api' });
    for (const routes of [
      pageRoutes,
      facebookConnectRoutes,
      topicRoutes,
      assistantRoutes,
      conversationRoutes,
      sendRouteRoutes,
      statsRoutes,
      dataRoutes,
      templateRoutes,
      orderEventRoutes,
      marketingRoutes,
    ])
      await site.register(async (scope) => routes(scope as App, deps), { prefix: '/api' });
    await site.register(async (scope) => campaignRoutes(scope as App, deps));
  });
  return app as App;
}
