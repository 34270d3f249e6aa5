// buildServer(deps): the Fastify app, used by main.ts and by tests. Routes are thin: validate input
// by schema, call one use-case, present the result. Errors go through one table (errors.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { MessagingContext } from '../app/messaging.ts';
import type { Enqueuer } from '../jobs/queue.ts';
import { auditTrail, guard, SignInThrottle } from './auth.ts';
import { errorHandler, HttpError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { accountRoutes } from './routes/accounts.ts';
import { assistantRoutes } from './routes/assistant.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { dataRoutes } from './routes/data.ts';
import { pageRoutes } from './routes/pages.ts';
import { statsRoutes } from './routes/stats.ts';
import { topicRoutes } from './routes/topics.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { WebhookLimits } from './webhook-gate.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
  interface FastifyInstance {
    /** Every /api route with its declared role and schemas (the tenancy test walks them all). */
    apiRoutes: ApiRoute[];
  }
}

export interface ApiRoute {
  method: string;
  url: string;
  role: string;
  body: unknown;
  querystring: unknown;
}

export interface ServerDeps {
  ctx: MessagingContext & { queue: Enqueuer };
  metrics: Metrics;
  webhook: {
    appSecret: string | undefined;
    verifyToken: string | undefined;
    /** Body size, body time and held-body bounds for POST /webhooks/messenger (webhook-gate.ts). */
    limits?: Partial<WebhookLimits>;
  };
  /** The workspace a request acts for. The tenancy seam: accounts and API keys plug in here. */
  workspaceFor(req: FastifyRequest): Promise<number>;
  queueDepth?: () => Promise<number>;
  logger?: boolean;
  bodyLimit?: number;
  /** The built web console served at /; default web/dist, null = none. */
  webRoot?: string | null;
  security?: {
    /** Secure flag on the session cookie: on when the public URL is https. */
    secureCookies?: boolean;
    /** Requests per minute per caller on /api (0 = no limit). */
    apiRatePerMinute?: number;
    throttle?: SignInThrottle;
  };
}

/** The console's build output (web/dist), served at / when it exists. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('fastify').FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export async function buildServer(deps: ServerDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? false,
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
  // --- web console (web/dist, built by `npm run build:web`): static files + SPA fallback --------------
  // Only GETs that want HTML and are outside the service's own prefixes fall back to index.html, so
  // /api, /webhooks, /healthz, /metrics and /r keep their JSON 404s.
  const webRoot = deps.webRoot === undefined ? WEB_DIST : deps.webRoot;
  const serveConsole = webRoot !== null && existsSync(path.join(webRoot, 'index.html'));
  const spaPath = (url: string) => !/^\/(api|webhooks|healthz|metrics|r)(\/|$|\?)/.test(url);
  app.setNotFoundHandler((req, reply) => {
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
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      setHeaders: (res, file) =>
        res.setHeader(
          'cache-control',
          file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ),
    });
  }
  // --- end web console ----------------------------------------------------------------------------------

  // Security headers. The console and the API docs are served from this origin only.
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:', 'http:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie);
  // Every /api route (not the docs) is rate limited per caller; webhooks and the console are not.
  const isApi = (url: string) => url.startsWith('/api/') && !url.startsWith('/api/docs');
  const apiRate = deps.security?.apiRatePerMinute ?? 1200;
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (req) =>
      String(req.headers.authorization ?? req.cookies?.rn_session ?? req.ip).slice(0, 200),
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(429, 'rate_limited', `Too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s.`),
  });
  // Counted before authentication, so floods of bad keys are limited too.
  const limitApi = apiRate > 0 ? app.rateLimit({ max: apiRate, timeWindow: '1 minute' }) : null;
  // Every /api route (not the docs) authenticates and checks its declared role; admin writes are audited.
  const checkAccess = guard(deps.ctx);
  const recordAudit = auditTrail(deps.ctx);
  app.addHook('onRequest', async (req, reply) => {
    req.auth = null;
    if (!isApi(req.url)) return;
    if (limitApi) await limitApi.call(app, req, reply);
    return checkAccess(req, reply);
  });
  app.addHook('onResponse', async (req, reply) => {
    if (isApi(req.url)) await recordAudit(req, reply);
  });
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (isApi(route.url)) {
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

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'renotify API',
        version: '0.1.0',
        description: 'Messenger notification topics, opt-ins and sends.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  app.get('/healthz', { schema: { hide: true } }, async () => {
    await deps.ctx.db.selectFrom('workspaces').select('id').limit(1).execute();
    return { status: 'ok' };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    if (deps.queueDepth) deps.metrics.queueDepth.set(await deps.queueDepth());
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  await app.register(async (scope) => webhookRoutes(scope as App, deps));
  const accountDeps = {
    ...deps,
    throttle: deps.security?.throttle ?? new SignInThrottle(),
    secureCookies: deps.security?.secureCookies ?? false,
  };
  await app.register(async (scope) => accountRoutes(scope as App, accountDeps), { prefix: '/api' });
  await app.register(async (scope) => pageRoutes(scope as App, deps), { prefix: '/api' });
  await app.register(async (scope) => topicRoutes(scope as App, deps), { prefix: '/api' });
  await app.register(async (scope) => assistantRoutes(scope as App, deps), { prefix: '/api' });
  await app.register(async (scope) => conversationRoutes(scope as App, deps), { prefix: '/api' });
  await app.register(async (scope) => statsRoutes(scope as App, deps), { prefix: '/api' });
  await app.register(async (scope) => dataRoutes(scope as App, deps), { prefix: '/api' });
  await app.register(async (scope) => campaignRoutes(scope as App, deps));
  return app as App;
}
