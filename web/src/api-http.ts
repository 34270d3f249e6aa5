// The one fetch of the console (same origin): the session's CSRF token on every write, and the API's
// { error: { code, message, details } } thrown as an ApiError so screens can show the reason.
import { ApiError, type ErrorDetails } from './errors.ts';

/** The session's CSRF token (accounts): sent as X-CSRF-Token on every write made with the cookie. */
let csrfToken: string | null = null;

/** Signing in, up or out sets the token (api.ts); a refused one is dropped here and fetched again. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function ensureCsrf(): Promise<void> {
  if (csrfToken) return;
  const res = await fetch('/api/auth/me', { credentials: 'same-origin' });
  if (res.ok) csrfToken = ((await res.json()) as { csrfToken?: string | null }).csrfToken ?? null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const write = method !== 'GET' && method !== 'HEAD';
  if (write && !path.startsWith('/api/auth/sign-in')) await ensureCsrf();
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (write && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; details?: ErrorDetails };
  };
  if (!res.ok) {
    const e = json.error ?? {};
    if (res.status === 403 && e.code === 'csrf_failed') csrfToken = null;
    const details: ErrorDetails = { ...(e.details ?? {}) };
    const retry = Number(res.headers.get('retry-after'));
    if (res.status === 429 && Number.isFinite(retry) && retry > 0) details.retryAfterS = retry;
    throw new ApiError(res.status, e.code ?? `http_${res.status}`, e.message ?? res.statusText, details);
  }
  return json as T;
}

/** A query string from the defined values only. */
export function qs(q: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const get = <T>(p: string) => call<T>('GET', p);
export const post = <T>(p: string, b: unknown = {}) => call<T>('POST', p, b);
export const patch = <T>(p: string, b: unknown) => call<T>('PATCH', p, b);
export const put = <T>(p: string, b: unknown) => call<T>('PUT', p, b);
export const del = (p: string) => call<void>('DELETE', p);
/** The verbs, for the API modules beside this one (api-templates.ts). */
export const http = { get, post, put, del };
