// The Facebook Login dialog as a page (`GET /{version}/dialog/oauth`, `/dialog/oauth`): the signed-in
// simulated person approves (ticking all or some of their pages) or cancels, and is sent back to the
// app's redirect_uri with `code` or Meta's `error=access_denied…`, with `state` echoed. Plus the control
// API under /sandbox/login (apps, people, revocation and permission knobs). See docs/SANDBOX.md.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxCore } from './core.ts';
import { SandboxError } from './customers.ts';
import { DEFAULT_TASKS, type SimApp, type SimUser } from './facebook-login.ts';

type Q = Record<string, string | undefined>;
const bad = (msg: string) => new SandboxError(400, msg);

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function redirectTo(reply: FastifyReply, base: string, params: Record<string, string>) {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  // Meta appends `#_=_` to the redirect after the dialog (a historical quirk apps must tolerate).
  return reply.redirect(`${u.toString()}#_=_`, 302);
}

function dialogHtml(core: SandboxCore, app: SimApp, user: SimUser, q: Q): string {
  const login = core.state.login;
  const previous = login.grant(user.id, app.id);
  const scopes = (q.scope ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const hidden = ['client_id', 'redirect_uri', 'state', 'scope']
    .map((k) => `<input type="hidden" name="${k}" value="${esc(q[k] ?? '')}">`)
    .join('');
  const pages = user.pages
    .map((p) => {
      const name = core.state.page(p.pageId)?.name ?? p.pageId;
      const checked = !previous || previous.pageIds.includes(p.pageId) ? ' checked' : '';
      return `<li><label><input type="checkbox" name="page_${esc(p.pageId)}" value="on"${checked} data-page-id="${esc(p.pageId)}"> ${esc(name)} <small>(${esc(p.pageId)})</small></label></li>`;
    })
    .join('');
  const others = [...login.users.values()]
    .filter((u) => u.id !== user.id)
    .map((u) => {
      const url = new URLSearchParams({ ...(q as Record<string, string>), user_id: u.id });
      return `<a href="?${esc(url.toString())}">${esc(u.name)}</a>`;
    })
    .join(' · ');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Facebook Login (sandbox)</title>
<style>body{font:15px system-ui;background:#f0f2f5;margin:0}main{max-width:480px;margin:40px auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px #0003}
h1{font-size:20px}ul{list-style:none;padding:0}li{padding:6px 0}button{font:inherit;padding:8px 16px;border-radius:6px;border:0;margin-right:8px}
.ok{background:#1877f2;color:#fff}.no{background:#e4e6eb}small{color:#65676b}</style></head><body><main>
<p><small>Sandbox · Facebook Login</small></p>
<h1>${esc(app.name)} muốn kết nối với tài khoản của bạn<br><small>${esc(app.name)} wants to connect to your account</small></h1>
<p>Tiếp tục với tư cách / Continue as <strong data-user-id="${esc(user.id)}">${esc(user.name)}</strong>${others ? `<br><small>Người khác / Someone else: ${others}</small>` : ''}</p>
<form method="post" action="/dialog/oauth/confirm">${hidden}<input type="hidden" name="user_id" value="${esc(user.id)}">
<p>Chọn Trang bạn muốn ${esc(app.name)} truy cập / Choose the Pages ${esc(app.name)} can access:</p>
<ul id="pages">${pages || '<li><small>Bạn không quản lý Trang nào / You manage no Pages</small></li>'}</ul>
<p><small>Quyền / Permissions: ${scopes.map(esc).join(', ') || '—'}</small></p>
<button class="ok" name="decision" value="approve" type="submit">Tiếp tục / Continue</button>
<button class="no" name="decision" value="deny" type="submit">Hủy / Cancel</button>
</form></main></body></html>`;
}

export function registerLoginRoutes(app: FastifyInstance, core: SandboxCore): void {
  const login = core.state.login;
  const appOf = (id: unknown) => {
    const a = typeof id === 'string' ? login.apps.get(id) : undefined;
    if (!a) throw bad(`Invalid App ID: ${String(id ?? '')}`);
    return a;
  };
  const checkRedirect = (v: unknown) => {
    if (typeof v !== 'string' || !URL.canParse(v)) throw bad('redirect_uri must be an absolute URL');
    return v;
  };

  const dialog = async (req: { query: unknown }, reply: FastifyReply) => {
    const q = req.query as Q;
    const a = appOf(q.client_id);
    checkRedirect(q.redirect_uri);
    if ((q.response_type ?? 'code') !== 'code') throw bad('this sandbox supports response_type=code only');
    const user = (q.user_id && login.users.get(q.user_id)) || login.users.values().next().value;
    if (!user) throw bad('the sandbox has no Facebook user: POST /sandbox/login/users first');
    return reply.type('text/html; charset=utf-8').send(dialogHtml(core, a, user, q));
  };
  app.get('/dialog/oauth', dialog);
  app.get('/:version/dialog/oauth', dialog);

  app.post('/dialog/oauth/confirm', async (req, reply) => {
    const b = (req.body ?? {}) as Q;
    const a = appOf(b.client_id);
    const redirect = checkRedirect(b.redirect_uri);
    const user = b.user_id ? login.users.get(b.user_id) : undefined;
    if (!user) throw bad('unknown user_id');
    const state = b.state ?? '';
    if (b.decision !== 'approve') {
      return redirectTo(reply, redirect, {
        error: 'access_denied',
        error_code: '200',
        error_description: 'Permissions error',
        error_reason: 'user_denied',
        state,
      });
    }
    const scopes = (b.scope ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const ticked = user.pages.map((p) => p.pageId).filter((id) => b[`page_${id}`] === 'on');
    const code = login.approve(user.id, a.id, scopes, ticked, redirect);
    core.state.touch({ kind: 'login' });
    return redirectTo(reply, redirect, { code: code.code, state });
  });

  // --- control API ---
  const body = (b: unknown) => (b && typeof b === 'object' ? (b as Record<string, unknown>) : {});
  app.get('/sandbox/login', async () => login.snapshot());
  app.post('/sandbox/login/apps', async (req, reply) => {
    const b = body(req.body);
    if (typeof b.id !== 'string' || !/^\d+$/.test(b.id)) throw bad('id (digits) is required');
    if (login.apps.has(b.id)) throw new SandboxError(409, `app ${b.id} exists`);
    const created = login.addApp({ id: b.id, ...appPatch(b) });
    core.state.touch({ kind: 'login' });
    return reply.code(201).send(created);
  });
  app.patch('/sandbox/login/apps/:appId', async (req) => {
    const a = appOf((req.params as { appId: string }).appId);
    Object.assign(a, appPatch(body(req.body)));
    core.state.touch({ kind: 'login' });
    return a;
  });
  app.post('/sandbox/login/users', async (req, reply) => {
    const b = body(req.body);
    if (typeof b.name !== 'string' || !b.name.trim()) throw bad('name is required');
    if (!Array.isArray(b.pages)) throw bad('pages ([{pageId, tasks?}]) is required');
    const pages = (b.pages as Array<{ pageId?: unknown; tasks?: unknown }>).map((p) => {
      if (typeof p?.pageId !== 'string' || !core.state.pages.has(p.pageId))
        throw new SandboxError(404, `no page ${String(p?.pageId)}: POST /sandbox/pages first`);
      return { pageId: p.pageId, tasks: Array.isArray(p.tasks) ? p.tasks.map(String) : DEFAULT_TASKS };
    });
    if (typeof b.id === 'string' && login.users.has(b.id)) throw new SandboxError(409, `user ${b.id} exists`);
    const u = login.addUser({ id: typeof b.id === 'string' ? b.id : undefined, name: b.name.trim(), pages });
    core.state.touch({ kind: 'login' });
    return reply.code(201).send(u);
  });
  // Knob: revoke tokens. `userId` (optionally one app's) or `pageId`; Meta's 190 subcode (460/463/467/458).
  app.post('/sandbox/login/revoke', async (req) => {
    const b = body(req.body);
    const appId = typeof b.appId === 'string' ? b.appId : undefined;
    const subcode = b.subcode === undefined ? 460 : Number(b.subcode);
    let revoked: number;
    try {
      if (typeof b.userId === 'string') revoked = login.revokeUser(b.userId, appId, subcode);
      else if (typeof b.pageId === 'string') revoked = login.revokePage(b.pageId, appId, subcode);
      else throw new Error('give userId or pageId');
    } catch (err) {
      throw bad((err as Error).message);
    }
    core.state.touch({ kind: 'login' });
    return { revoked };
  });
  // Knob: the page lost permissions (e.g. an admin removed pages_messaging); [] restores them.
  app.put('/sandbox/login/pages/:pageId/permissions', async (req) => {
    const { pageId } = req.params as { pageId: string };
    if (!core.state.pages.has(pageId)) throw new SandboxError(404, `no page ${pageId}`);
    const lost = body(req.body).lost;
    if (!Array.isArray(lost)) throw bad('lost (array of permission names) is required');
    login.setLostPermissions(pageId, lost.map(String));
    core.state.touch({ kind: 'login' });
    return { pageId, lost: login.lostPermissions[pageId] ?? [] };
  });
}

function appPatch(b: Record<string, unknown>): Partial<SimApp> {
  const out: Partial<SimApp> = {};
  if (b.name !== undefined) out.name = String(b.name);
  if (b.secret !== undefined) out.secret = String(b.secret);
  if (b.verifyToken !== undefined) out.verifyToken = String(b.verifyToken);
  if (b.webhookUrl !== undefined) {
    if (b.webhookUrl !== null && (typeof b.webhookUrl !== 'string' || !URL.canParse(b.webhookUrl)))
      throw bad('webhookUrl must be an absolute URL or null');
    out.webhookUrl = b.webhookUrl as string | null;
  }
  if (b.fields !== undefined) {
    if (!Array.isArray(b.fields)) throw bad('fields must be an array');
    out.fields = b.fields.map(String);
  }
  return out;
}
