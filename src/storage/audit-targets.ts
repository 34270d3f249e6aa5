// The names the audit log records for its targets, read in the caller's workspace only.
import type { Executor } from './db.ts';

export type AuditTargetKind = 'topic' | 'trigger' | 'page' | 'campaign' | 'member' | 'api_key' | 'customer';

/** Targets whose own table has a `name` column and a `workspace_id`. */
const NAMED = {
  topic: 'topics',
  page: 'pages',
  campaign: 'campaigns',
  api_key: 'api_keys',
  customer: 'customers',
} as const;

export async function auditTargetName(
  db: Executor,
  workspaceId: number,
  kind: AuditTargetKind,
  id: number,
): Promise<string | null> {
  const named = NAMED[kind as keyof typeof NAMED];
  if (named) {
    const row = await db
      .selectFrom(named)
      .select('name')
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return row?.name ?? null;
  }
  switch (kind) {
    case 'member': {
      const m = await db
        .selectFrom('users as u')
        .innerJoin('memberships as m', 'm.user_id', 'u.id')
        .select('u.email')
        .where('u.id', '=', id)
        .where('m.workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return m?.email ?? null;
    }
    case 'trigger': {
      const t = await db
        .selectFrom('assistant_triggers')
        .select(['kind', 'value'])
        .where('id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return t ? (t.value ? `${t.kind}: ${t.value}` : t.kind) : null;
    }
    default:
      return null; // the other kinds are in NAMED
  }
}
