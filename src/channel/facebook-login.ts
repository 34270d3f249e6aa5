// Facebook Login on the wire: the dialog URL, code → user token → long-lived token, `/me/accounts`,
// `/debug_token`, and a page's `subscribed_apps` (POST, DELETE). Meta's formats; the sandbox
// (src/sandbox/login-graph.ts) answers the same calls. Failures throw LoginApiError with Meta's code.
import { request } from 'undici';

export interface FacebookApp {
  appId: string;
  appSecret: string;
  /** https://www.facebook.com live; the sandbox's URL in sandbox mode. */
  dialogBaseUrl: string;
  /** https://graph.facebook.com live; the sandbox's URL in sandbox mode. */
  graphBaseUrl: string;
  version: string;
}

export class LoginApiError extends Error {
  override readonly name = 'LoginApiError';
  constructor(
    readonly code: number | null,
    readonly subcode: number | null,
    message: string,
  ) {
    super(message);
  }
}

export interface AccountPage {
  id: string;
  name: string;
  accessToken: string;
  tasks: string[];
}

export interface TokenDebug {
  isValid: boolean;
  scopes: string[];
  /** Page ids a page scope applies to (granular_scopes target_ids), by scope. */
  targets: Record<string, string[] | undefined>;
  error: { code: number; subcode: number | null; message: string } | null;
  userId: string | null;
}

export function dialogUrl(
  app: FacebookApp,
  p: { redirectUri: string; state: string; scopes: readonly string[] },
) {
  const u = new URL(`${app.dialogBaseUrl.replace(/\/+$/, '')}/${app.version}/dialog/oauth`);
  u.searchParams.set('client_id', app.appId);
  u.searchParams.set('redirect_uri', p.redirectUri);
  u.searchParams.set('state', p.state);
  u.searchParams.set('scope', p.scopes.join(','));
  u.searchParams.set('response_type', 'code');
  return u.toString();
}

async function graph<T>(
  app: FacebookApp,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  q: Record<string, string>,
) {
  const url = path.startsWith('http')
    ? new URL(path)
    : new URL(`${app.graphBaseUrl.replace(/\/+$/, '')}/${app.version}/${path}`);
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  const res = await request(url, { method, signal: AbortSignal.timeout(10_000) });
  const text = await res.body.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new LoginApiError(null, null, `Graph answered ${res.statusCode} with no JSON`);
  }
  const err = (body as { error?: { code?: number; error_subcode?: number; message?: string } } | null)?.error;
  if (res.statusCode >= 400 || err) {
    throw new LoginApiError(
      err?.code ?? null,
      err?.error_subcode ?? null,
      err?.message ?? `HTTP ${res.statusCode}`,
    );
  }
  return body as T;
}

/** The code from the dialog's redirect → a short-lived user token; then → a long-lived one (~60 days). */
export async function exchangeCode(app: FacebookApp, code: string, redirectUri: string): Promise<string> {
  const short = await graph<{ access_token: string }>(app, 'GET', 'oauth/access_token', {
    client_id: app.appId,
    client_secret: app.appSecret,
    redirect_uri: redirectUri,
    code,
  });
  const long = await graph<{ access_token: string }>(app, 'GET', 'oauth/access_token', {
    grant_type: 'fb_exchange_token',
    client_id: app.appId,
    client_secret: app.appSecret,
    fb_exchange_token: short.access_token,
  });
  return long.access_token;
}

export async function me(app: FacebookApp, userToken: string): Promise<{ id: string; name: string }> {
  return graph(app, 'GET', 'me', { access_token: userToken, fields: 'id,name' });
}

/** Every page of `/me/accounts`, following `paging.next`. */
export async function listAccounts(app: FacebookApp, userToken: string): Promise<AccountPage[]> {
  type Page = {
    data: Array<{ id: string; name: string; access_token: string; tasks?: string[] }>;
    paging?: { next?: string };
  };
  const out: AccountPage[] = [];
  let next: string | undefined = 'me/accounts';
  let q: Record<string, string> = {
    access_token: userToken,
    fields: 'id,name,access_token,tasks',
    limit: '100',
  };
  for (let i = 0; next && i < 50; i++) {
    const page: Page = await graph<Page>(app, 'GET', next, q);
    for (const p of page.data)
      out.push({ id: p.id, name: p.name, accessToken: p.access_token, tasks: p.tasks ?? [] });
    next = page.paging?.next;
    q = {}; // `next` carries its own query
  }
  return out;
}

export async function debugToken(app: FacebookApp, token: string): Promise<TokenDebug> {
  const { data } = await graph<{
    data: {
      is_valid: boolean;
      scopes?: string[];
      granular_scopes?: Array<{ scope: string; target_ids?: string[] }>;
      error?: { code: number; subcode?: number; message: string };
      user_id?: string;
    };
  }>(app, 'GET', 'debug_token', { input_token: token, access_token: `${app.appId}|${app.appSecret}` });
  return {
    isValid: data.is_valid,
    scopes: data.scopes ?? [],
    targets: Object.fromEntries((data.granular_scopes ?? []).map((g) => [g.scope, g.target_ids])),
    error: data.error
      ? { code: data.error.code, subcode: data.error.subcode ?? null, message: data.error.message }
      : null,
    userId: data.user_id ?? null,
  };
}

export async function subscribeApp(
  app: FacebookApp,
  pageId: string,
  pageToken: string,
  fields: readonly string[],
) {
  await graph(app, 'POST', `${encodeURIComponent(pageId)}/subscribed_apps`, {
    access_token: pageToken,
    subscribed_fields: fields.join(','),
  });
}

export async function unsubscribeApp(app: FacebookApp, pageId: string, pageToken: string) {
  await graph(app, 'DELETE', `${encodeURIComponent(pageId)}/subscribed_apps`, { access_token: pageToken });
}
