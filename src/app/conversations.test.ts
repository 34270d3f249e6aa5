import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { DAY, HOUR, seedCustomer, seedWorkspace } from '../../test/support/factories.ts';
import { isDomainError } from '../domain/errors.ts';
import type { Storage } from '../storage/db.ts';
import { insertMessage } from '../storage/messages.ts';
import type { AppContext } from './context.ts';
import { changeLabels, labelsOfPage, listPageConversations } from './conversations.ts';

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  return p.then(
    () => null,
    (e: unknown) => (isDomainError(e) ? e.code : String(e)),
  );
}

describe.each(BACKENDS)('inbox on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  async function say(
    ctx: AppContext,
    scope: { workspaceId: number; pageId: number; customerId: number },
    direction: 'in' | 'out',
    text: string | null,
    agoMs: number,
    kind = 'message',
    payload?: unknown,
  ) {
    await insertMessage(ctx.db, {
      ...scope,
      direction,
      senderKind: direction === 'in' ? 'customer' : 'agent',
      kind,
      mid: null,
      text,
      payload,
      at: new Date(ctx.clock.now().getTime() - agoMs),
    });
  }

  it('R1: window badge for each conversation, and the window filter picks the same ones', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const scope = { workspaceId, pageId: page.id };
    const open = await seedCustomer(ctx, scope, { ageMs: 23 * HOUR });
    const agent = await seedCustomer(ctx, scope, { ageMs: 24 * HOUR });
    const agentLate = await seedCustomer(ctx, scope, { ageMs: 7 * DAY - 1 });
    const closed = await seedCustomer(ctx, scope, { ageMs: 7 * DAY });
    const never = await seedCustomer(ctx, scope, { ageMs: null });
    const all = await listPageConversations(ctx, workspaceId, page.id, {});
    const badge = Object.fromEntries(all.conversations.map((c) => [c.customerId, c.window]));
    expect(badge).toEqual({
      [open.id]: 'open',
      [agent.id]: 'human_agent',
      [agentLate.id]: 'human_agent',
      [closed.id]: 'closed',
      [never.id]: 'none',
    });
    // newest interaction first, never-interacted last
    expect(all.conversations.map((c) => c.customerId)).toEqual([
      open.id,
      agent.id,
      agentLate.id,
      closed.id,
      never.id,
    ]);
    for (const w of ['open', 'human_agent', 'closed', 'none'] as const) {
      const got = await listPageConversations(ctx, workspaceId, page.id, { window: w });
      const expected = all.conversations.filter((c) => c.window === w).map((c) => c.customerId);
      expect(
        got.conversations.map((c) => c.customerId),
        w,
      ).toEqual(expected);
    }
  });

  it('keyset paging walks every conversation once, in order, also across equal interaction times', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const scope = { workspaceId, pageId: page.id };
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await seedCustomer(ctx, scope, { ageMs: (i % 3) * HOUR })).id);
    ids.push((await seedCustomer(ctx, scope, { ageMs: null })).id);
    ids.push((await seedCustomer(ctx, scope, { ageMs: null })).id);
    const seen: number[] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const res = await listPageConversations(ctx, workspaceId, page.id, { limit: 2, after });
      seen.push(...res.conversations.map((c) => c.customerId));
      if (!res.next) break;
      after = res.next;
    }
    const whole = (await listPageConversations(ctx, workspaceId, page.id, { limit: 100 })).conversations;
    expect(seen).toEqual(whole.map((c) => c.customerId));
    expect([...seen].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(await codeOf(listPageConversations(ctx, workspaceId, page.id, { after: 'nonsense' }))).toBe(
      'validation_failed',
    );
  });

  it('search matches name, PSID and message text; last message preview and unread', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const scope = { workspaceId, pageId: page.id };
    const lan = await seedCustomer(ctx, scope, { name: 'Nguyễn Thị Lan', psid: 'psid-lan-1' });
    const minh = await seedCustomer(ctx, scope, { name: 'Trần Văn Minh', psid: 'psid-minh-2' });
    const bao = await seedCustomer(ctx, scope, { name: 'Phạm Bảo', psid: 'psid-bao-3' });
    await say(ctx, { ...scope, customerId: lan.id }, 'in', 'Còn size M không?  100% cotton', 2 * HOUR);
    await say(ctx, { ...scope, customerId: minh.id }, 'in', 'hello', 3 * HOUR);
    await say(ctx, { ...scope, customerId: minh.id }, 'out', 'x'.repeat(300), 2 * HOUR);
    await say(ctx, { ...scope, customerId: bao.id }, 'out', null, HOUR, 'invitation', {
      attachment: {
        type: 'template',
        payload: { template_type: 'one_time_notif_req', title: 'Báo khi có size M' },
      },
    });
    const q = async (query: string) =>
      (await listPageConversations(ctx, workspaceId, page.id, { q: query })).conversations.map(
        (c) => c.customerId,
      );
    expect(await q('thị lan')).toEqual([lan.id]);
    expect(await q('MINH-2')).toEqual([minh.id]);
    expect(await q('size m')).toEqual([lan.id]);
    expect(await q('100%')).toEqual([lan.id]);
    expect(await q('%')).toEqual([lan.id]); // a literal percent sign, not a wildcard
    const all = (await listPageConversations(ctx, workspaceId, page.id, {})).conversations;
    const by = (id: number) => all.find((c) => c.customerId === id)!;
    expect(by(lan.id).lastMessage).toMatchObject({
      preview: 'Còn size M không? 100% cotton',
      direction: 'in',
    });
    expect(by(lan.id).unread).toBe(true);
    expect(by(minh.id).unread).toBe(false);
    expect([...by(minh.id).lastMessage!.preview]).toHaveLength(100);
    // Issue 10 item 10: the card's title, not "[invitation]".
    expect(by(bao.id).lastMessage).toMatchObject({ preview: 'Báo khi có size M', kind: 'invitation' });
    expect(by(bao.id).unread).toBe(false);
  });

  it('labels: set, add, remove, case-insensitive; the label filter; bad changes change nothing', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const scope = { workspaceId, pageId: page.id };
    const a = await seedCustomer(ctx, scope);
    const b = await seedCustomer(ctx, scope);
    expect(await changeLabels(ctx, workspaceId, a.id, { op: 'set', labels: [' VIP ', 'size  M'] })).toEqual([
      'VIP',
      'size M',
    ]);
    expect(await changeLabels(ctx, workspaceId, a.id, { op: 'add', labels: ['vip', 'Hà Nội'] })).toEqual([
      'VIP',
      'size M',
      'Hà Nội',
    ]);
    expect(await changeLabels(ctx, workspaceId, a.id, { op: 'remove', labels: ['SIZE m'] })).toEqual([
      'VIP',
      'Hà Nội',
    ]);
    await changeLabels(ctx, workspaceId, b.id, { op: 'add', labels: ['vip'] });
    const filtered = await listPageConversations(ctx, workspaceId, page.id, { label: 'Vip' });
    expect(filtered.conversations.map((c) => c.customerId).sort()).toEqual([a.id, b.id].sort());
    expect(
      (await listPageConversations(ctx, workspaceId, page.id, { label: 'hà nội' })).conversations,
    ).toHaveLength(1);

    expect(await codeOf(changeLabels(ctx, workspaceId, a.id, { op: 'add', labels: ['x'.repeat(41)] }))).toBe(
      'validation_failed',
    );
    expect(await codeOf(changeLabels(ctx, workspaceId, a.id, { op: 'add', labels: ['   '] }))).toBe(
      'validation_failed',
    );
    const many = Array.from({ length: 19 }, (_, i) => `tag ${i}`);
    expect(await codeOf(changeLabels(ctx, workspaceId, a.id, { op: 'add', labels: many }))).toBe(
      'validation_failed',
    );
    expect(await changeLabels(ctx, workspaceId, a.id, { op: 'add', labels: many.slice(0, 18) })).toHaveLength(
      20,
    );
    expect(await codeOf(changeLabels(ctx, workspaceId, 999_999, { op: 'add', labels: ['x'] }))).toBe(
      'customer_not_found',
    );
    const used = await labelsOfPage(ctx, workspaceId, page.id);
    expect(used.find((l) => l.label.toLowerCase() === 'vip')).toBeDefined();
  });

  it('another workspace sees neither the page nor its customers', async () => {
    const one = await seedWorkspace(storage);
    const other = await seedWorkspace(storage);
    const c = await seedCustomer(one.ctx, { workspaceId: one.workspaceId, pageId: one.page.id });
    expect(await codeOf(listPageConversations(other.ctx, other.workspaceId, one.page.id, {}))).toBe(
      'page_not_found',
    );
    expect(await codeOf(changeLabels(other.ctx, other.workspaceId, c.id, { op: 'add', labels: ['x'] }))).toBe(
      'customer_not_found',
    );
  });
});
