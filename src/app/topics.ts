// Topic use-cases (R5): create, edit, deactivate, reactivate, delete, list — each one transaction.
import { DomainError } from '../domain/errors.ts';
import { assertDeletable, type TopicInput, validateTopic } from '../domain/topics.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import type { TopicRow } from '../storage/schema.ts';
import { heldSubscribers } from '../storage/stats.ts';
import * as subs from '../storage/subscriptions.ts';
import * as topics from '../storage/topics.ts';
import { type AppContext, isUniqueViolation } from './context.ts';
import { getPage } from './workspaces.ts';

async function load(db: Executor, workspaceId: number, topicId: number): Promise<TopicRow> {
  const row = await topics.findTopic(db, workspaceId, topicId, { forUpdate: true });
  if (!row) throw new DomainError('topic_not_found', `No topic ${topicId} in this workspace.`);
  return row;
}

async function assertNameFree(db: Executor, pageId: number, name: string, selfId?: number): Promise<void> {
  const other = await topics.findTopicByName(db, pageId, name);
  if (other && other.id !== selfId) {
    throw new DomainError('duplicate_topic_name', `A topic named "${name}" already exists on this page.`);
  }
}

function duplicateName(e: unknown, name: string): unknown {
  return isUniqueViolation(e, 'topics_page_name')
    ? new DomainError('duplicate_topic_name', `A topic named "${name}" already exists on this page.`)
    : e;
}

export async function createTopic(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  input: TopicInput,
): Promise<TopicRow> {
  // Whose page first: another workspace learns nothing, not even that its input was invalid.
  await getPage(ctx, workspaceId, pageId);
  const draft = validateTopic(input);
  const now = ctx.clock.now();
  try {
    return await inTransaction(ctx.db, async (tx) => {
      await assertNameFree(tx, pageId, draft.name);
      return topics.insertTopic(tx, workspaceId, pageId, draft, now);
    });
  } catch (e) {
    throw duplicateName(e, draft.name);
  }
}

export async function editTopic(
  ctx: AppContext,
  workspaceId: number,
  topicId: number,
  input: TopicInput,
): Promise<TopicRow> {
  const now = ctx.clock.now();
  let name = '';
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const current = await load(tx, workspaceId, topicId);
      const draft = validateTopic(input, topics.toTopicState(current));
      name = draft.name;
      await assertNameFree(tx, current.page_id, draft.name, topicId);
      return topics.updateTopicRow(tx, topicId, draft, now);
    });
  } catch (e) {
    throw duplicateName(e, name);
  }
}

/** R5b: subscriptions are kept and suspended; reactivation restores those not expired meanwhile. */
export async function setTopicActive(
  ctx: AppContext,
  workspaceId: number,
  topicId: number,
  active: boolean,
): Promise<TopicRow> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    const current = await load(tx, workspaceId, topicId);
    if (current.active === active) return current;
    return topics.setTopicActive(tx, topicId, active, now);
  });
}

export const deactivateTopic = (ctx: AppContext, ws: number, id: number) =>
  setTopicActive(ctx, ws, id, false);
export const reactivateTopic = (ctx: AppContext, ws: number, id: number) => setTopicActive(ctx, ws, id, true);

/** R5c: refused while live subscriptions exist. */
export async function deleteTopic(ctx: AppContext, workspaceId: number, topicId: number): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    await load(tx, workspaceId, topicId);
    assertDeletable(await subs.countLiveSubscriptions(tx, topicId, now));
    await topics.softDeleteTopic(tx, topicId, now);
  });
}

export async function getTopic(ctx: AppContext, workspaceId: number, topicId: number): Promise<TopicRow> {
  const row = await topics.findTopic(ctx.db, workspaceId, topicId);
  if (!row) throw new DomainError('topic_not_found', `No topic ${topicId} in this workspace.`);
  return row;
}

export async function listTopics(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
): Promise<Array<TopicRow & { validSubscribers: number }>> {
  await getPage(ctx, workspaceId, pageId);
  const now = ctx.clock.now();
  const [rows, held] = await Promise.all([
    topics.listTopics(ctx.db, pageId),
    heldSubscribers(ctx.db, { pageId }, now),
  ]);
  // "Valid subscribers" as domain/stats STATISTICS defines it: the statistics screens' number.
  return rows.map((t) => ({ ...t, validSubscribers: t.active ? (held.get(t.id) ?? 0) : 0 }));
}
