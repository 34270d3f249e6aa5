// A lost password, recovered by the operator on the server (`renotify users reset-password`): a new
// random password, shown once and stored hashed; every session of the user ends; each of the user's
// workspaces gets an audit entry.
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import * as accounts from '../storage/accounts.ts';
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
    const user = await accounts.findUserByEmail(tx, wanted, { forUpdate: true });
    if (!user) throw new DomainError('validation_failed', `No user with the email ${wanted}.`);
    await accounts.setPasswordHash(tx, user.id, hash, now);
    const ended = await accounts.deleteUserSessions(tx, user.id);
    const workspaces = await accounts.workspacesOfUser(tx, user.id);
    for (const workspaceId of workspaces) {
      await audit(
        { ...ctx, db: tx },
        {
          workspaceId,
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
    return { userId: user.id, email: user.email, password, sessionsEnded: ended };
  });
}
