// The names the audit log records for its targets, read in the caller's workspace only.
import type { Executor } from './db.ts';

export type AuditTargetKind = 'topic' | 'trigger' | 'page' | 'campaign' | 'member' | 'api_key' | 'customer';

export async function auditTargetName(
  db: Executor,
  workspaceId: number,
  kind: AuditTargetKind,
  id: number,
): Promise<string | null> {
  const one = async (q: { executeTakeFirst(): Promise<{ name: string | null } | undefined> }) =>
    (await q.executeTakeFirst())?.name ?? null;
  switch (kind) {
    case 'topic':
      return one(
        db.selectFrom('topics').select('name').where('id', '=', id).where('workspace_id', '=', workspaceId),
      );
    case 'page':
      return one(
        db.selectFrom('pages').select('name').where('id', '=', id).where('workspace_id', '=', workspaceId),
      );
    case 'campaign':
      return one(
        db
          .selectFrom('campaigns')
          .select('name')
          .where('id', '=', id)
          .where('workspace_id', '=', workspaceId),
      );
    case 'api_key':
      return one(
        db.selectFrom('api_keys').select('name').where('id', '=', id).where('workspace_id', '=', workspaceId),
      );
    case 'customer':
      return one(
        db
          .selectFrom('customers')
          .select('name')
          .where('id', '=', id)
          .where('workspace_id', '=', workspaceId),
      );
    case 'member':
      return one(
        db
          .selectFrom('users as u')
          .innerJoin('memberships as m', 'm.user_id', 'u.id')
          .select('u.email as name')
          .where('u.id', '=', id)
          .where('m.workspace_id', '=', workspaceId),
      );
    case 'trigger': {
      const t = await db
        .selectFrom('assistant_triggers')
        .select(['kind', 'value'])
        .where('id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return t ? (t.value ? `${t.kind}: ${t.value}` : t.kind) : null;
    }
  }
}
