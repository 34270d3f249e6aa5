// Who is calling: a session cookie (console users) or an API key (integrations, the CLI). Every /api
// route declares the role it needs (`config.role`, default admin); cookie-authenticated writes need the
// session's CSRF token; admin actions are written to the audit log.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyFromToken, audit, sessionFromToken } from '../app/accounts.ts';
import type { AppContext } from '../app/context.ts';
import { type Role, roleAtLeast } from '../domain/options.ts';
import { AUDIT_ACTIONS, routeOf } from './audit-actions.ts';
import { errorBody, HttpError } from './errors.ts';
import { ApiRateLimit } from './rate-limit.ts';

export const SESSION_COOKIE = 'rn_session';

export interface AuthContext {
  kind: 'session' | 'api_key';
  workspaceId: number;
  role: Role;
  userId: number | null;
  apiKeyId: number | null;
  actor: string;
  name: string | null;
  email: string | null;
  csrfToken: string | null;
  sessionToken: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; `public` for sign-in and invitation acceptance. */
    role?: Role | 'public';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function identify(ctx: AppContext, req: FastifyRequest): Promise<AuthContext | null> {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const key = await apiKeyFromToken(ctx, header.slice(7).trim());
    if (!key) return null;
    return {
      kind: 'api_key',
      workspaceId: key.workspace_id,
      role: key.role,
      userId: null,
      apiKeyId: key.id,
      actor: `api_key:${key.name}`,
      name: key.name,
      email: null,
      csrfToken: null,
      sessionToken: null,
    };
  }
  const token = req.cookies?.[SESSION_COOKIE];
  if (!token) return null;
  const s = await sessionFromToken(ctx, token);
  if (!s) return null;
  return {
    kind: 'session',
    workspaceId: s.workspaceId,
    role: s.role,
    userId: s.userId,
    apiKeyId: null,
    actor: `user:${s.email}`,
    name: s.name,
    email: s.email,
    csrfToken: s.csrfToken,
    sessionToken: token,
  };
}

/**
 * onRequest for the /api scope: rate limit, authenticate, authorise by role, check CSRF on cookie
 * writes. The client address is charged before any credential is looked up; a request that
 * authenticates is moved to its principal's bucket.
 */
export function guard(ctx: AppContext, limit: ApiRateLimit | null = null) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const needed = req.routeOptions.config?.role ?? 'admin';
    const address = ApiRateLimit.addressKey(req.ip);
    if (limit && !limit.take(address, reply)) return reply;
    req.auth = await identify(ctx, req);
    if (limit && req.auth) {
      limit.refund(address);
      if (!limit.take(ApiRateLimit.principalKey(req.auth), reply)) return reply;
    }
    if (needed === 'public') return;
    if (!req.auth) {
      return reply
        .status(401)
        .send(errorBody('not_authenticated', 'Sign in, or send an API key as "Authorization: Bearer …".'));
    }
    if (!roleAtLeast(req.auth.role, needed)) {
      return reply
        .status(403)
        .send(errorBody('forbidden', `This needs the ${needed} role; you are ${req.auth.role}.`));
    }
    if (req.auth.kind === 'session' && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !req.auth.csrfToken || !sameSecret(sent, req.auth.csrfToken)) {
        return reply.status(403).send(errorBody('csrf_failed', 'Missing or wrong X-CSRF-Token header.'));
      }
    }
  };
}

/** onResponse: admin actions (writes by admins and owners) go to the audit log — who, what, when. */
export function auditTrail(ctx: AppContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const role = req.routeOptions.config?.role ?? 'admin';
    if (!req.auth || SAFE_METHODS.has(req.method) || role === 'agent' || role === 'public') return;
    const params = (req.params ?? {}) as Record<string, unknown>;
    await audit(ctx, {
      workspaceId: req.auth.workspaceId,
      userId: req.auth.userId,
      apiKeyId: req.auth.apiKeyId,
      actor: req.auth.actor,
      action: routeOf(req),
      actionKey: AUDIT_ACTIONS[routeOf(req)]?.key ?? null,
      target: Object.keys(params).length ? JSON.stringify(params) : null,
      targetName: req.auditTargetName ?? null,
      status: reply.statusCode,
    }).catch((e) => req.log.error({ err: e }, 'audit write failed'));
  };
}

export function requireAuth(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new HttpError(401, 'not_authenticated', 'Sign in, or send an API key.');
  return req.auth;
}
