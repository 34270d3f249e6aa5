// Open sign-up (issue 12.2): when the operator opens it (SIGNUP=open; the default in sandbox mode), a
// shop creates its workspace and owner account from the console and is signed in; the workspace has no
// page yet, and the console asks to connect one. Closed, the route answers 403 signup_closed.
import { Type } from '@sinclair/typebox';
import { signIn } from '../../app/accounts.ts';
import { signUpShop } from '../../app/workspace-admin.ts';
import { SESSION_COOKIE } from '../auth.ts';
import type { App, ServerDeps } from '../deps.ts';
import { errorBody } from '../errors.ts';

export async function signUpRoutes(app: App, deps: ServerDeps & { secureCookies: boolean }) {
  const open = deps.signup === 'open';
  app.get('/auth/sign-up', { config: { role: 'public' }, schema: { tags: ['accounts'] } }, async () => ({
    open,
  }));

  app.post(
    '/auth/sign-up',
    {
      config: { role: 'public' },
      schema: {
        tags: ['accounts'],
        body: Type.Object(
          {
            shopName: Type.String({ maxLength: 100 }),
            ownerName: Type.String({ maxLength: 100 }),
            email: Type.String({ maxLength: 320 }),
            password: Type.String({ maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      if (!open) {
        return reply.status(403).send(
          errorBody('signup_closed', 'This server does not take new sign-ups; ask its operator.', {
            en: 'This server does not take new sign-ups. Ask its operator to create your shop and invite you.',
            vi: 'Máy chủ này không mở đăng ký cửa hàng mới. Hãy nhờ người quản trị tạo cửa hàng và gửi lời mời.',
          }),
        );
      }
      const { workspaceId } = await signUpShop(deps.ctx, req.body);
      const result = await signIn(deps.ctx, req.body.email, req.body.password);
      if (!result) throw new Error('the account just created cannot sign in');
      reply.setCookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        path: '/',
        maxAge: 14 * 86_400,
      });
      const { csrfToken, ...user } = result.session;
      return reply.status(201).send({ workspaceId, user, csrfToken });
    },
  );
}
