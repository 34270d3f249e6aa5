// Facebook Login round trips (facebook_login_states) and the connection columns of pages (migration 020).
// Tokens are encrypted here on the way into SQL and decrypted on the way out (secrets.ts).
import type { Executor } from './db.ts';
import type { PageRow } from './schema.ts';
import { decrypt, encrypt } from './secrets.ts';

export type ConnectionStatus = 'connected' | 'needs_reconnect' | 'disconnected';

export interface LoginStateRow {
  id: number;
  workspaceId: number;
  sessionHash: string;
  expiresAt: Date;
  fbUserId: string | null;
  userToken: string | null;
  pagesJson: string | null;
  consumedAt: Date | null;
}

export async function insertLoginState(
  db: Executor,
  s: { workspaceId: number; nonceHash: string; sessionHash: string; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('facebook_login_states')
    .values({
      workspace_id: s.workspaceId,
      nonce_hash: s.nonceHash,
      session_hash: s.sessionHash,
      created_at: s.now,
      expires_at: s.expiresAt,
    })
    .execute();
}

/** Single use: the first return with this nonce before it expires takes it; any later one finds nothing. */
export async function takeLoginState(
  db: Executor,
  nonceHash: string,
  now: Date,
): Promise<LoginStateRow | null> {
  const row = await db
    .updateTable('facebook_login_states')
    .set({ returned_at: now })
    .where('nonce_hash', '=', nonceHash)
    .where('returned_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  return row ? toState(row) : null;
}

type StateDbRow = {
  id: number;
  workspace_id: number;
  session_hash: string;
  expires_at: Date;
  fb_user_id: string | null;
  user_token: string | null;
  pages: string | null;
  consumed_at: Date | null;
};
const toState = (r: StateDbRow): LoginStateRow => ({
  id: r.id,
  workspaceId: r.workspace_id,
  sessionHash: r.session_hash,
  expiresAt: r.expires_at,
  fbUserId: r.fb_user_id,
  userToken: decrypt(r.user_token),
  pagesJson: decrypt(r.pages),
  consumedAt: r.consumed_at,
});

export async function saveOffer(
  db: Executor,
  id: number,
  o: { fbUserId: string; userToken: string; pagesJson: string; expiresAt: Date },
): Promise<void> {
  await db
    .updateTable('facebook_login_states')
    .set({
      fb_user_id: o.fbUserId,
      user_token: encrypt(o.userToken),
      pages: encrypt(o.pagesJson),
      expires_at: o.expiresAt,
    })
    .where('id', '=', id)
    .execute();
}

/** The offer of this workspace's session, not consumed and not expired. */
export async function findOffer(
  db: Executor,
  q: { id: number; workspaceId: number; sessionHash: string; now: Date },
): Promise<LoginStateRow | null> {
  const row = await db
    .selectFrom('facebook_login_states')
    .selectAll()
    .where('id', '=', q.id)
    .where('workspace_id', '=', q.workspaceId)
    .where('session_hash', '=', q.sessionHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', q.now)
    .where('pages', 'is not', null)
    .executeTakeFirst();
  return row ? toState(row) : null;
}

/** Marks the offer used; false when another request used it first. */
export async function consumeOffer(db: Executor, id: number, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('facebook_login_states')
    .set({ consumed_at: now, user_token: null, pages: null })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface ConnectionPatch {
  status: ConnectionStatus;
  reason: string | null;
  /** Sending stops while set (R11b's column); cleared on reconnect. */
  restrictedReason: string | null;
  accessToken?: string | null;
  connectedAt?: Date;
}

export async function setConnection(
  db: Executor,
  workspaceId: number,
  pageId: number,
  p: ConnectionPatch,
): Promise<void> {
  await db
    .updateTable('pages')
    .set({
      connection_status: p.status,
      connection_reason: p.reason,
      restricted_reason: p.restrictedReason,
      ...(p.accessToken !== undefined && { access_token: encrypt(p.accessToken) }),
      ...(p.connectedAt && { connected_at: p.connectedAt }),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', pageId)
    .execute();
}

/** Every connected page with a token, of every workspace: the health check's round. */
export async function listConnectedPages(db: Executor): Promise<PageRow[]> {
  const rows = await db
    .selectFrom('pages')
    .selectAll()
    .where('connection_status', '=', 'connected')
    .where('access_token', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    access_token: decrypt(r.access_token),
    app_secret: decrypt(r.app_secret),
  }));
}

export async function markHealthChecked(db: Executor, pageId: number, now: Date): Promise<void> {
  await db.updateTable('pages').set({ health_checked_at: now }).where('id', '=', pageId).execute();
}
