// API keys of a workspace: stored hashed (the key is shown once, when created), revoked, never deleted.

import type { Role } from '../domain/options.ts';
import type { Executor } from './db.ts';

export async function insertApiKey(
  db: Executor,
  k: {
    workspaceId: number;
    name: string;
    prefix: string;
    keyHash: string;
    role: Role;
    createdBy: number | null;
    now: Date;
  },
) {
  return db
    .insertInto('api_keys')
    .values({
      workspace_id: k.workspaceId,
      name: k.name,
      prefix: k.prefix,
      key_hash: k.keyHash,
      role: k.role,
      created_by: k.createdBy,
      created_at: k.now,
    })
    .returning(['id', 'name', 'prefix', 'role', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** An unrevoked key of a workspace that is not suspended. */
export async function findActiveApiKey(db: Executor, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .innerJoin('workspaces', 'workspaces.id', 'api_keys.workspace_id')
    .select(['api_keys.id', 'api_keys.workspace_id', 'api_keys.role', 'api_keys.name'])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .where('workspaces.suspended_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiKey(db: Executor, id: number, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function listApiKeys(db: Executor, workspaceId: number) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'role', 'created_at', 'last_used_at', 'revoked_at'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
}

/** Revokes an active key of the workspace; false when there is none with that id. */
export async function revokeApiKey(
  db: Executor,
  workspaceId: number,
  id: number,
  at: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
