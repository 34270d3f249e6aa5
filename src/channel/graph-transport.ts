// One HTTP exchange with the Graph API over a keep-alive undici Pool (global fetch measured 8× slower
// here, stack-measurements.md). No retries, limits or auth: graph-client.ts adds those. Network errors
// and timeouts come back as a 'transient' failure, never thrown.
import { Pool } from 'undici';
import { type GraphFailure, parseJson, type SendBody } from './graph-wire.ts';

export type Query = Record<string, string | number | undefined>;

export interface HttpAnswer {
  status: number;
  body: unknown;
}

export class GraphTransport {
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly version: string;
  private readonly timeoutMs: number;

  constructor(opts: { baseUrl: string; version: string; timeoutMs: number; connections: number }) {
    const url = new URL(opts.baseUrl);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.version = opts.version.replace(/^\/+|\/+$/g, '');
    this.timeoutMs = opts.timeoutMs;
    this.pool = new Pool(url.origin, {
      connections: opts.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /** Closes the connection pool; in-flight calls finish first. */
  close(): Promise<void> {
    return this.pool.close();
  }

  async exchange(
    method: 'GET' | 'POST',
    path: string,
    query: Query,
    json?: SendBody | Record<string, unknown>,
  ): Promise<HttpAnswer | { error: GraphFailure }> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const fullPath = `${this.prefix}/${this.version}/${path}?${qs.toString()}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await this.pool.request({
        method,
        path: fullPath,
        signal,
        headers: json ? { 'content-type': 'application/json' } : {},
        body: json ? JSON.stringify(json) : undefined,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: parseJson(text) };
    } catch (e) {
      return { error: networkFailure(e, signal.aborted, this.timeoutMs) };
    }
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function networkFailure(e: unknown, aborted: boolean, timeoutMs: number): GraphFailure {
  const err = e as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (aborted || err?.name === 'TimeoutError' || (code && TIMEOUT_CODES.has(code))) {
    return { class: 'transient', message: `timeout after ${timeoutMs} ms` };
  }
  const detail = code ?? (typeof err?.message === 'string' ? err.message : String(e));
  return { class: 'transient', message: `connection error: ${detail}` };
}
