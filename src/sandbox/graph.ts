// The Graph API surface as a transport-free dispatcher: (method, path, params) → (status, body).
// Fastify routes and Graph batch items both go through `dispatchGraph`, so a batch item behaves
// exactly like the same call made on its own.
import { createHmac } from 'node:crypto';
import type { SandboxCore } from './core.ts';
import { Errors, GraphError } from './errors.ts';
import { LoginErrors } from './facebook-login.ts';
import { route2026 } from './graph-2026.ts';
import type { GraphCall, GraphResult } from './graph-types.ts';
import { livePageToken, loginGraph } from './login-graph.ts';
import { performSend, type SendParams } from './send.ts';
import type { RecurringToken, SimPage } from './types.ts';

export type { GraphCall, GraphResult } from './graph-types.ts';

interface Inherited {
  token?: string;
  proof?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const appSecretProof = (appSecret: string, token: string) =>
  createHmac('sha256', appSecret).update(token).digest('hex');

/** Form bodies carry `recipient` and `message` as JSON strings; JSON bodies carry objects. */
function jsonParam(v: unknown, name: string): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw Errors.param(`param ${name} must be a valid JSON string`);
  }
}

export function formToObject(form: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(form));
}

function authenticate(core: SandboxCore, call: GraphCall, inherited: Inherited): Authenticated {
  const bearer = call.authorization?.match(/^(?:Bearer|OAuth)\s+(.+)$/i)?.[1];
  const own = str(call.query.access_token) ?? str(call.body.access_token) ?? bearer;
  const token = own ?? inherited.token;
  // A batch item with its own token carries its own proof; the top-level proof belongs to the top token.
  const proof =
    str(call.query.appsecret_proof) ?? str(call.body.appsecret_proof) ?? (own ? undefined : inherited.proof);
  if (!token) throw Errors.tokenMissing();
  let page = core.state.pageByAccessToken(token);
  let secret = page?.appSecret;
  let scopes: string[] | null = null;
  if (!page && core.state.login.pageTokens.has(token)) {
    // A page token issued through /me/accounts: valid for its page only, proved with its app's secret.
    const t = livePageToken(core.state.login, token);
    page = core.state.page(t.pageId);
    secret = core.state.login.apps.get(t.appId)?.secret;
    scopes = core.state.login.pageScopes(t);
  }
  if (!page) throw Errors.tokenInvalid();
  if (proof !== undefined && secret && proof !== appSecretProof(secret, token)) throw Errors.badProof();
  if (proof === undefined && page.requireAppSecretProof) throw Errors.proofRequired();
  return { page, scopes };
}

interface Authenticated {
  page: SimPage;
  /** Scopes in effect for a Login-issued page token; null for the page's configured token. */
  scopes: string[] | null;
}

export async function dispatchGraph(
  core: SandboxCore,
  call: GraphCall,
  inherited: Inherited = {},
): Promise<GraphResult> {
  try {
    return await route(core, call, inherited);
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    const headers: Record<string, string> = {};
    if (err.code === 190)
      headers['www-authenticate'] = `OAuth "Facebook Platform" "invalid_token" "${err.message}"`;
    return { status: err.status, body: err.toBody(core.ids.fbtrace()), headers };
  }
}

