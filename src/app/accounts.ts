// Accounts: users with scrypt passwords, sessions, roles per workspace, API keys (shown once, stored
// hashed), invitations of users, and the audit log of admin actions.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/options.ts';
import { inTransaction } from '../storage/db.ts';
import type { AppContext } from './context.ts';
import { isUniqueViolation } from './context.ts';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const SESSION_DAYS = 14;
const INVITE_DAYS = 7;

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

// Checked even for unknown emails, so timing does not tell which emails exist.
const DUMMY_HASH = hashPassword(randomBytes(12).toString('hex'));

function checkEmail(email: unknown): string {
  if (typeof email !== 'string' || !/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email.trim())) {
    throw new DomainError('validation_failed', 'A valid email address is required.');
  }
  return email.trim().toLowerCase();
}

function checkPassword(pw: unknown): string {
  if (typeof pw !== 'string' || pw.length < 10 || pw.length > 200) {
    throw new DomainError('weak_password', 'A password is 10 to 200 characters.');
  }
  return pw;
}

export async function createUser(
  ctx: AppContext,
  input: { email: unknown; name: unknown; password: unknown },
) {
  const email = checkEmail(input.email);
  const password = checkPassword(input.password);
  const name = typeof input.name === 'string' && input.name.trim() ? input.name.trim().slice(0, 100) : email;
  const now = ctx.clock.now();
  try {
    return await ctx.db
      .insertInto('users')
      .values({
        email,
        name,
        password_hash: await hashPassword(password),
        created_at: now,
        password_changed_at: now,
      })
      .returning(['id', 'email', 'name'])
      .executeTakeFirstOrThrow();
  } catch (e) {
    if (isUniqueViolation(e))
      throw new DomainError('email_taken', 'An account with this email already exists.');
    throw e;
  }
}

export async function addMember(
  ctx: AppContext,
  workspaceId: number,
  userId: number,
  role: Role,
): Promise<void> {
  await ctx.db
    .insertInto('memberships')
    .values({ user_id: userId, workspace_id: workspaceId, role, created_at: ctx.clock.now() })
    .onConflict((oc) => oc.columns(['user_id', 'workspace_id']).doUpdateSet({ role }))
    .execute();
}

/** The first start's owner: created with a random password that is printed once and stored hashed. */
export async function bootstrapOwner(ctx: AppContext, workspaceId: number, email = 'owner@renotify.local') {
  const anyUser = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null;
  const password = randomBytes(12).toString('base64url');
  const user = await createUser(ctx, { email, name: 'Owner', password });
  await addMember(ctx, workspaceId, user.id, 'owner');
  return { email, password, userId: user.id };
}

export interface SessionInfo {
  userId: number;
  email: string;
  name: string;
  workspaceId: number;
  role: Role;
  csrfToken: string;
}

/** Returns a new session token (the cookie value) or null; constant work whether or not the email exists. */
export async function signIn(
  ctx: AppContext,
  email: string,
  password: string,
): Promise<{ token: string; session: SessionInfo } | null> {
  const user = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', String(email).toLowerCase()))
    .executeTakeFirst();
  const ok = await verifyPassword(String(password), user?.password_hash ?? (await DUMMY_HASH));
  if (!user || !ok) return null;
  const membership = await ctx.db
    .selectFrom('memberships')
    .selectAll()
    .where('user_id', '=', user.id)
    .orderBy('workspace_id')
    .limit(1)
    .executeTakeFirst();
  if (!membership) return null;
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('sessions')
    .values({
      id_hash: sha256(token),
      user_id: user.id,
      workspace_id: membership.workspace_id,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000),
    })
    .execute();
  return {
    token,
    session: {
      userId: user.id,
      email: user.email,
      name: user.name,
      workspaceId: membership.workspace_id,
      role: membership.role,
      csrfToken,
    },
  };
}

// The shapes this service issues (32 random bytes; rk_ + 24 random bytes, base64url): anything else is
// refused without a database lookup.
const SESSION_SHAPE = /^[\w-]{43}$/;
const API_KEY_SHAPE = /^rk_[\w-]{32}$/;

