// Who is calling: a session cookie (console users) or an API key (integrations, the CLI). Every /api
// route declares the role it needs (`config.role`, default admin); cookie-authenticated writes need the
// session's CSRF token; admin actions are written to the audit log.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyFromToken, audit, roleAtLeast, sessionFromToken } from '../app/accounts.ts';
import type { AppContext } from '../app/context.ts';
import type { Role } from '../storage/schema.ts';
import { AUDIT_ACTIONS, routeOf } from './audit-actions.ts';
import { errorBody, HttpError } from './errors.ts';

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

/** onRequest for the /api scope: authenticate, authorise by role, check CSRF on cookie writes. */
export function guard(ctx: AppContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const needed = req.routeOptions.config?.role ?? 'admin';
    req.auth = await identify(ctx, req);
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

/**
 * Sign-in brute force: failures per (email, IP) and per IP are counted for 15 minutes. From the 5th
 * failure each answer is slowed (doubling up to 8 s); from the 10th the pair is blocked (429) until
 * the window passes. Memory-only: it protects one process, which is what listens for sign-ins.
 */
export class SignInThrottle {
  private failures = new Map<string, { count: number; first: number }>();

  constructor(
    private readonly opts: {
      windowMs?: number;
      slowAfter?: number;
      blockAfter?: number;
      baseDelayMs?: number;
      now?: () => number;
    } = {},
  ) {}

  private get windowMs() {
    return this.opts.windowMs ?? 15 * 60_000;
  }

  private now() {
    return this.opts.now?.() ?? Date.now();
  }

  private count(key: string): number {
    const f = this.failures.get(key);
    if (!f) return 0;
    if (this.now() - f.first > this.windowMs) {
      this.failures.delete(key);
      return 0;
    }
    return f.count;
  }

  /** Before checking the password: blocked (retry after ms) or how long to wait first. */
  check(email: string, ip: string): { blockedForMs: number } | { delayMs: number } {
    const n = Math.max(this.count(`e:${email.toLowerCase()}|${ip}`), Math.floor(this.count(`ip:${ip}`) / 3));
    if (n >= (this.opts.blockAfter ?? 10)) {
      const f = this.failures.get(`e:${email.toLowerCase()}|${ip}`) ?? this.failures.get(`ip:${ip}`);
      return { blockedForMs: Math.max(1, (f?.first ?? this.now()) + this.windowMs - this.now()) };
    }
    const slowAfter = this.opts.slowAfter ?? 5;
    if (n < slowAfter - 1) return { delayMs: 0 };
    return { delayMs: Math.min(8_000, (this.opts.baseDelayMs ?? 250) * 2 ** (n - slowAfter + 1)) };
  }

  fail(email: string, ip: string): void {
    for (const key of [`e:${email.toLowerCase()}|${ip}`, `ip:${ip}`]) {
      const f = this.failures.get(key);
      if (!f || this.now() - f.first > this.windowMs) this.failures.set(key, { count: 1, first: this.now() });
      else f.count++;
    }
  }

  succeed(email: string, ip: string): void {
    this.failures.delete(`e:${email.toLowerCase()}|${ip}`);
  }
}
