// Chat assistant triggers of a page.
import type { Executor } from './db.ts';
import type { AssistantTriggerRow, AssistantTriggersTable } from './schema.ts';

export interface TriggerValues {
  kind: AssistantTriggersTable['kind'];
  value: string | null;
  blocks: unknown[];
  position?: number;
  active?: boolean;
}

export async function insertTrigger(
  db: Executor,
  workspaceId: number,
  pageId: number,
  t: TriggerValues,
  now: Date,
): Promise<AssistantTriggerRow> {
  return db
    .insertInto('assistant_triggers')
    .values({
      workspace_id: workspaceId,
      page_id: pageId,
      kind: t.kind,
      value: t.value,
      blocks: JSON.stringify(t.blocks),
      position: t.position ?? 0,
      active: t.active ?? true,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateTrigger(
  db: Executor,
  workspaceId: number,
  id: number,
  t: TriggerValues,
  now: Date,
): Promise<AssistantTriggerRow | undefined> {
  return db
    .updateTable('assistant_triggers')
    .set({
      kind: t.kind,
      value: t.value,
      blocks: JSON.stringify(t.blocks),
      ...(t.position !== undefined && { position: t.position }),
      ...(t.active !== undefined && { active: t.active }),
      updated_at: now,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTrigger(db: Executor, workspaceId: number, id: number): Promise<boolean> {
  const r = await db
    .deleteFrom('assistant_triggers')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listTriggers(db: Executor, pageId: number): Promise<AssistantTriggerRow[]> {
  return db
    .selectFrom('assistant_triggers')
    .selectAll()
    .where('page_id', '=', pageId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function findTrigger(
  db: Executor,
  workspaceId: number,
  id: number,
): Promise<AssistantTriggerRow | undefined> {
  return db
    .selectFrom('assistant_triggers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}
