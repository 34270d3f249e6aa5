// buildServer(deps): the Fastify app, used by main.ts and by tests. Routes are thin: validate input
// by schema, call one use-case, present the result. Errors go through one table (errors.ts).
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { MessagingContext } from '../app/messaging.ts';
import type { Enqueuer } from '../jobs/queue.ts';
import { auditTrail, guard, SignInThrottle } from './auth.ts';
import { errorHandler } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { accountRoutes } from './routes/accounts.ts';
import { assistantRoutes } from './routes/assistant.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { pageRoutes } from './routes/pages.ts';
import { topicRoutes } from './routes/topics.ts';
import { webhookRoutes } from './routes/webhooks.ts';

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
  webhook: { appSecret: string | undefined; verifyToken: string | undefined };
  /** The workspace a request acts for. The tenancy seam: accounts and API keys plug in here. */
  workspaceFor(req: FastifyRequest): Promise<number>;
  queueDepth?: () => Promise<number>;
  logger?: boolean;
  bodyLimit?: number;
  security?: {
    /** Secure flag on the session cookie: on when the public URL is https. */
    secureCookies?: boolean;
    /** Requests per minute per caller on /api (0 = no limit). */
    apiRatePerMinute?: number;
    throttle?: SignInThrottle;
  };
}

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
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}.` } }),
  );

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
  const apiRate = deps.security?.apiRatePerMinute ?? 1200;
  if (apiRate > 0) {
    await app.register(rateLimit, {
      global: false,
      max: apiRate,
      timeWindow: '1 minute',
      keyGenerator: (req) => String(req.headers.authorization ?? req.cookies?.rn_session ?? req.ip).slice(0, 200),
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: 429,
        error: { code: 'rate_limited', message: `Too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s.` },
      }),
    });
  }
  // Every /api route (not the docs) authenticates and checks its declared role; admin writes are audited.
  const isApi = (url: string) => url.startsWith('/api/') && !url.startsWith('/api/docs');
  const checkAccess = guard(deps.ctx);
  const recordAudit = auditTrail(deps.ctx);
  app.addHook('onRequest', async (req, reply) => {
    req.auth = null;
    if (isApi(req.url)) return checkAccess(req, reply);
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
    if (apiRate > 0 && isApi(route.url)) {
      route.config = { ...(route.config as object), rateLimit: { max: apiRate, timeWindow: '1 minute' } } as typeof route.config;
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
  return app as App;
}
