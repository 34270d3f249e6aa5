// The Graph endpoints of Facebook Login: `/oauth/access_token` (code → short-lived user token,
// fb_exchange_token → long-lived), `/debug_token`, `/me`, `/me/accounts`, `/me/permissions` with a user
// token, and `/{page-id}/subscribed_apps` per app with a page token issued through `/me/accounts`.
// Shapes follow Meta's Graph API reference for these nodes; see docs/SANDBOX.md "Facebook Login".
import type { SandboxCore } from './core.ts';
import { Errors } from './errors.ts';
import {
  LoginErrors,
  type LoginState,
  PAGE_SCOPES,
  type PageToken,
  type UserToken,
} from './facebook-login.ts';

/** The parts of a Graph call Login reads (structurally graph.ts's GraphCall, without importing it). */
interface GraphCall {
  method: string;
  path: string;
  version: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  authorization?: string;
}
interface GraphResult {
  status: number;
  body: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const secs = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const ok = (body: unknown): GraphResult => ({ status: 200, body });

export function callToken(call: GraphCall, inherited?: string): string | undefined {
  const bearer = call.authorization?.match(/^(?:Bearer|OAuth)\s+(.+)$/i)?.[1];
  return str(call.query.access_token) ?? str(call.body.access_token) ?? bearer ?? inherited;
}

/** Answers a Login call, or null when the call is not one (the page-token Graph surface takes it). */
export function loginGraph(core: SandboxCore, call: GraphCall, inheritedToken?: string): GraphResult | null {
  const login = core.state.login;
  const seg = call.path.split('/').filter(Boolean);
  const method = call.method.toUpperCase();
  const p = { ...call.query, ...call.body };
  if (seg[0] === 'oauth' && seg[1] === 'access_token' && seg.length === 2) return accessToken(core, p);
  if (seg[0] === 'debug_token' && seg.length === 1 && method === 'GET') return debugToken(core, p);
  const token = callToken(call, inheritedToken);
  if (!token) return null;
  const user = login.userTokens.get(token);
  if (user) {
    const live = login.liveUserToken(token);
    return userEdge(core, live, seg, method, call);
  }
  const pageToken = login.pageTokens.get(token);
  if (pageToken && seg[1] === 'subscribed_apps' && seg.length === 2) {
    const page = livePageToken(login, token);
    if (seg[0] !== page.pageId && seg[0] !== 'me') throw Errors.noObject(seg[0] ?? '');
    return subscribedApps(core, page, method, p);
  }
  return null;
}

/** A page token from `/me/accounts` that is still valid, else 190 with Meta's subcode. */
export function livePageToken(login: LoginState, token: string): PageToken {
  const t = login.pageTokens.get(token);
  if (!t) throw LoginErrors.tokenInvalid();
  const problem = login.pageTokenProblem(t);
  if (problem) throw LoginErrors.revoked(problem);
  return t;
}

function accessToken(core: SandboxCore, p: Record<string, unknown>): GraphResult {
  const login = core.state.login;
  const app = login.app(p.client_id, str(p.client_secret) ?? '');
  let t: UserToken;
  if (p.grant_type === 'fb_exchange_token') {
    const old = str(p.fb_exchange_token);
    if (!old) throw Errors.param('The parameter fb_exchange_token is required');
    t = login.extend(app, old);
  } else {
    const code = str(p.code);
    if (!code) throw Errors.param('The parameter code is required');
    t = login.redeem(app, code, str(p.redirect_uri) ?? '');
  }
  core.state.touch({ kind: 'login' });
  const expiresIn = Math.round((Date.parse(t.expiresAt) - core.clock.now().getTime()) / 1000);
  return ok({ access_token: t.token, token_type: 'bearer', expires_in: expiresIn });
}

function granularScopes(login: LoginState, userId: string, appId: string, scopes: string[]) {
  const g = login.grant(userId, appId);
  return scopes.map((scope) =>
    PAGE_SCOPES.has(scope)
      ? {
          scope,
          // A page that lost the permission is no longer among its targets.
          target_ids: (g?.pageIds ?? []).filter((id) => !(login.lostPermissions[id] ?? []).includes(scope)),
        }
      : { scope },
  );
}

/** `GET /debug_token?input_token&access_token=app_id|app_secret`: what Meta says about a token. */
function debugToken(core: SandboxCore, p: Record<string, unknown>): GraphResult {
  const login = core.state.login;
  const [appId, secret] = (str(p.access_token) ?? '').split('|');
  const app = login.app(appId, secret ?? '');
  const input = str(p.input_token);
  if (!input) throw Errors.param('The parameter input_token is required');
  const u = login.userTokens.get(input);
  const pt = login.pageTokens.get(input);
  const owner = u ?? pt;
  if (!owner) return configuredPageToken(core, app.id, input);
  if (owner.appId !== app.id)
    throw Errors.param('(#100) The App_id in the input_token did not match the Viewing App');
  const problem = u ? login.userTokenProblem(u) : login.pageTokenProblem(pt!);
  const scopes = problem
    ? []
    : pt
      ? login.pageScopes(pt)
      : (login.grant(owner.userId, owner.appId)?.scopes ?? []);
  const data: Record<string, unknown> = {
    app_id: app.id,
    type: pt ? 'PAGE' : 'USER',
    application: app.name,
    data_access_expires_at: secs(owner.issuedAt) + 90 * 86_400,
    // Page tokens got from a long-lived user token do not expire: Meta answers 0.
    expires_at: u ? secs(u.expiresAt) : 0,
    is_valid: problem === null,
    issued_at: secs(owner.issuedAt),
    scopes,
    granular_scopes: granularScopes(login, owner.userId, owner.appId, scopes),
    user_id: owner.userId,
  };
  if (pt) data.profile_id = pt.pageId;
  if (problem) data.error = { code: 190, message: problem.message, subcode: problem.subcode };
  return ok({ data });
}

/**
 * A page's configured token (`PUT /sandbox/config`, the single-page setup) is a page token of the page's
 * own app with every page permission; tokens the sandbox never issued are 190, as Meta says of garbage.
 */
function configuredPageToken(core: SandboxCore, appId: string, input: string): GraphResult {
  const page = core.state.pageByAccessToken(input);
  if (!page || page.appId !== appId) throw LoginErrors.tokenInvalid();
  const lost = core.state.login.lostPermissions[page.id] ?? [];
  const scopes = [...PAGE_SCOPES].filter((s) => !lost.includes(s));
  const issued = Math.floor(core.clock.now().getTime() / 1000);
  return ok({
    data: {
      app_id: appId,
      type: 'PAGE',
      application: core.state.login.apps.get(appId)?.name ?? appId,
      data_access_expires_at: issued + 90 * 86_400,
      expires_at: 0,
      is_valid: true,
      issued_at: issued,
      scopes,
      granular_scopes: scopes.map((scope) => ({ scope, target_ids: [page.id] })),
      user_id: '',
      profile_id: page.id,
    },
  });
}

function userEdge(
  core: SandboxCore,
  t: UserToken,
  seg: string[],
  method: string,
  call: GraphCall,
): GraphResult {
  const login = core.state.login;
  const user = login.users.get(t.userId);
  if (!user) throw LoginErrors.tokenInvalid();
  const [id, edge, ...rest] = seg;
  if ((id !== 'me' && id !== user.id) || rest.length > 0 || method !== 'GET')
    throw Errors.unknownPath(`/${call.path}`);
  if (edge === undefined) return ok({ id: user.id, name: user.name });
  if (edge === 'permissions') {
    const scopes = login.grant(user.id, t.appId)?.scopes ?? [];
    return ok({ data: scopes.map((permission) => ({ permission, status: 'granted' })) });
  }
  if (edge === 'accounts') return accounts(core, t, call);
  throw Errors.unknownPath(`/${call.path}`);
}

/** `GET /me/accounts`: the granted pages the person administers, each with a page token; cursor-paged. */
function accounts(core: SandboxCore, t: UserToken, call: GraphCall): GraphResult {
  const login = core.state.login;
  const pages = login.grantedPages(t.userId, t.appId);
  const limit = Math.min(Math.max(Number(call.query.limit) || 25, 1), 100);
  const after = str(call.query.after) ? Buffer.from(String(call.query.after), 'base64url').toString() : null;
  const start = after ? pages.findIndex((p) => p.pageId === after) + 1 : 0;
  const slice = pages.slice(start, start + limit);
  const data = slice.map((p) => {
    const sim = core.state.page(p.pageId);
    return {
      access_token: login.pageTokenFor(t, p.pageId).token,
      category: 'Shopping & retail',
      category_list: [{ id: '200600219953504', name: 'Shopping & retail' }],
      name: sim?.name ?? p.pageId,
      id: p.pageId,
      tasks: p.tasks,
    };
  });
  core.state.touch({ kind: 'login' });
  const first = slice[0];
  const last = slice[slice.length - 1];
  if (!first || !last) return ok({ data });
  const cursor = (id: string) => Buffer.from(id).toString('base64url');
  const paging: Record<string, unknown> = {
    cursors: { before: cursor(first.pageId), after: cursor(last.pageId) },
  };
  if (start + limit < pages.length) {
    const next = new URL(`${core.baseUrl()}/${call.version}/me/accounts`);
    next.searchParams.set('access_token', t.token);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('after', cursor(last.pageId));
    paging.next = next.toString();
  }
  return ok({ data, paging });
}

function fieldList(raw: unknown): string[] | null {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return null;
  if (raw.startsWith('[')) {
    try {
      return (JSON.parse(raw) as unknown[]).map(String);
    } catch {
      throw Errors.param('param subscribed_fields must be a valid JSON string');
    }
  }
  return raw.split(',');
}

/** Per app: a page token of app A subscribes A; GET lists every app subscribed to the page. */
function subscribedApps(
  core: SandboxCore,
  t: PageToken,
  method: string,
  p: Record<string, unknown>,
): GraphResult {
  const login = core.state.login;
  const scopes = login.pageScopes(t);
  if (method === 'GET') {
    const data = Object.entries(login.subscribedApps(t.pageId)).map(([id, fields]) => ({
      id,
      name: login.apps.get(id)?.name ?? id,
      subscribed_fields: fields,
    }));
    return ok({ data });
  }
  // Meta: subscribing a page needs pages_manage_metadata (MODERATE task on the page).
  if (!scopes.includes('pages_manage_metadata')) throw LoginErrors.noPermission('pages_manage_metadata');
  if (method === 'DELETE') {
    login.unsubscribe(t.pageId, t.appId);
    core.state.touch({ kind: 'login' });
    return ok({ success: true });
  }
  if (method !== 'POST') throw Errors.unknownPath('/subscribed_apps');
  const list = fieldList(p.subscribed_fields)
    ?.map((f) => f.trim())
    .filter(Boolean);
  if (!list || list.length === 0) throw Errors.param('The parameter subscribed_fields is required');
  login.subscribe(t.pageId, t.appId, list);
  core.state.touch({ kind: 'login' });
  return ok({ success: true });
}
