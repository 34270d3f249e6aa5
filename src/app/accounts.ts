// Accounts: users with scrypt passwords, sessions, roles per workspace, API keys (shown once, stored
// hashed), invitations of users, and the audit log of admin actions. The SQL is in storage/accounts.ts,
// storage/api-keys.ts and storage/audit-log.ts; here: validation, hashing, and the rules.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError } from '../domain/errors.ts';
import { isRole, ROLES, type Role } from '../domain/options.ts';
import * as accounts from '../storage/accounts.ts';
import * as apiKeys from '../storage/api-keys.ts';
import * as auditLog from '../storage/audit-log.ts';
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
    return await accounts.insertUser(ctx.db, {
      email,
      name,
      passwordHash: await hashPassword(password),
      now,
    });
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
  await accounts.upsertMembership(ctx.db, { userId, workspaceId, role, now: ctx.clock.now() });
}

/** The first start's owner: created with a random password that is printed once and stored hashed. */
export async function bootstrapOwner(ctx: AppContext, workspaceId: number, email = 'owner@renotify.local') {
  if (await accounts.anyUserExists(ctx.db)) return null;
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
  const user = await accounts.findUserByEmail(ctx.db, String(email).toLowerCase());
  const ok = await verifyPassword(String(password), user?.password_hash ?? (await DUMMY_HASH));
  if (!user || !ok) return null;
  const membership = await accounts.firstMembership(ctx.db, user.id, { active: true });
  if (!membership) {
    // Said only to whoever gave the right password: the shop exists but the operator suspended it.
    if (await accounts.firstMembership(ctx.db, user.id)) {
      throw new DomainError(
        'workspace_suspended',
        'This shop is suspended; its members cannot sign in. Contact the operator of this service.',
      );
    }
    return null;
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  await accounts.insertSession(ctx.db, {
    idHash: sha256(token),
    userId: user.id,
    workspaceId: membership.workspace_id,
    csrfToken,
    now,
    expiresAt: new Date(now.getTime() + SESSION_DAYS * 86_400_000),
  });
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
  const row = await accounts.findSession(ctx.db, sha256(token));
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
  await accounts.deleteSession(ctx.db, sha256(token));
}

/** Changing the password ends every other session of the user. */
export async function changePassword(
  ctx: AppContext,
  userId: number,
  current: string,
  next: unknown,
  keepToken: string,
): Promise<boolean> {
  const user = await accounts.getUser(ctx.db, userId);
  if (!(await verifyPassword(String(current), user.password_hash))) return false;
  const pw = checkPassword(next);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    await accounts.setPasswordHash(tx, userId, await hashPassword(pw), now);
    await accounts.deleteUserSessions(tx, userId, { keepIdHash: sha256(keepToken) });
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
  const role = input.role ?? 'admin';
  if (!isRole(role)) throw new DomainError('validation_failed', 'The role is owner, admin or agent.');
  const secret = randomBytes(24).toString('base64url');
  const prefix = `rk_${secret.slice(0, 6)}`;
  const key = `rk_${secret}`;
  const row = await apiKeys.insertApiKey(ctx.db, {
    workspaceId,
    name,
    prefix,
    keyHash: sha256(key),
    role,
    createdBy,
    now: ctx.clock.now(),
  });
  return { ...row, key };
}

export async function apiKeyFromToken(ctx: AppContext, key: string) {
  if (!API_KEY_SHAPE.test(key)) return null;
  const row = await apiKeys.findActiveApiKey(ctx.db, sha256(key));
  if (row) await apiKeys.touchApiKey(ctx.db, row.id, ctx.clock.now());
  return row ?? null;
}

export async function listApiKeys(ctx: AppContext, workspaceId: number) {
  return apiKeys.listApiKeys(ctx.db, workspaceId);
}

export async function revokeApiKey(ctx: AppContext, workspaceId: number, id: number): Promise<void> {
  if (!(await apiKeys.revokeApiKey(ctx.db, workspaceId, id, ctx.clock.now())))
    throw new DomainError('validation_failed', `No active API key ${id}.`, { notFound: true });
}

export async function inviteUser(
  ctx: AppContext,
  workspaceId: number,
  input: { email: unknown; role: unknown },
  invitedBy: number | null,
) {
  const email = checkEmail(input.email);
  const role = input.role;
  if (!isRole(role)) throw new DomainError('validation_failed', 'The role is owner, admin or agent.');
  const token = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  const row = await accounts.insertUserInvite(ctx.db, {
    workspaceId,
    email,
    role,
    tokenHash: sha256(token),
    invitedBy,
    now,
    expiresAt: new Date(now.getTime() + INVITE_DAYS * 86_400_000),
  });
  return { ...row, token };
}

/** Accepting an invitation creates the account (or joins an existing one after checking its password). */
export async function acceptInvite(
  ctx: AppContext,
  input: { token: unknown; name?: unknown; password: unknown },
) {
  const invite = await accounts.findOpenUserInvite(ctx.db, sha256(String(input.token)));
  if (!invite || invite.expires_at <= ctx.clock.now()) {
    throw new DomainError('invite_invalid', 'This invitation is invalid or has expired.');
  }
  const existing = await accounts.findUserByEmail(ctx.db, invite.email);
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
  await accounts.markUserInviteAccepted(ctx.db, invite.id, ctx.clock.now());
  return { userId, workspaceId: invite.workspace_id, role: invite.role };
}

export async function listMembers(ctx: AppContext, workspaceId: number) {
  return accounts.listMembers(ctx.db, workspaceId);
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
    const members = await accounts.lockMemberships(tx, workspaceId);
    const target = members.find((m) => m.user_id === userId);
    if (!target)
      throw new DomainError('validation_failed', `No member ${userId} in this workspace.`, {
        notFound: true,
      });
    const owners = members.filter((m) => m.role === 'owner').length;
    if (target.role === 'owner' && role !== 'owner' && owners <= 1) {
      throw new DomainError('validation_failed', 'A workspace keeps at least one owner.');
    }
    if (role === null) await accounts.removeMembership(tx, workspaceId, userId);
    else await accounts.setMembershipRole(tx, workspaceId, userId, role);
  });
}

export type { AuditEntry } from '../storage/audit-log.ts';

export async function audit(ctx: AppContext, e: auditLog.AuditEntry): Promise<void> {
  await auditLog.appendAudit(ctx.db, e, ctx.clock.now());
}

export async function listAudit(ctx: AppContext, workspaceId: number, limit = 500) {
  return auditLog.listAudit(ctx.db, workspaceId, limit);
}