export async function sessionFromToken(ctx: AppContext, token: string): Promise<SessionInfo | null> {
  if (!SESSION_SHAPE.test(token)) return null;
  const row = await ctx.db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('memberships as m', (j) =>
      j.onRef('m.user_id', '=', 's.user_id').onRef('m.workspace_id', '=', 's.workspace_id'),
    )
    .select(['s.user_id', 's.workspace_id', 's.csrf_token', 's.expires_at', 'u.email', 'u.name', 'm.role'])
    .where('s.id_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= ctx.clock.now()) return null;
  return {
    userId: row.user_id,
    email: row.email,
    name: row.name,
    workspaceId: row.workspace_id,
    role: row.role,
    csrfToken: row.csrf_token,
  };
}

export async function signOut(ctx: AppContext, token: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('id_hash', '=', sha256(token)).execute();
}

/** Changing the password ends every other session of the user. */
export async function changePassword(
  ctx: AppContext,
  userId: number,
  current: string,
  next: unknown,
  keepToken: string,
): Promise<boolean> {
  const user = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(String(current), user.password_hash))) return false;
  const pw = checkPassword(next);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: await hashPassword(pw), password_changed_at: now })
      .where('id', '=', userId)
      .execute();
    await tx
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .where('id_hash', '!=', sha256(keepToken))
      .execute();
  });
  return true;
}

export async function createApiKey(
  ctx: AppContext,
  workspaceId: number,
  input: { name: unknown; role?: unknown },
  createdBy: number | null,
) {
  const name = typeof input.name === 'string' && input.name.trim() ? input.name.trim().slice(0, 100) : null;
  if (!name) throw new DomainError('validation_failed', 'An API key needs a name.');
  const role = (input.role ?? 'admin') as Role;
  if (!ROLES.includes(role)) throw new DomainError('validation_failed', 'The role is owner, admin or agent.');
  const secret = randomBytes(24).toString('base64url');
  const prefix = `rk_${secret.slice(0, 6)}`;
  const key = `rk_${secret}`;
  const row = await ctx.db
    .insertInto('api_keys')
    .values({
      workspace_id: workspaceId,
      name,
      prefix,
      key_hash: sha256(key),
      role,
      created_by: createdBy,
      created_at: ctx.clock.now(),
    })
    .returning(['id', 'name', 'prefix', 'role', 'created_at'])
    .executeTakeFirstOrThrow();
  return { ...row, key };
}

