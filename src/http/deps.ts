// What buildServer(deps) and every route module share: the server's dependencies and the app type.
// Apart from server.ts so that the routes, which server.ts imports, do not import it back.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { FacebookApp } from '../app/facebook-connect.ts';
import type { MessagingContext } from '../app/messaging.ts';
import type { Enqueuer } from '../jobs/queue.ts';
import type { Metrics } from './metrics.ts';
import type { WebhookLimits } from './webhook-gate.ts';

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
    /** Intake group commits running at once (webhook-intake.ts); 1 on PGlite's single connection. */
    commitsInFlight?: number;
  };
  /** SIGNUP: whether POST /api/auth/sign-up creates shops (default closed). */
  signup?: 'open' | 'closed';
  /** The workspace a request acts for. The tenancy seam: accounts and API keys plug in here. */
  workspaceFor(req: FastifyRequest): Promise<number>;
  /** The deployment's Meta app for "Kết nối Fanpage" (Facebook Login); absent = connecting is off. */
  facebook?: { app: FacebookApp; publicUrl: string } | null;
  queueDepth?: () => Promise<number>;
  /** Why the service cannot work right now (the database is away), or null; /healthz answers 503 then. */
  healthProblem?: () => Promise<string | null>;
  logger?: boolean;
  bodyLimit?: number;
  /** Reverse proxies (addresses, CIDRs or loopback/linklocal/uniquelocal) whose X-Forwarded-For is believed. */
  trustProxy?: readonly string[];
  /** The built web console served at /; default web/dist, null = none. */
  webRoot?: string | null;
  security?: {
    /** Secure flag on the session cookie: on when the public URL is https. */
    secureCookies?: boolean;
    /** Requests per minute per caller on /api (0 = no limit). */
    apiRatePerMinute?: number;
    /** A public route's body (sign-in, sign-up, invitation) not received in this time is dropped. */
    publicBodyTimeoutMs?: number;
  };
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
