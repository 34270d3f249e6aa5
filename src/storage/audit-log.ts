// The audit log of admin actions, per workspace, newest first when read.
import type { Executor } from './db.ts';

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

export async function appendAudit(db: Executor, e: AuditEntry, at: Date): Promise<void> {
  await db
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
      at,
    })
    .execute();
}

export async function listAudit(db: Executor, workspaceId: number, limit: number) {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