export async function apiKeyFromToken(ctx: AppContext, key: string) {
  if (!API_KEY_SHAPE.test(key)) return null;
  const row = await ctx.db
    .selectFrom('api_keys')
    .select(['id', 'workspace_id', 'role', 'name'])
    .where('key_hash', '=', sha256(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (row)
    await ctx.db
      .updateTable('api_keys')
      .set({ last_used_at: ctx.clock.now() })
      .where('id', '=', row.id)
      .execute();
  return row ?? null;
}

export async function listApiKeys(ctx: AppContext, workspaceId: number) {
  return ctx.db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'role', 'created_at', 'last_used_at', 'revoked_at'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
}

export async function revokeApiKey(ctx: AppContext, workspaceId: number, id: number): Promise<void> {
  const r = await ctx.db
    .updateTable('api_keys')
    .set({ revoked_at: ctx.clock.now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0)
    throw new DomainError('validation_failed', `No active API key ${id}.`, { notFound: true });
}

export async function inviteUser(
  ctx: AppContext,
  workspaceId: number,
  input: { email: unknown; role: unknown },
  invitedBy: number | null,
) {
  const email = checkEmail(input.email);
  const role = input.role as Role;
  if (!ROLES.includes(role)) throw new DomainError('validation_failed', 'The role is owner, admin or agent.');
  const token = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  const row = await ctx.db
    .insertInto('user_invites')
    .values({
      workspace_id: workspaceId,
      email,
      role,
      token_hash: sha256(token),
      invited_by: invitedBy,
      created_at: now,
      expires_at: new Date(now.getTime() + INVITE_DAYS * 86_400_000),
    })
    .returning(['id', 'email', 'role', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { ...row, token };
}

/** Accepting an invitation creates the account (or joins an existing one after checking its password). */
export async function acceptInvite(
  ctx: AppContext,
  input: { token: unknown; name?: unknown; password: unknown },
) {
  const invite = await ctx.db
    .selectFrom('user_invites')
    .selectAll()
    .where('token_hash', '=', sha256(String(input.token)))
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
  if (!invite || invite.expires_at <= ctx.clock.now()) {
    throw new DomainError('invite_invalid', 'This invitation is invalid or has expired.');
  }
  const existing = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', invite.email))
    .executeTakeFirst();
  let userId: number;
  if (existing) {
    if (!(await verifyPassword(String(input.password), existing.password_hash))) {
      throw new DomainError('wrong_password', 'The password does not match the existing account.');
    }
    userId = existing.id;
  } else {
    userId = (await createUser(ctx, { email: invite.email, name: input.name, password: input.password })).id;
  }
  await addMember(ctx, invite.workspace_id, userId, invite.role);
  await ctx.db
    .updateTable('user_invites')
    .set({ accepted_at: ctx.clock.now() })
    .where('id', '=', invite.id)
    .execute();
  return { userId, workspaceId: invite.workspace_id, role: invite.role };
}

export async function listMembers(ctx: AppContext, workspaceId: number) {
  return ctx.db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.created_at'])
    .where('m.workspace_id', '=', workspaceId)
    .orderBy('u.id')
    .execute();
}

/** Role changes and removals keep at least one owner. */
export async function setMemberRole(
  ctx: AppContext,
  workspaceId: number,
  userId: number,
  role: Role | null,
): Promise<void> {
  if (role !== null && !ROLES.includes(role))
    throw new DomainError('validation_failed', 'The role is owner, admin or agent.');
  await inTransaction(ctx.db, async (tx) => {
    const members = await tx
      .selectFrom('memberships')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .forUpdate()
      .execute();
    const target = members.find((m) => m.user_id === userId);
    if (!target)
      throw new DomainError('validation_failed', `No member ${userId} in this workspace.`, {
        notFound: true,
      });
    const owners = members.filter((m) => m.role === 'owner').length;
    if (target.role === 'owner' && role !== 'owner' && owners <= 1) {
      throw new DomainError('validation_failed', 'A workspace keeps at least one owner.');
    }
    if (role === null) {
      await tx
        .deleteFrom('memberships')
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId)
        .execute();
      await tx
        .deleteFrom('sessions')
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId)
        .execute();
    } else {
      await tx
        .updateTable('memberships')
        .set({ role })
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId)
        .execute();
    }
  });
}

export interface AuditEntry {
  workspaceId: number;
  userId: number | null;
  apiKeyId: number | null;
  actor: string;
  /** What was called (METHOD /route), as it was before action keys. */
  action: string;
  /** The readable action (topic.delete); see http/audit-actions.ts. */
  actionKey?: string | null;
  target: string | null;
  /** The target's name, read before the action ran (so a deleted target keeps it). */
  targetName?: string | null;
  status: number;
  detail?: Record<string, unknown>;
}

export async function audit(ctx: AppContext, e: AuditEntry): Promise<void> {
  await ctx.db
    .insertInto('audit_log')
    .values({
      workspace_id: e.workspaceId,
      user_id: e.userId,
      api_key_id: e.apiKeyId,
      actor: e.actor,
      action: e.action,
      action_key: e.actionKey ?? null,
      target: e.target,
      target_name: e.targetName ?? null,
      status: e.status,
      detail: JSON.stringify(e.detail ?? {}),
      at: ctx.clock.now(),
    })
    .execute();
}

export async function listAudit(ctx: AppContext, workspaceId: number, limit = 500) {
  return ctx.db
    .selectFrom('audit_log')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
