// A page's utility templates (R13a–b) and its order-event mappings (R13c). Every read is scoped by the
// workspace, so one workspace never finds another's template or mapping.
import type { TemplateDraft, TemplateState } from '../domain/utility-templates.ts';
import type { Executor } from './db.ts';
import type { OrderEventMappingRow, TemplateRow } from './schema.ts';

/** A stored template as the resolver reads it (R12c, R13b). */
export function toTemplateState(row: TemplateRow): TemplateState {
  return {
    id: row.id,
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status,
    header: row.header_text,
    body: row.body_text,
  };
}

function draftColumns(d: TemplateDraft) {
  return {
    name: d.name,
    language: d.language,
    header_text: d.headerText,
    body_text: d.bodyText,
    buttons: JSON.stringify(d.buttons),
    parameter_format: d.parameterFormat,
    parameters: d.parameters,
    examples: JSON.stringify(d.examples),
  };
}

export async function insertTemplate(
  db: Executor,
  t: {
    workspaceId: number;
    pageId: number;
    draft: TemplateDraft;
    libraryTemplateName: string | null;
    fbTemplateId: string | null;
    status: string;
    now: Date;
  },
): Promise<TemplateRow> {
  return db
    .insertInto('message_templates')
    .values({
      workspace_id: t.workspaceId,
      page_id: t.pageId,
      ...draftColumns(t.draft),
      library_template_name: t.libraryTemplateName,
      fb_template_id: t.fbTemplateId,
      status: t.status,
      status_reason: null,
      status_at: t.now,
      created_at: t.now,
      updated_at: t.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An edit is a new submission: Meta's id and status are those of the resubmitted template. */
export async function updateTemplate(
  db: Executor,
  id: number,
  d: TemplateDraft,
  meta: { fbTemplateId: string | null; status: string },
  now: Date,
): Promise<TemplateRow> {
  return db
    .updateTable('message_templates')
    .set({
      ...draftColumns(d),
      fb_template_id: meta.fbTemplateId,
      status: meta.status,
      status_reason: null,
      status_at: now,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findTemplate(
  db: Executor,
  workspaceId: number,
  id: number,
  opts: { forUpdate?: boolean } = {},
): Promise<TemplateRow | undefined> {
  let q = db
    .selectFrom('message_templates')
    .selectAll()
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findTemplateByName(
  db: Executor,
  pageId: number,
  name: string,
  language: string,
): Promise<TemplateRow | undefined> {
  return db
    .selectFrom('message_templates')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('name', '=', name)
    .where('language', '=', language)
    .executeTakeFirst();
}

export async function listTemplates(
  db: Executor,
  workspaceId: number,
  pageId: number,
  opts: { status?: string } = {},
): Promise<TemplateRow[]> {
  let q = db
    .selectFrom('message_templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('page_id', '=', pageId);
  if (opts.status) q = q.where('status', '=', opts.status);
  return q.orderBy('name').orderBy('language').execute();
}

/**
 * A status Meta reported for one of a page's templates (by Meta's id, else by name + language, since the
 * webhook carries both). Returns the rows changed.
 */
export async function setTemplateStatus(
  db: Executor,
  u: { pageId: number; fbTemplateId: string | null; name: string | null; language: string | null },
  status: string,
  reason: string | null,
  at: Date,
): Promise<TemplateRow[]> {
  let q = db
    .updateTable('message_templates')
    .set({ status, status_reason: reason, status_at: at })
    .where('page_id', '=', u.pageId);
  if (u.fbTemplateId) q = q.where('fb_template_id', '=', u.fbTemplateId);
  else if (u.name && u.language) q = q.where('name', '=', u.name).where('language', '=', u.language);
  else return [];
  return q.returningAll().execute();
}

// ---- mappings -------------------------------------------------------------------------------------

export async function upsertMapping(
  db: Executor,
  m: {
    workspaceId: number;
    pageId: number;
    eventType: string;
    templateId: number;
    params: Record<string, string>;
  },
  now: Date,
): Promise<OrderEventMappingRow> {
  return db
    .insertInto('order_event_mappings')
    .values({
      workspace_id: m.workspaceId,
      page_id: m.pageId,
      event_type: m.eventType,
      template_id: m.templateId,
      params: JSON.stringify(m.params),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.constraint('order_event_mappings_page_type').doUpdateSet({
        template_id: m.templateId,
        params: JSON.stringify(m.params),
        updated_at: now,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listMappings(
  db: Executor,
  workspaceId: number,
  pageId: number,
): Promise<OrderEventMappingRow[]> {
  return db
    .selectFrom('order_event_mappings')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('page_id', '=', pageId)
    .orderBy('event_type')
    .execute();
}

export async function findMapping(
  db: Executor,
  workspaceId: number,
  pageId: number,
  eventType: string,
): Promise<OrderEventMappingRow | undefined> {
  return db
    .selectFrom('order_event_mappings')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('page_id', '=', pageId)
    .where('event_type', '=', eventType)
    .executeTakeFirst();
}

export async function deleteMapping(
  db: Executor,
  workspaceId: number,
  pageId: number,
  eventType: string,
): Promise<boolean> {
  const r = await db
    .deleteFrom('order_event_mappings')
    .where('workspace_id', '=', workspaceId)
    .where('page_id', '=', pageId)
    .where('event_type', '=', eventType)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function templateIsMapped(db: Executor, templateId: number): Promise<boolean> {
  const r = await db
    .selectFrom('order_event_mappings')
    .select('id')
    .where('template_id', '=', templateId)
    .executeTakeFirst();
  return r !== undefined;
}
