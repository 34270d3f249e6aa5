// Accounts: users, their memberships (role per workspace), sessions and invitations of users. Tokens
// arrive here already hashed: this module never sees a session cookie or an invitation token.

import type { Role } from '../domain/options.ts';
import type { Executor } from './db.ts';

export async function insertUser(
  db: Executor,
  u: { email: string; name: string; passwordHash: string; now: Date },
) {
  return db
    .insertInto('users')
    .values({
      email: u.email,
      name: u.name,
      password_hash: u.passwordHash,
      created_at: u.now,
      password_changed_at: u.now,
    })
    .returning(['id', 'email', 'name'])
    .executeTakeFirstOrThrow();
}

export async function anyUserExists(db: Executor): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** By email, case-insensitively (`email` lower-cased by the caller); locked when asked. */
export async function findUserByEmail(db: Executor, email: string, opts: { forUpdate?: boolean } = {}) {
  let q = db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email));
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function getUser(db: Executor, userId: number) {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
}

export async function setPasswordHash(db: Executor, userId: number, hash: string, now: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: hash, password_changed_at: now })
    .where('id', '=', userId)
    .execute();
}

/** Adds the user to the workspace, or changes the role they have there. */
export async function upsertMembership(
  db: Executor,
  m: { userId: number; workspaceId: number; role: Role; now: Date },
): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ user_id: m.userId, workspace_id: m.workspaceId, role: m.role, created_at: m.now })
    .onConflict((oc) => oc.columns(['user_id', 'workspace_id']).doUpdateSet({ role: m.role }))
    .execute();
}

/** The workspace a sign-in opens: the user's first. */
/** The user's first membership; `active`: only in a workspace that is not suspended. */
export async function firstMembership(db: Executor, userId: number, opts: { active?: boolean } = {}) {
  return db
    .selectFrom('memberships')
    .innerJoin('workspaces', 'workspaces.id', 'memberships.workspace_id')
    .selectAll('memberships')
    .where('memberships.user_id', '=', userId)
    .$if(Boolean(opts.active), (q) => q.where('workspaces.suspended_at', 'is', null))
    .orderBy('memberships.workspace_id')
    .limit(1)
    .executeTakeFirst();
}

export async function workspacesOfUser(db: Executor, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('workspace_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.workspace_id);
}

/** All memberships of a workspace, locked: role changes count owners under this lock. */
export async function lockMemberships(db: Executor, workspaceId: number) {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .forUpdate()
    .execute();
}

export async function setMembershipRole(
  db: Executor,
  workspaceId: number,
  userId: number,
  role: Role,
): Promise<void> {
  await db
    .updateTable('memberships')
    .set({ role })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

/** Removes the user from the workspace and ends their sessions in it. */
export async function removeMembership(db: Executor, workspaceId: number, userId: number): Promise<void> {
  await db
    .deleteFrom('memberships')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
  await db
    .deleteFrom('sessions')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

export async function listMembers(db: Executor, workspaceId: number) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.created_at'])
    .where('m.workspace_id', '=', workspaceId)
    .orderBy('u.id')
    .execute();
}

export async function insertSession(
  db: Executor,
  s: { idHash: string; userId: number; workspaceId: number; csrfToken: string; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      user_id: s.userId,
      workspace_id: s.workspaceId,
      csrf_token: s.csrfToken,
      created_at: s.now,
      expires_at: s.expiresAt,
    })
    .execute();
}

/** A session with its user and the role the user holds in the session's workspace (none: no row). */
export async function findSession(db: Executor, idHash: string) {
  return (
    db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .innerJoin('memberships as m', (j) =>
        j.onRef('m.user_id', '=', 's.user_id').onRef('m.workspace_id', '=', 's.workspace_id'),
      )
      // A suspended workspace's sessions stop working at once (issue 12.2).
      .innerJoin('workspaces as w', 'w.id', 's.workspace_id')
      .select(['s.user_id', 's.workspace_id', 's.csrf_token', 's.expires_at', 'u.email', 'u.name', 'm.role'])
      .where('s.id_hash', '=', idHash)
      .where('w.suspended_at', 'is', null)
      .executeTakeFirst()
  );
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends the user's sessions (but the one kept, if given); returns how many ended. */
export async function deleteUserSessions(
  db: Executor,
  userId: number,
  opts: { keepIdHash?: string } = {},
): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (opts.keepIdHash !== undefined) q = q.where('id_hash', '!=', opts.keepIdHash);
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows);
}

export async function insertUserInvite(
  db: Executor,
  i: {
    workspaceId: number;
    email: string;
    role: Role;
    tokenHash: string;
    invitedBy: number | null;
    now: Date;
    expiresAt: Date;
  },
) {
  return db
    .insertInto('user_invites')
    .values({
      workspace_id: i.workspaceId,
      email: i.email,
      role: i.role,
      token_hash: i.tokenHash,
      invited_by: i.invitedBy,
      created_at: i.now,
      expires_at: i.expiresAt,
    })
    .returning(['id', 'email', 'role', 'expires_at'])
    .executeTakeFirstOrThrow();
}

/** An invitation not accepted yet (expired ones too: the caller tells them apart). */
export async function findOpenUserInvite(db: Executor, tokenHash: string) {
  return db
    .selectFrom('user_invites')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
}

export async function markUserInviteAccepted(db: Executor, id: number, at: Date): Promise<void> {
  await db.updateTable('user_invites').set({ accepted_at: at }).where('id', '=', id).execute();
}