async function route(core: SandboxCore, call: GraphCall, inherited: Inherited): Promise<GraphResult> {
  const seg = call.path.split('/').filter(Boolean);
  const method = call.method.toUpperCase();
  if (seg.length === 0 && method === 'POST') return batch(core, call);
  const now2026 = route2026(core, call, inherited.token);
  if (now2026) return now2026;
  const login = loginGraph(core, call, inherited.token);
  if (login) return login;
  const { page, scopes } = authenticate(core, call, inherited);
  const [id, edge, ...rest] = seg;
  if (id === undefined || rest.length > 0) throw Errors.unknownPath(`/${call.path}`);
  const isPage = id === 'me' || id === page.id;

  if (edge === 'messages' && method === 'POST') {
    if (!isPage) throw Errors.noObject(id);
    if (scopes && !scopes.includes('pages_messaging')) throw LoginErrors.noMessaging();
    const p = { ...call.query, ...call.body };
    const params: SendParams = {
      recipient: jsonParam(p.recipient, 'recipient'),
      message: jsonParam(p.message, 'message'),
      messaging_type: p.messaging_type,
      tag: p.tag,
      notification_type: p.notification_type,
      sender_action: p.sender_action,
      template: p.template,
    };
    return { status: 200, body: performSend(core, page, params) };
  }
  if (edge === 'notification_message_tokens' && method === 'GET') {
    if (!isPage) throw Errors.noObject(id);
    return { status: 200, body: listTokens(core, page, call) };
  }
  if (edge === 'subscribed_apps') {
    if (!isPage) throw Errors.noObject(id);
    return { status: 200, body: subscribedApps(page, method, { ...call.query, ...call.body }) };
  }
  if (edge === undefined && method === 'GET')
    return { status: 200, body: objectFields(core, page, id, call.query) };
  throw Errors.unknownPath(`/${call.path}`);
}

function subscribedApps(page: SimPage, method: string, p: Record<string, unknown>): unknown {
  if (method === 'GET') {
    const fields = page.subscribedFields ?? [];
    return {
      data: page.subscribedFields ? [{ id: page.appId, name: 'Sandbox app', subscribed_fields: fields }] : [],
    };
  }
  if (method === 'DELETE') {
    page.subscribedFields = [];
    return { success: true };
  }
  if (method !== 'POST') throw Errors.unknownPath('/subscribed_apps');
  const raw = p.subscribed_fields;
  const list = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw.startsWith('[')
        ? (jsonParam(raw, 'subscribed_fields') as unknown[]).map(String)
        : raw.split(',')
      : null;
  if (!list || list.length === 0) throw Errors.param('The parameter subscribed_fields is required');
  page.subscribedFields = list.map((f) => f.trim()).filter(Boolean);
  return { success: true };
}

const PROFILE_FIELDS = [
  'id',
  'name',
  'first_name',
  'last_name',
  'profile_pic',
  'locale',
  'timezone',
  'gender',
];

function objectFields(core: SandboxCore, page: SimPage, id: string, query: Record<string, unknown>): unknown {
  if (id === 'me' || id === page.id) return { id: page.id, name: page.name };
  // GET /notification_messages_{TOKEN}: one token, same fields as the list.
  if (id.startsWith('notification_messages_')) {
    const tok = core.state.recurringTokens.get(id.slice('notification_messages_'.length));
    if (!tok || tok.pageId !== page.id) throw Errors.nmInvalid();
    return tokenRow(tok);
  }
  const c = core.state.customer(id);
  if (!c || c.pageId !== page.id) {
    throw new GraphError({
      code: 100,
      subcode: 33,
      message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    });
  }
  const fields = (str(query.fields) ?? 'first_name,last_name,profile_pic,id').split(',').map((f) => f.trim());
  const all: Record<string, unknown> = {
    id: c.psid,
    name: c.name,
    first_name: c.firstName,
    last_name: c.lastName,
    profile_pic: c.profilePic,
    locale: c.locale,
    timezone: c.timezone,
    gender: c.gender,
  };
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!PROFILE_FIELDS.includes(f))
      throw Errors.param(`Tried accessing nonexisting field (${f}) on node type (User)`);
    out[f] = all[f];
  }
  out.id = c.psid;
  return out;
}

const cursorOf = (t: RecurringToken) => Buffer.from(`nmt:${t.seq}`).toString('base64url');
function seqOfCursor(cursor: unknown): number {
  if (typeof cursor !== 'string' || cursor === '') return 0;
  const m = Buffer.from(cursor, 'base64url')
    .toString()
    .match(/^nmt:(\d+)$/);
  if (!m) throw Errors.param('Invalid cursor');
  return Number(m[1]);
}
const secs = (d: Date) => Math.floor(d.getTime() / 1000);

