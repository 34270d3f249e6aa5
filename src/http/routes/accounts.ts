// Sign-in / sign-out / password, members and their invitations, API keys, and the audit log.
import { Type } from '@sinclair/typebox';
import {
  acceptInvite,
  changePassword,
  createApiKey,
  inviteUser,
  listApiKeys,
  listAudit,
  listMembers,
  revokeApiKey,
  setMemberRole,
  signOut,
} from '../../app/accounts.ts';
import { attemptSignIn } from '../../app/sign-in.ts';
import { ROLES } from '../../domain/options.ts';
import { requireAuth, SESSION_COOKIE } from '../auth.ts';
import { csvLines } from '../csv.ts';
import type { App, ServerDeps } from '../deps.ts';
import { errorBody } from '../errors.ts';

const RoleT = Type.Union(ROLES.map((r) => Type.Literal(r)));
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export async function accountRoutes(app: App, deps: ServerDeps & { secureCookies: boolean }) {
  app.post(
    '/auth/sign-in',
    {
      config: { role: 'public' },
      schema: {
        tags: ['accounts'],
        body: Type.Object(
          { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 200 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { email, password } = req.body;
      const result = await attemptSignIn(deps.ctx, { email, password, clientAddress: req.ip });
      if (result.kind === 'blocked') {
        // The console shows the time from Retry-After; the body says it too, in both languages.
        const at = result.retryAt.toISOString();
        const minutes = Math.ceil(result.retryAfterS / 60);
        const en = `Too many failed sign-ins; try again after ${at} (in about ${minutes} min).`;
        const vi = `Đăng nhập sai quá nhiều lần; hãy thử lại sau ${at} (khoảng ${minutes} phút nữa).`;
        reply.header('retry-after', result.retryAfterS);
        return reply
          .status(429)
          .send(errorBody('sign_in_blocked', en, { retryAt: at, retryAfterS: result.retryAfterS, en, vi }));
      }
      if (result.kind === 'refused') {
        return reply.status(401).send(
          errorBody('invalid_credentials', 'Wrong email or password.', {
            en: 'Wrong email or password.',
            vi: 'Sai email hoặc mật khẩu.',
          }),
        );
      }
      reply.setCookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        path: '/',
        maxAge: 14 * 86_400,
      });
      const { csrfToken, ...user } = result.session;
      return { user, csrfToken };
    },
  );

  app.post(
    '/auth/sign-out',
    { config: { role: 'agent' }, schema: { tags: ['accounts'] } },
    async (req, reply) => {
      const auth = requireAuth(req);
      if (auth.sessionToken) await signOut(deps.ctx, auth.sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get('/auth/me', { config: { role: 'agent' }, schema: { tags: ['accounts'] } }, async (req) => {
    const a = requireAuth(req);
    return {
      actor: a.actor,
      kind: a.kind,
      workspaceId: a.workspaceId,
      role: a.role,
      userId: a.userId,
      name: a.name,
      email: a.email,
      csrfToken: a.csrfToken,
    };
  });

  app.post(
    '/auth/password',
    {
      config: { role: 'agent' },
      schema: {
        tags: ['accounts'],
        body: Type.Object(
          { current: Type.String({ maxLength: 200 }), next: Type.String({ maxLength: 200 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const a = requireAuth(req);
      if (!a.userId || !a.sessionToken)
        return reply.status(400).send(errorBody('not_a_user', 'API keys have no password.'));
      const ok = await changePassword(deps.ctx, a.userId, req.body.current, req.body.next, a.sessionToken);
      if (!ok)
        return reply.status(403).send(errorBody('invalid_credentials', 'The current password is wrong.'));
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/invites/accept',
    {
      config: { role: 'public' },
      schema: {
        tags: ['accounts'],
        body: Type.Object(
          {
            token: Type.String({ maxLength: 200 }),
            name: Type.Optional(Type.String({ maxLength: 100 })),
            password: Type.String({ maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await acceptInvite(deps.ctx, req.body)),
  );

  app.get('/users', { config: { role: 'owner' }, schema: { tags: ['accounts'] } }, async (req) => ({
    users: await listMembers(deps.ctx, await deps.workspaceFor(req)),
  }));

  app.post(
    '/users/invites',
    {
      config: { role: 'owner' },
      schema: {
        tags: ['accounts'],
        body: Type.Object(
          { email: Type.String({ maxLength: 320 }), role: RoleT },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const a = requireAuth(req);
      const invite = await inviteUser(deps.ctx, a.workspaceId, req.body, a.userId);
      // The token is shown once: the owner hands the link to the new user.
      return reply.status(201).send({ ...invite, link: `/accept-invite?token=${invite.token}` });
    },
  );

  app.patch(
    '/users/:id',
    {
      config: { role: 'owner' },
      schema: {
        tags: ['accounts'],
        params: IdParams,
        body: Type.Object({ role: RoleT }, { additionalProperties: false }),
      },
    },
    async (req) => {
      await setMemberRole(deps.ctx, await deps.workspaceFor(req), req.params.id, req.body.role);
      return { id: req.params.id, role: req.body.role };
    },
  );

  app.delete(
    '/users/:id',
    { config: { role: 'owner' }, schema: { tags: ['accounts'], params: IdParams } },
    async (req, reply) => {
      await setMemberRole(deps.ctx, await deps.workspaceFor(req), req.params.id, null);
      return reply.status(204).send();
    },
  );

  app.get('/api-keys', { config: { role: 'owner' }, schema: { tags: ['accounts'] } }, async (req) => ({
    apiKeys: await listApiKeys(deps.ctx, await deps.workspaceFor(req)),
  }));

  app.post(
    '/api-keys',
    {
      config: { role: 'owner' },
      schema: {
        tags: ['accounts'],
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }), role: Type.Optional(RoleT) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const a = requireAuth(req);
      // `key` is in this answer only; the database keeps its hash.
      return reply.status(201).send(await createApiKey(deps.ctx, a.workspaceId, req.body, a.userId));
    },
  );

  app.delete(
    '/api-keys/:id',
    { config: { role: 'owner' }, schema: { tags: ['accounts'], params: IdParams } },
    async (req, reply) => {
      await revokeApiKey(deps.ctx, await deps.workspaceFor(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/audit',
    {
      config: { role: 'owner' },
      schema: {
        tags: ['accounts'],
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const rows = await listAudit(deps.ctx, await deps.workspaceFor(req), req.query.limit ?? 500);
      if (req.query.format !== 'csv') return { entries: rows };
      // The readable action and the target's name are what a person reads: they go to the file too (and
      // are chosen by members, so the CSV writer's formula neutralisation matters here).
      const cols = ['at', 'actor', 'action', 'action_key', 'target', 'target_name', 'status'] as const;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit.csv"')
        .send(csvLines([cols, ...rows.map((r) => cols.map((c) => r[c]))]));
    },
  );
}
