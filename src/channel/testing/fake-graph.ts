// A scripted stand-in for graph.facebook.com used by the channel tests: a real Fastify server on
// loopback (port 0), so the client's undici Pool, timeouts and keep-alive are exercised for real.
// It records every request and answers from a script. Not the sandbox (src/sandbox): no rules here.
import { setTimeout as delay } from 'node:timers/promises';
import Fastify from 'fastify';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /v23.0/me/messages */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface ScriptedReply {
  status?: number;
  /** JSON-serialised unless `raw` is given. */
  body?: unknown;
  raw?: string;
  delayMs?: number;
}

export type Script = (req: RecordedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface FakeGraph {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Replace the answering script (default: 200 with a Send API success). */
  script(fn: Script): void;
  close(): Promise<void>;
}

let nextMid = 1;

export const sendSuccess: Script = (req) => {
  const recipient = (req.body as { recipient?: { id?: string } } | null)?.recipient;
  return { body: { recipient_id: recipient?.id ?? 'psid-from-token', message_id: `m_${nextMid++}` } };
};

export async function startFakeGraph(initial: Script = sendSuccess): Promise<FakeGraph> {
  const app = Fastify({ forceCloseConnections: true });
  const requests: RecordedRequest[] = [];
  let script = initial;
  app.all('/*', async (request, reply) => {
    const url = new URL(request.url, 'http://localhost');
    const rec: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: request.body ?? null,
    };
    const index = requests.push(rec) - 1;
    const answer = await script(rec, index);
    if (answer.delayMs) await delay(answer.delayMs);
    reply.code(answer.status ?? 200).header('content-type', 'application/json');
    return answer.raw ?? JSON.stringify(answer.body ?? {});
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseUrl: address,
    requests,
    script(fn) {
      script = fn;
    },
    close: () => app.close(),
  };
}

/** A Graph error body as Meta sends it (notes §7.9). */
export function graphError(code: number, subcode?: number, message = 'scripted error') {
  return {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode !== undefined ? { error_subcode: subcode } : {}),
      fbtrace_id: 'TRACE',
    },
  };
}
