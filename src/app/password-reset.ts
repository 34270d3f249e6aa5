// A lost password, recovered by the operator on the server (`renotify users reset-password`): a new
// random password, shown once and stored hashed; every session of the user ends; each of the user's
// workspaces gets an audit entry.
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import { inTransaction } from '../storage/db.ts';
import { audit, hashPassword } from './accounts.ts';
import type { AppContext } from './context.ts';

export interface PasswordReset {
  userId: number;
  email: string;
  /** Shown once; only its hash is stored. */
  password: string;
  sessionsEnded: number;
}

export async function resetPassword(ctx: AppContext, email: string): Promise<PasswordReset> {
  const wanted = email.trim().toLowerCase();
  const password = randomBytes(12).toString('base64url');
  const hash = await hashPassword(password);
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email'])
      .where((eb) => eb(eb.fn('lower', ['email']), '=', wanted))
      .forUpdate()
      .executeTakeFirst();
    if (!user) throw new DomainError('validation_failed', `No user with the email ${wanted}.`);
    await tx
      .updateTable('users')
      .set({ password_hash: hash, password_changed_at: now })
      .where('id', '=', user.id)
      .execute();
    const ended = await tx.deleteFrom('sessions').where('user_id', '=', user.id).executeTakeFirst();
    const workspaces = await tx
      .selectFrom('memberships')
      .select('workspace_id')
      .where('user_id', '=', user.id)
      .execute();
    for (const m of workspaces) {
      await audit(
        { ...ctx, db: tx },
        {
          workspaceId: m.workspace_id,
          userId: null,
          apiKeyId: null,
          actor: 'server console',
          action: 'renotify users reset-password',
          actionKey: 'user.password_reset',
          target: null,
          targetName: user.email,
          status: 200,
        },
      );
    }
    return { userId: user.id, email: user.email, password, sessionsEnded: Number(ended.numDeletedRows) };
  });
}
