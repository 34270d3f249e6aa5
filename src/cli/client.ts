// The CLI talks to a running service over its HTTP API (never to the database: the embedded one can be
// opened by one process only). Failures become typed errors that map to the documented exit codes.

export const EXIT = { ok: 0, api: 1, usage: 2, unreachable: 3 } as const;

/** The API answered with an error body `{ error: { code, message } }` (or something that is not one). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Nothing answered at the URL: not running, wrong port, network down. */
export class UnreachableError extends Error {}

/** A mistake on the command line that commander cannot see (a missing file, a bad value). */
export class UsageError extends Error {}

export interface ClientOptions {
  url: string;
  apiKey?: string | undefined;
  timeoutMs?: number;
}

export class ApiClient {
  constructor(private readonly opts: ClientOptions) {}

  get baseUrl(): string {
    return this.opts.url.replace(/\/+$/, '');
  }

  async request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: { json: unknown } | { csv: string },
  ): Promise<T> {
    const res = await this.raw(method, path, body);
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)
        ?.error;
      throw new ApiError(
        res.status,
        err?.code ?? `http_${res.status}`,
        err?.message ?? (typeof parsed === 'string' && parsed ? parsed.slice(0, 200) : res.statusText),
        err?.details,
      );
    }
    return parsed as T;
  }

  /** The response itself, for streamed downloads; throws ApiError on an error status. */
  async stream(path: string): Promise<Response> {
    const res = await this.raw('GET', path);
    if (!res.ok) {
      await this.request('GET', path); // re-read through the error path for its code and message
    }
    return res;
  }

  private async raw(
    method: string,
    path: string,
    body?: { json: unknown } | { csv: string },
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, text/csv' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let payload: string | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) {
      headers['content-type'] = 'text/csv';
      payload = body.csv;
    }
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: payload ?? null,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 60_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new UnreachableError(`cannot reach renotify at ${this.baseUrl} (${why})`);
    }
  }
}
