// Topics of a page (R5). Soft-deleted topics stay for their consent history but are never listed.
import type { TopicState } from '../domain/model.ts';
import type { CtaText, Frequency } from '../domain/platform.ts';
import type { TopicDraft } from '../domain/topics.ts';
import type { Executor } from './db.ts';
import type { TopicRow } from './schema.ts';

export function toTopicState(row: TopicRow): TopicState {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    title: row.title,
    active: row.active,
    frequency: row.frequency as Frequency | null,
    ctaText: row.cta_text as CtaText | null,
    imageUrl: row.image_url,
    validityMonths: row.validity_months,
  };
}

function draftColumns(d: TopicDraft) {
  return {
    name: d.name,
    kind: d.kind,
    title: d.title,
    image_url: d.imageUrl,
    cta_text: d.ctaText,
    frequency: d.frequency,
    validity_months: d.validityMonths,
  };
}

export async function insertTopic(
  db: Executor,
  workspaceId: number,
  pageId: number,
  d: TopicDraft,
  now: Date,
): Promise<TopicRow> {
  return db
    .insertInto('topics')
    .values({
      workspace_id: workspaceId,
      page_id: pageId,
      ...draftColumns(d),
      created_at: now,
      updated_at: now,
      deleted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateTopicRow(db: Executor, id: number, d: TopicDraft, now: Date): Promise<TopicRow> {
  return db
    .updateTable('topics')
    .set({ ...draftColumns(d), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setTopicActive(
  db: Executor,
  id: number,
  active: boolean,
  now: Date,
): Promise<TopicRow> {
  return db
    .updateTable('topics')
    .set({ active, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function softDeleteTopic(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('topics')
    .set({ deleted_at: now, active: false, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** A live topic of the workspace, optionally locked for the rest of the transaction. */
export async function findTopic(
  db: Executor,
  workspaceId: number,
  topicId: number,
  opts: { forUpdate?: boolean } = {},
): Promise<TopicRow | undefined> {
  let q = db
    .selectFrom('topics')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', topicId)
    .where('deleted_at', 'is', null);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findTopicByName(
  db: Executor,
  pageId: number,
  name: string,
): Promise<TopicRow | undefined> {
  return db
    .selectFrom('topics')
    .selectAll()
    .where('page_id', '=', pageId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function listTopics(db: Executor, pageId: number): Promise<TopicRow[]> {
  return db
    .selectFrom('topics')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('deleted_at', 'is', null)
    .orderBy('name')
    .execute();
}
