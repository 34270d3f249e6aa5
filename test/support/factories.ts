// Test data factories: a workspace with a page, customers at given ages, topics of each kind.
import type { AppContext } from '../../src/app/context.ts';
import { applyOptIn, newInvitationPayload, recordInvitation } from '../../src/app/optins.ts';
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

/** An invitation of a topic recorded as sent to a customer; returns its payload (what the opt-in echoes). */
export async function seedInvitation(
  ctx: AppContext,
  scope: { workspaceId: number; pageId: number },
  customerId: number,
  topicId: number,
  senderKind: 'bot' | 'agent' = 'agent',
): Promise<string> {
  const payload = newInvitationPayload(topicId);
  await recordInvitation(ctx, { ...scope, customerId, topicId, senderKind, payload });
  return payload;
}

/** The customer taps an opt-in card: the opt-in webhook as the use-case receives it. */
export function seedOptIn(
  ctx: AppContext,
  fbPageId: string,
  e: {
    psid: string;
    kind: 'recurring' | 'one_time';
    payload: string;
    token: string;
    at?: Date;
    metaExpiry?: Date;
  },
) {
  return applyOptIn(ctx, {
    fbPageId,
    psid: e.psid,
    kind: e.kind,
    token: e.token,
    payload: e.payload,
    at: e.at ?? ctx.clock.now(),
    ...(e.metaExpiry && { metaExpiry: e.metaExpiry }),
  });
}

/** A customer subscribed to a recurring topic by the opt-in card (invitation from the bot, then the tap). */
export async function seedSubscriber(
  ctx: AppContext,
  page: { workspaceId: number; pageId: number; fbPageId: string },
  topicId: number,
  token: (customerId: number) => string,
) {
  const scope = { workspaceId: page.workspaceId, pageId: page.pageId };
  const c = await seedCustomer(ctx, scope);
  const payload = await seedInvitation(ctx, scope, c.id, topicId, 'bot');
  await seedOptIn(ctx, page.fbPageId, { psid: c.psid, kind: 'recurring', payload, token: token(c.id) });
  return c;
}