function tokenRow(t: RecurringToken): Record<string, unknown> {
  const row: Record<string, unknown> = {
    notification_messages_token: t.token,
    recipient_id: t.psid,
    creation_timestamp: secs(t.createdAt),
    user_token_status: t.userTokenStatus,
    topic_title: t.title,
    notification_messages_timezone: t.timezone,
    next_eligible_time: secs(t.nextEligibleAt ?? t.createdAt),
  };
  if (t.expiresAt) row.token_expiry_timestamp = secs(t.expiresAt);
  if (t.reoptin) row.notification_messages_reoptin = t.reoptin;
  return row;
}

/** Live (not stopped, not expired) recurring tokens of the page, oldest first, cursor-paged. */
function listTokens(core: SandboxCore, page: SimPage, call: GraphCall): unknown {
  const now = core.clock.now().getTime();
  // The marketing-message era's list (2025+): 100 by default, up to 1000 (notes §2.4); before, 25/100.
  const mm = page.profile === '2025' || page.profile === '2026';
  const limit = Math.min(Math.max(Number(call.query.limit) || (mm ? 100 : 25), 1), mm ? 1000 : 100);
  const after = seqOfCursor(call.query.after);
  const live = core.state
    .recurringOfPage(page.id)
    .filter((t) => !t.stoppedAt && !(t.expiresAt && now >= t.expiresAt.getTime()));
  const rest = live.filter((t) => t.seq > after);
  const slice = rest.slice(0, limit);
  const data = slice.map(tokenRow);
  const first = slice[0];
  const last = slice[slice.length - 1];
  if (!first || !last) return { data };
  const paging: Record<string, unknown> = { cursors: { before: cursorOf(first), after: cursorOf(last) } };
  if (rest.length > slice.length) {
    const next = new URL(`${core.baseUrl()}/${call.version}/${page.id}/notification_message_tokens`);
    next.searchParams.set('access_token', page.accessToken);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('after', cursorOf(last));
    paging.next = next.toString();
  }
  return { data, paging };
}

interface BatchItem {
  method?: string;
  relative_url?: string;
  body?: unknown;
  name?: string;
}

/** Graph batch: ≤ 50 items, each dispatched (and rate-counted) like a call of its own. */
async function batch(core: SandboxCore, call: GraphCall): Promise<GraphResult> {
  const p = { ...call.query, ...call.body };
  if (p.batch === undefined) throw Errors.param('The parameter batch is required');
  const items = jsonParam(p.batch, 'batch');
  if (!Array.isArray(items)) throw Errors.param('The parameter batch must be a JSON array');
  if (items.length > 50) throw Errors.batchTooBig();
  const bearer = call.authorization?.match(/^(?:Bearer|OAuth)\s+(.+)$/i)?.[1];
  const inherited: Inherited = {
    token: str(p.access_token) ?? bearer,
    proof: str(p.appsecret_proof),
  };
  const includeHeaders = !(p.include_headers === false || p.include_headers === 'false');
  const out: unknown[] = [];
  for (const raw of items as BatchItem[]) {
    const rel = String(raw?.relative_url ?? '').replace(/^\/+/, '');
    const [pathPart = '', queryPart = ''] = rel.split('?', 2);
    const path = pathPart.replace(/^v\d+(\.\d+)?\//, '');
    const body =
      typeof raw?.body === 'string'
        ? formToObject(raw.body)
        : typeof raw?.body === 'object' && raw.body
          ? (raw.body as Record<string, unknown>)
          : {};
    const res =
      path === ''
        ? {
            status: 400,
            body: Errors.param('Nested batch requests are not supported').toBody(core.ids.fbtrace()),
          }
        : await dispatchGraph(
            core,
            {
              method: raw?.method ?? 'GET',
              path,
              version: call.version,
              query: formToObject(queryPart),
              body,
            },
            inherited,
          );
    const item: Record<string, unknown> = { code: res.status, body: JSON.stringify(res.body) };
    if (includeHeaders) item.headers = [{ name: 'Content-Type', value: 'text/javascript; charset=UTF-8' }];
    out.push(item);
  }
  return { status: 200, body: out };
}
