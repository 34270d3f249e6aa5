// A running renotify (service + worker + sandbox on loopback free ports, PGlite or PostgreSQL) with API
// keys of the demo workspace — for HTTP-level tests and for the CLI, which is a client of this API.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { createApiKey } from '../../src/app/accounts.ts';
import { loadConfig } from '../../src/config.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { type Backend, openTestStorage } from './backends.ts';

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Service {
  rt: Runtime;
  url: string;
  pageId: number;
  keys: { owner: string; admin: string; agent: string };
  call<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    opts?: { body?: unknown; as?: 'owner' | 'admin' | 'agent'; contentType?: string },
  ): Promise<Reply<T>>;
  close(): Promise<void>;
}

export async function startService(backend: Backend = 'pglite'): Promise<Service> {
  const storage = await openTestStorage(backend);
  const rt = await startRuntime({
    config: { ...loadConfig({}), port: 0, sandboxPort: 0, host: '127.0.0.1' },
    storage,
    queueSchema: `pgboss_svc_${randomBytes(4).toString('hex')}`,
  });
  if (!rt.url) throw new Error('the service did not start');
  const key = async (role: 'owner' | 'admin' | 'agent') =>
    (await createApiKey(rt.ctx, rt.workspaceId, { name: `test ${role}`, role }, null)).key;
  const keys = { owner: await key('owner'), admin: await key('admin'), agent: await key('agent') };
  const url = rt.url;
  return {
    rt,
    url,
    pageId: rt.page.id,
    keys,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${keys[opts.as ?? 'owner']}` };
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] = opts.contentType ?? 'application/json';
      }
      const res = await request(`${url}${path}`, { method, headers, body });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // CSV and other plain bodies stay text
      }
      return { status: res.statusCode, body: parsed as any, text, headers: res.headers };
    },
    async close() {
      await rt.close();
      await storage.close();
    },
  };
}
