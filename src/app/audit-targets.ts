// The name an audit entry records for its target, read before the action runs (http/audit-actions.ts),
// so a deleted topic keeps its name in the log. Only the caller's workspace is read.
import { type AuditTargetKind, auditTargetName as readName } from '../storage/audit-targets.ts';
import type { AppContext } from './context.ts';

export type { AuditTargetKind };

export function auditTargetName(
  ctx: AppContext,
  workspaceId: number,
  kind: AuditTargetKind,
  id: number,
): Promise<string | null> {
  return readName(ctx.db, workspaceId, kind, id);
}
