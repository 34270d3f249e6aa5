// Test data factories: a workspace with a page, customers at given ages, topics of each kind.
import type { AppContext } from '../../src/app/context.ts';
import { createTopic } from '../../src/app/topics.ts';
import { createWorkspace, type PageInput } from '../../src/app/workspaces.ts';
import { ManualClock } from '../../src/clock.ts';
import type { TopicInput } from '../../src/domain/topics.ts';
import { upsertCustomer } from '../../src/storage/customers.ts';
import type { Storage } from '../../src/storage/db.ts';

export const T0 = new Date('2026-03-02T03:00:00.000Z'); // a Monday, 10:00 in Asia/Ho_Chi_Minh
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

let seq = 0;

export async function seedWorkspace(storage: Storage, page: Partial<PageInput> = {}, start = T0) {
  const clock = new ManualClock(start, { frozen: true });
  const ctx: AppContext = { db: storage.db, clock };
  seq++;
  const { workspaceId, page: pageRow } = await createWorkspace(ctx, `Shop ${seq}`, {
    fbPageId: `page-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    name: `Page ${seq}`,
    profile: 'legacy-2022',
    timeZone: 'Asia/Ho_Chi_Minh',
    ...page,
  });
  return { ctx, clock, workspaceId, page: pageRow };
}

export async function seedCustomer(
  ctx: AppContext,
  scope: { workspaceId: number; pageId: number },
  opts: { ageMs?: number | null; psid?: string; name?: string } = {},
) {
  seq++;
  const now = ctx.clock.now();
  const interactionAt = opts.ageMs === null ? null : new Date(now.getTime() - (opts.ageMs ?? HOUR));
  return upsertCustomer(
    ctx.db,
    { ...scope, psid: opts.psid ?? `psid-${seq}`, name: opts.name ?? `Customer ${seq}`, interactionAt },
    now,
  );
}

export const recurringTopic = (over: Partial<TopicInput> = {}): TopicInput => ({
  name: `Weekly deals ${++seq}`,
  kind: 'recurring',
  title: 'Weekly deals',
  frequency: 'WEEKLY',
  ...over,
});

export const otnTopic = (over: Partial<TopicInput> = {}): TopicInput => ({
  name: `Back in stock ${++seq}`,
  kind: 'one_time',
  title: 'Tell me when size M is back',
  ...over,
});

export async function seedTopic(ctx: AppContext, workspaceId: number, pageId: number, input: TopicInput) {
  return createTopic(ctx, workspaceId, pageId, input);
}
