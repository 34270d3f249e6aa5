// Reads across workspaces for the operator (renotify workspaces list) and the suspension checks of
// sign-in and authentication. Workspaces are written by pages.ts (the tenancy root's one writer).
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export interface WorkspaceUsage {
  id: number;
  name: string;
  createdAt: Date;
  suspendedAt: Date | null;
  /** Connected pages (disconnected ones are not counted), with their Facebook ids. */
  pages: Array<{ id: number; fbPageId: string; name: string; connected: boolean }>;
  customers: number;
  /** Messages the workspace sent (bot, agents, campaigns) since `since`. */
  messagesSent: number;
}

export async function findWorkspace(db: Executor, workspaceId: number) {
  return db.selectFrom('workspaces').selectAll().where('id', '=', workspaceId).executeTakeFirst();
}

/** The suspended ones among these workspaces (sign-in, sessions and API keys refuse them). */
export async function suspendedAmong(db: Executor, workspaceIds: number[]): Promise<Set<number>> {
  if (workspaceIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('workspaces')
    .select('id')
    .where('id', 'in', workspaceIds)
    .where('suspended_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Every workspace with its pages and usage; three grouped queries whatever the number of workspaces. */
export async function listWorkspaceUsage(db: Executor, since: Date): Promise<WorkspaceUsage[]> {
  const [workspaces, pageRows, customers, sent] = await Promise.all([
    db.selectFrom('workspaces').selectAll().orderBy('id').execute(),
    db
      .selectFrom('pages')
      .select(['id', 'workspace_id', 'fb_page_id', 'name', 'connection_status'])
      .orderBy('id')
      .execute(),
    db
      .selectFrom('customers')
      .select(['workspace_id', sql<number>`count(*)::int`.as('n')])
      .groupBy('workspace_id')
      .execute(),
    db
      .selectFrom('messages')
      .select(['workspace_id', sql<number>`count(*)::int`.as('n')])
      .where('direction', '=', 'out')
      .where('created_at', '>=', since)
      .groupBy('workspace_id')
      .execute(),
  ]);
  const count = (rows: Array<{ workspace_id: number; n: number }>) =>
    new Map(rows.map((r) => [r.workspace_id, Number(r.n)]));
  const customersOf = count(customers);
  const sentOf = count(sent);
  return workspaces.map((w) => ({
    id: w.id,
    name: w.name,
    createdAt: w.created_at,
    suspendedAt: w.suspended_at,
    pages: pageRows
      .filter((p) => p.workspace_id === w.id)
      .map((p) => ({
        id: p.id,
        fbPageId: p.fb_page_id,
        name: p.name,
        connected: p.connection_status !== 'disconnected',
      })),
    customers: customersOf.get(w.id) ?? 0,
    messagesSent: sentOf.get(w.id) ?? 0,
  }));
}
