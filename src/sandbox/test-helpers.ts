// Shared fixtures for the sandbox's own tests: a sandbox on a loopback port with a frozen clock,
// a tiny raw Graph caller, and a real webhook receiver that checks signatures with node:crypto.
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { ManualClock } from '../clock.ts';
import { SandboxClient } from './client.ts';
import { appSecretProof } from './graph.ts';
import { seededRandom } from './ids.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from './server.ts';

export const T0 = new Date('2025-03-03T02:00:00.000Z'); // a Monday, 09:00 in Asia/Ho_Chi_Minh

export interface GraphResponse {
  status: number;
  body: Record<string, unknown> & { error?: { code: number; error_subcode?: number; message: string } };
  headers: Record<string, string | string[] | undefined>;
}

export interface Harness {
  sb: Sandbox;
  url: string;
  client: SandboxClient;
  token: string;
  pageId: string;
  appSecret: string;
  graph: GraphCaller;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Harness> {
  const sb = createSandbox({
    clock: new ManualClock(T0, { frozen: true }),
    random: seededRandom(7),
    webhookRetry: { attempts: 4, baseMs: 20, timeoutMs: 1000 },
    ...opts,
  });
  const url = await sb.listen(0);
  const info = sb.info();
  return {
    sb,
    url,
    client: new SandboxClient(url),
    token: info.pageAccessToken,
    pageId: info.pageId,
    appSecret: info.appSecret,
    graph: new GraphCaller(url, info.pageAccessToken, info.appSecret),
    close: () => sb.close(),
  };
}

export class GraphCaller {
  constructor(
    readonly url: string,
    readonly token: string,
    readonly appSecret: string,
    readonly version = 'v23.0',
  ) {}

  proof(token = this.token): string {
    return appSecretProof(this.appSecret, token);
  }

  async raw(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    opts: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<GraphResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    const res = await request(`${this.url}/${this.version}/${path}`, { method, headers, body });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : {}, headers: res.headers };
  }

  /** POST me/messages with the page token in the query string and a JSON body. */
  send(body: Record<string, unknown>, token = this.token): Promise<GraphResponse> {
    return this.raw('POST', `me/messages?access_token=${encodeURIComponent(token)}`, { json: body });
  }

  text(psid: string, text = 'hello', extra: Record<string, unknown> = {}): Promise<GraphResponse> {
    return this.send({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text }, ...extra });
  }

  otnRequest(psid: string, title: string, payload = 'otn:payload'): Promise<GraphResponse> {
    return this.send({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: {
        attachment: { type: 'template', payload: { template_type: 'one_time_notif_req', title, payload } },
      },
    });
  }

  recurringRequest(psid: string, title: string, extra: Record<string, unknown> = {}): Promise<GraphResponse> {
    return this.send({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: { template_type: 'notification_messages', title, payload: `topic:${title}`, ...extra },
        },
      },
    });
  }

  get(path: string, query: Record<string, string> = {}): Promise<GraphResponse> {
    const q = new URLSearchParams({ access_token: this.token, ...query });
    return this.raw('GET', `${path}?${q}`);
  }
}

export const errOf = (r: GraphResponse) => [r.body.error?.code, r.body.error?.error_subcode];

export interface ReceivedWebhook {
  raw: Buffer;
  signature: string;
  signatureOk: boolean;
  body: {
    object: string;
    entry: Array<{ id: string; time: number; messaging: Array<Record<string, unknown>> }>;
  };
}

export interface Receiver {
  url: string;
  app: FastifyInstance;
  hits: ReceivedWebhook[];
  /** Status codes to answer with, in order (0 = time out); 200 once exhausted. */
  plan: number[];
  events(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A real webhook endpoint on loopback that verifies X-Hub-Signature-256 over the raw bytes. */
export async function startReceiver(
  appSecret: string,
  verifyToken = 'sandbox-verify-token',
): Promise<Receiver> {
  const app = Fastify({ logger: false });
  const hits: ReceivedWebhook[] = [];
  const plan: number[] = [];
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.get('/webhook', async (req, reply) => {
    const q = req.query as Record<string, string>;
    if (q['hub.mode'] === 'subscribe' && q['hub.verify_token'] === verifyToken)
      return reply.send(q['hub.challenge']);
    return reply.code(403).send('forbidden');
  });
  app.post('/webhook', async (req, reply) => {
    const raw = req.body as Buffer;
    const signature = String(req.headers['x-hub-signature-256'] ?? '');
    const expected = Buffer.from(`sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`);
    const got = Buffer.from(signature);
    const signatureOk = got.length === expected.length && timingSafeEqual(got, expected);
    hits.push({ raw, signature, signatureOk, body: JSON.parse(raw.toString('utf8')) });
    const status = plan.shift() ?? 200;
    // 0 in the plan = hang past the sandbox's timeout, then answer 200 (too late).
    if (status === 0) await new Promise((r) => setTimeout(r, 1500));
    return reply.code(status || 200).send('EVENT_RECEIVED');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}/webhook`,
    app,
    hits,
    plan,
    // Page `changes[]` entries (templates, marketing messages) carry no `messaging`.
    events: () => hits.flatMap((h) => h.body.entry.flatMap((e) => e.messaging ?? [])),
    close: () => app.close(),
  };
}
