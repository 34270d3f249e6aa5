// A running renotify (service + worker + sandbox on loopback, PGlite) with two workspaces, each with
// an owner session, an admin, an agent and an API key — for the security suites.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { addMember, createApiKey, createUser } from '../../src/app/accounts.ts';
import { createTopic } from '../../src/app/topics.ts';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { loadConfig } from '../../src/config.ts';
import type { Role } from '../../src/domain/options.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { upsertCustomer } from '../../src/storage/customers.ts';
import type { Storage } from '../../src/storage/db.ts';
import { type Backend, openTestStorage } from '../support/backends.ts';

export interface Caller {
  cookie?: string;
  csrf?: string;
  apiKey?: string;
}

export interface Reply {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

export async function call(
  base: string,
  method: string,
  path: string,
  who: Caller = {},
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (who.apiKey) headers.authorization = `Bearer ${who.apiKey}`;
  if (who.cookie) headers.cookie = who.cookie;
  if (who.csrf) headers['x-csrf-token'] = who.csrf;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await request(`${base}${path}`, { method: method as 'GET', headers, body: payload });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.statusCode, body: parsed, headers: res.headers };
}

export async function signInAs(base: string, email: string, password: string): Promise<Caller> {
  const res = await request(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.body.json()) as { csrfToken: string };
  if (res.statusCode !== 200) throw new Error(`sign-in failed ${res.statusCode}: ${JSON.stringify(body)}`);
  const setCookie = res.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)!.split(';')[0]!;
  return { cookie, csrf: body.csrfToken };
}

export interface Tenant {
  workspaceId: number;
  pageId: number;
  fbPageId: string;
  topicId: number;
  customerId: number;
  owner: Caller;
  admin: Caller;
  agent: Caller;
  apiKey: Caller;
}

async function member(rt: Runtime, workspaceId: number, role: Role): Promise<Caller> {
  const email = `${role}-${randomBytes(4).toString('hex')}@shop.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await createUser(rt.ctx, { email, name: role, password });
  await addMember(rt.ctx, workspaceId, user.id, role);
  return signInAs(rt.url!, email, password);
}

export async function tenant(
  rt: Runtime,
  existing?: { workspaceId: number; pageId: number; fbPageId: string },
): Promise<Tenant> {
  let scope = existing;
  if (!scope) {
    const fbPageId = `other-${randomBytes(4).toString('hex')}`;
    const { workspaceId, page } = await createWorkspace(rt.ctx, 'Other shop', {
      fbPageId,
      name: 'Other page',
      accessToken: `EAAother-${randomBytes(6).toString('hex')}`,
      appSecret: `other-secret-${randomBytes(6).toString('hex')}`,
    });
    scope = { workspaceId, pageId: page.id, fbPageId };
  }
  const topic = await createTopic(rt.ctx, scope.workspaceId, scope.pageId, {
    name: `Security topic ${randomBytes(3).toString('hex')}`,
    kind: 'one_time',
    title: 'Tell me when it is back',
  });
  const customer = await upsertCustomer(
    rt.ctx.db,
    {
      workspaceId: scope.workspaceId,
      pageId: scope.pageId,
      psid: `psid-${randomBytes(5).toString('hex')}`,
      name: 'Sec',
      interactionAt: rt.clock.now(),
    },
    rt.clock.now(),
  );
  const key = await createApiKey(rt.ctx, scope.workspaceId, { name: 'integration', role: 'owner' }, null);
  return {
    ...scope,
    topicId: topic.id,
    customerId: customer.id,
    owner: await member(rt, scope.workspaceId, 'owner'),
    admin: await member(rt, scope.workspaceId, 'admin'),
    agent: await member(rt, scope.workspaceId, 'agent'),
    apiKey: { apiKey: key.key },
  };
}

export async function boot(
  backend: Backend = 'pglite',
  extra: {
    apiRatePerMinute?: number;
    publicBodyTimeoutMs?: number;
    trustedProxies?: string[];
    onStorage?: (s: Storage) => void;
  } = {},
) {
  const storage = await openTestStorage(backend);
  extra.onStorage?.(storage);
  const config = {
    ...loadConfig({}),
    port: 0,
    sandboxPort: 0,
    host: '127.0.0.1',
    trustedProxies: extra.trustedProxies ?? [],
  };
  const rt = await startRuntime({
    config,
    storage,
    queueSchema: `boss_${randomBytes(4).toString('hex')}`,
    security: {
      apiRatePerMinute: extra.apiRatePerMinute ?? 0,
      ...(extra.publicBodyTimeoutMs !== undefined && { publicBodyTimeoutMs: extra.publicBodyTimeoutMs }),
    },
  });
  return {
    rt,
    async close() {
      await rt.close();
      await storage.close();
    },
  };
}
