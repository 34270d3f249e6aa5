// Issue 10 item 11 (inbox at scale) and item 10 (previews of what was sent), on PGlite and PostgreSQL:
// 5,000 customers seeded straight through storage; the last one is reachable by keyset paging and by a
// search typed without Vietnamese accents; the folded search column agrees with the app's folding.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { HOUR, otnTopic, seedCustomer, seedTopic, seedWorkspace } from '../../test/support/factories.ts';
import { foldForSearch } from '../domain/inbox.ts';
import type { Storage } from '../storage/db.ts';
import { insertMessage } from '../storage/messages.ts';
import { createCampaign } from './campaigns.ts';
import { conversationThread, listPageConversations, preview } from './conversations.ts';

const N = 5_000;
const LAST = 'Đặng Thị Ánh Tuyết';

describe.each(BACKENDS)('inbox at scale on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  it('5,000 customers: paging reaches every one, the last included; "dang thi anh tuyet" finds her', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const now = ctx.clock.now().getTime();
    // Customer i interacted i minutes ago: the list's order is the seeding order, the last is the oldest.
    const rows = Array.from({ length: N }, (_, i) => ({
      workspace_id: workspaceId,
      page_id: page.id,
      psid: `scale-${i}`,
      name: i === N - 1 ? LAST : `Trần Văn Khách ${i}`,
      last_interaction_at: new Date(now - (i + 1) * 60_000),
      created_at: new Date(now),
    }));
    for (let i = 0; i < N; i += 1000)
      await ctx.db
        .insertInto('customers')
        .values(rows.slice(i, i + 1000))
        .execute();

    const seen: number[] = [];
    let after: string | undefined;
    let last: { name: string | null } | undefined;
    for (let guard = 0; guard < N / 200 + 2; guard++) {
      const res = await listPageConversations(ctx, workspaceId, page.id, { limit: 200, after });
      seen.push(...res.conversations.map((c) => c.customerId));
      last = res.conversations.at(-1);
      if (!res.next) break;
      after = res.next;
    }
    expect(seen).toHaveLength(N);
    expect(new Set(seen).size).toBe(N);
    expect(last?.name).toBe(LAST);

    for (const q of ['dang thi anh tuyet', 'ĐẶNG THỊ', 'Ánh tuyết', 'anh tuyet']) {
      const found = await listPageConversations(ctx, workspaceId, page.id, { q });
      expect(
        found.conversations.map((c) => c.name),
        q,
      ).toEqual([LAST]);
    }
    // Without accents, many match; paging through the matches also works.
    const tran = await listPageConversations(ctx, workspaceId, page.id, { q: 'tran van', limit: 200 });
    expect(tran.conversations).toHaveLength(200);
    expect(tran.next).not.toBeNull();
    expect(
      (await listPageConversations(ctx, workspaceId, page.id, { q: 'không có ai' })).conversations,
    ).toEqual([]);
  }, 120_000);

  it('the search column folds names the way the app folds queries (also decomposed input, đ, case)', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const names = ['Nguyễn Thị Lan', 'ĐỖ ĐỨC ĐẠT', 'Phạm Bảo', 'Lê Ngọc Ánh'.normalize('NFD'), 'Hồ Ưng Ý'];
    for (const name of names)
      await seedCustomer(ctx, { workspaceId, pageId: page.id }, { name, psid: `p-${name}` });
    const res = await sql<{ name: string; search_text: string }>`
      select name, search_text from customers where page_id = ${page.id} order by id`.execute(ctx.db);
    for (const r of res.rows) expect(r.search_text).toBe(foldForSearch(`${r.name}   p-${r.name}`));
    expect(foldForSearch('ĐỖ ĐỨC ĐẠT')).toBe('do duc dat');
  });

  it('item 10: the list preview is what the customer saw (text, card title, buttons text), never "[kind]"', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const scope = { workspaceId, pageId: page.id };
    const c = await seedCustomer(ctx, scope, { ageMs: HOUR });
    const buttons = {
      campaignId: 1,
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Chào Lan, giảm 20% 🎉',
          buttons: [{ type: 'postback', title: 'Xem' }],
        },
      },
    };
    await insertMessage(ctx.db, {
      ...scope,
      customerId: c.id,
      direction: 'out',
      senderKind: 'campaign',
      kind: 'notification',
      mid: 'm-1',
      text: null,
      payload: buttons,
      at: ctx.clock.now(),
    });
    const row = (await listPageConversations(ctx, workspaceId, page.id, {})).conversations[0]!;
    expect(row.lastMessage).toMatchObject({ preview: 'Chào Lan, giảm 20% 🎉', kind: 'notification' });
    expect(preview(null, { type: 'optin_otn', payload: 'x' })).toBe('');
    expect(preview('  a\n b ', null)).toBe('a b');
  });

  it('item 10: a campaign message logged without its content is shown from the campaign, personalised', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const scope = { workspaceId, pageId: page.id };
    const c = await seedCustomer(ctx, scope, { name: 'Lan Nguyễn' });
    const topic = await seedTopic(ctx, workspaceId, page.id, otnTopic());
    const text = await createCampaign(ctx, workspaceId, page.id, {
      name: 'a',
      audience: {},
      topicId: topic.id,
      content: { type: 'text', text: 'Chào {{first_name}}, hàng đã về!' },
    });
    const buttons = await createCampaign(ctx, workspaceId, page.id, {
      name: 'b',
      audience: {},
      topicId: topic.id,
      content: { type: 'buttons', text: 'Xem ngay', buttons: [{ type: 'postback', title: 'Mua' }] },
    });
    for (const [i, id] of [text.id, buttons.id].entries())
      await insertMessage(ctx.db, {
        ...scope,
        customerId: c.id,
        direction: 'out',
        senderKind: 'campaign',
        kind: 'notification',
        mid: `legacy-${i}`,
        text: null,
        payload: { campaignId: id },
        at: new Date(ctx.clock.now().getTime() + i),
      });
    const thread = await conversationThread(ctx, workspaceId, c.id);
    expect(thread.map((m) => m.text)).toEqual(['Chào Lan, hàng đã về!', null]);
    expect(thread[1]!.payload).toMatchObject({
      attachment: {
        type: 'template',
        payload: { template_type: 'button', text: 'Xem ngay', buttons: [{ title: 'Mua' }] },
      },
    });
    // Another workspace reads nothing of it.
    const other = await seedWorkspace(storage);
    await expect(conversationThread(other.ctx, other.workspaceId, c.id)).rejects.toThrow(/No customer/);
  });
});
