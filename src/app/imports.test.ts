import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  otnTopic,
  recurringTopic,
  seedCustomer,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import type { NotificationTokenInfo } from '../channel/graph-wire.ts';
import { isDomainError } from '../domain/errors.ts';
import type { Storage } from '../storage/db.ts';
import * as subs from '../storage/subscriptions.ts';
import {
  consentHistoryBatches,
  importCustomers,
  importSubscriptions,
  importTokens,
  type TokenSource,
} from './imports.ts';
import { customerTopicLists } from './sends.ts';

async function refusal(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; line?: unknown } | null> {
  return p.then(
    () => null,
    (e: unknown) => {
      if (!isDomainError(e)) throw e;
      return { code: e.code, message: e.message, line: e.details?.line };
    },
  );
}

describe.each(BACKENDS)('import and export on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  const customersOf = (pageId: number) =>
    storage.db.selectFrom('customers').selectAll().where('page_id', '=', pageId).orderBy('psid').execute();

  it('imports customers: creates and updates by PSID, merges labels and attributes', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const existing = await seedCustomer(
      ctx,
      { workspaceId, pageId: page.id },
      { psid: 'p-1', name: 'Old name' },
    );
    await storage.db
      .updateTable('customers')
      .set({ labels: ['VIP'] })
      .where('id', '=', existing.id)
      .execute();
    const csv = [
      'psid,name,first_name,last_name,locale,last_interaction_at,labels,attr.city,attr.tier',
      'p-1,Lan Nguyen,Lan,Nguyen,vi_VN,2026-03-01T10:00:00+07:00,vip;size M,Hà Nội,',
      'p-2,"Minh, Tran",Minh,Tran,en_US,2026-02-01,,HCM,gold',
      '',
      'p-3,"Multi',
      'line",,,,,,,',
    ].join('\n');
    expect(await importCustomers(ctx, workspaceId, page.id, csv)).toEqual({
      rows: 3,
      created: 2,
      updated: 1,
    });
    const rows = await customersOf(page.id);
    expect(rows.map((r) => r.psid)).toEqual(['p-1', 'p-2', 'p-3']);
    expect(rows[0]).toMatchObject({ name: 'Lan Nguyen', locale: 'vi_VN', labels: ['VIP', 'size M'] });
    expect(rows[0]!.attributes).toEqual({ city: 'Hà Nội' });
    expect(rows[1]).toMatchObject({ name: 'Minh, Tran', labels: [] });
    expect(rows[1]!.attributes).toEqual({ city: 'HCM', tier: 'gold' });
    expect(rows[1]!.last_interaction_at?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    // the seeded interaction (an hour before now) is newer than the imported one: it stays
    expect(rows[0]!.last_interaction_at!.getTime()).toBe(existing.last_interaction_at!.getTime());
  });

  it.each([
    ['a bad date', 'psid,last_interaction_at\np-1,2026-01-01\np-2,yesterday\n', 3, /last_interaction_at/],
    ['a time without offset', 'psid,last_interaction_at\np-1,2026-01-01T10:00\n', 2, /offset/],
    ['a future interaction', 'psid,last_interaction_at\np-1,2027-01-01T00:00:00Z\n', 2, /future/],
    ['a duplicate psid', 'psid\np-1\np-2\np-1\n', 4, /line 2/],
    ['a missing psid', 'psid,name\np-1,A\n,B\n', 3, /psid is required/],
    ['a label over 40 characters', `psid,labels\np-1,ok;${'x'.repeat(41)}\n`, 2, /longer than 40/],
    [
      '21 labels',
      `psid,labels\np-1,${Array.from({ length: 21 }, (_, i) => `l${i}`).join(';')}\n`,
      2,
      /at most 20/,
    ],
    ['an unknown column', 'psid,email\np-1,a@b.c\n', 1, /unknown column "email"/],
    ['a short row', 'psid,name\np-1,A\np-2\n', 3, /not valid CSV/],
    ['no psid column', 'name\nA\n', 1, /no column "psid"/],
  ])(
    'a customer file with %s is refused with its line, and nothing is imported',
    async (_what, csv, line, msg) => {
      const { ctx, workspaceId, page } = await seedWorkspace(storage);
      const r = await refusal(importCustomers(ctx, workspaceId, page.id, csv));
      expect(r).toMatchObject({ code: 'validation_failed', line });
      expect(r!.message).toMatch(msg);
      expect(r!.message).toMatch(new RegExp(`^line ${line}: `));
      expect(await customersOf(page.id)).toHaveLength(0);
    },
  );

  it('trust: a file of 70,000 customers (more PSIDs than PostgreSQL has bind parameters) imports', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const rows = Array.from({ length: 70_000 }, (_, i) => `big-${i},Khách ${i}`);
    const csv = ['psid,name', ...rows].join('\n');
    await importCustomers(ctx, workspaceId, page.id, csv);
    const n = await storage.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('page_id', '=', page.id)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(70_000);
  }, 240_000);

  it('a customer file with several bad lines reports every one (line, column, reason) and imports nothing', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const csv = [
      'psid,locale,last_interaction_at',
      'p-1,vi_VN,2026-01-01T00:00:00Z',
      'p-2,vietnamese,',
      'p-3,en,yesterday',
      'p-1,en,',
      'p-5,en,2026-01-02T00:00:00Z',
    ].join('\n');
    const e = await importCustomers(ctx, workspaceId, page.id, csv).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isDomainError(e, 'validation_failed')).toBe(true);
    const details = (e as { details: Record<string, unknown> }).details;
    expect(details).toMatchObject({ line: 3, badLines: 3 });
    expect(details.errors).toEqual([
      { line: 3, column: 'locale', message: expect.stringMatching(/^line 3: locale "vietnamese"/) },
      { line: 4, column: 'last_interaction_at', message: expect.stringMatching(/^line 4: .*"yesterday"/) },
      { line: 5, column: 'psid', message: expect.stringMatching(/^line 5: psid p-1 is already on line 2/) },
    ]);
    expect((e as Error).message).toMatch(
      /^line 3: .*; line 4: .*; line 5: .*\(3 bad lines; nothing was imported\)$/,
    );
    expect(await customersOf(page.id)).toHaveLength(0);
  });

  it('R3c: imported subscriptions are acceptances with a consent-history row; a re-import changes nothing', async () => {
    const { ctx, workspaceId, page, clock } = await seedWorkspace(storage);
    const weekly = await seedTopic(ctx, workspaceId, page.id, recurringTopic({ name: 'Weekly' }));
    const restock = await seedTopic(ctx, workspaceId, page.id, otnTopic({ name: 'Restock' }));
    const c = await seedCustomer(ctx, { workspaceId, pageId: page.id }, { psid: 'p-1' });
    const at = new Date(clock.now().getTime() - 2 * DAY).toISOString();
    const csv = [
      'psid,topic,token,kind,opted_in_at,expires_at',
      `p-1,weekly,tok-r1,recurring,${at},`,
      `p-1,${restock.id},tok-o1,one_time,${at},`,
      `p-new,Restock,tok-o2,one_time,${at},2026-12-31T00:00:00Z`,
    ].join('\n');
    expect(await importSubscriptions(ctx, workspaceId, page.id, csv)).toEqual({
      rows: 3,
      accepted: 3,
      unchanged: 0,
      customersCreated: 1,
    });
    const history = await subs.consentHistory(storage.db, workspaceId, {});
    expect(history.map((h) => [h.event, h.sender_kind, h.at.toISOString()])).toEqual([
      ['accepted', 'import', at],
      ['accepted', 'import', at],
      ['accepted', 'import', at],
    ]);
    const lists = await customerTopicLists(ctx, workspaceId, c.id);
    expect(lists.sent.map((t) => [t.topicId, t.state])).toEqual([
      [restock.id, 'subscribed'],
      [weekly.id, 'subscribed'],
    ]);
    const otn = await storage.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('topic_id', '=', restock.id)
      .execute();
    expect(otn.find((s) => s.customer_id !== c.id)!.expires_at.toISOString()).toBe(
      '2026-12-31T00:00:00.000Z',
    );
    expect(await importSubscriptions(ctx, workspaceId, page.id, csv)).toMatchObject({
      accepted: 0,
      unchanged: 3,
    });
    expect(await subs.consentHistory(storage.db, workspaceId, {})).toHaveLength(3);
  });

  it.each([
    ['an unknown topic', 'p-1,Nope,tok-x,recurring,2026-01-01T00:00:00Z,', /no topic "Nope"/],
    ["a kind that is not the topic's", 'p-1,Weekly,tok-x,one_time,2026-01-01T00:00:00Z,', /is recurring/],
    [
      'an expiry before the opt-in',
      'p-1,Weekly,tok-x,recurring,2026-01-01T00:00:00Z,2025-01-01T00:00:00Z',
      /not after/,
    ],
    [
      'a token held by someone else',
      'p-2,Weekly,tok-held,recurring,2026-01-01T00:00:00Z,',
      /another customer/,
    ],
  ])('a subscription file with %s is refused at line 3, and nothing is imported', async (_what, bad, msg) => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    await seedTopic(ctx, workspaceId, page.id, recurringTopic({ name: 'Weekly' }));
    await importSubscriptions(
      ctx,
      workspaceId,
      page.id,
      'psid,topic,token,kind,opted_in_at\np-0,Weekly,tok-held,recurring,2026-01-01T00:00:00Z',
    );
    const before = await subs.consentHistory(storage.db, workspaceId, {});
    const csv = `psid,topic,token,kind,opted_in_at,expires_at\np-1,Weekly,tok-ok,recurring,2026-01-02T00:00:00Z,\n${bad}\n`;
    const r = await refusal(importSubscriptions(ctx, workspaceId, page.id, csv));
    expect(r).toMatchObject({ code: 'validation_failed', line: 3 });
    expect(r!.message).toMatch(msg);
    expect(await subs.consentHistory(storage.db, workspaceId, {})).toEqual(before);
    expect((await customersOf(page.id)).map((c) => c.psid)).toEqual(['p-0']);
  });

  it('a subscription file with several bad lines reports every one, including tokens held by others, and imports nothing', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    await seedTopic(ctx, workspaceId, page.id, recurringTopic({ name: 'Weekly' }));
    await seedTopic(ctx, workspaceId, page.id, recurringTopic({ name: 'Daily', title: 'Daily deals' }));
    const head = 'psid,topic,token,kind,opted_in_at';
    await importSubscriptions(
      ctx,
      workspaceId,
      page.id,
      `${head}\np-0,Weekly,tok-held,recurring,2026-01-01T00:00:00Z\np-0,Daily,tok-held-2,recurring,2026-01-02T00:00:00Z`,
    );
    const before = await subs.consentHistory(storage.db, workspaceId, {});
    const checks = [
      'p-1,Nope,tok-1,recurring,2026-01-01T00:00:00Z',
      'p-2,Weekly,tok-2,one_time,2026-01-01T00:00:00Z',
      'p-3,Weekly,tok-3,recurring,2026-01-01T00:00:00Z',
    ];
    const r1 = await importSubscriptions(ctx, workspaceId, page.id, [head, ...checks].join('\n')).catch(
      (e) => e,
    );
    expect(r1.details.errors.map((b: { line: number; column: string }) => [b.line, b.column])).toEqual([
      [2, 'topic'],
      [3, 'kind'],
    ]);
    // Rows that pass their own checks are then tried against stored state: those refusals are all listed too.
    const held = [
      'p-1,Weekly,tok-1,recurring,2026-01-01T00:00:00Z',
      'p-2,Weekly,tok-held,recurring,2026-01-01T00:00:00Z',
      'p-3,Weekly,tok-held-too,recurring,2026-01-01T00:00:00Z',
      'p-4,Weekly,tok-held-2,recurring,2026-01-02T00:00:00Z',
    ];
    const r2 = await importSubscriptions(ctx, workspaceId, page.id, [head, ...held].join('\n')).catch(
      (e) => e,
    );
    expect(r2.details.errors.map((b: { line: number }) => b.line)).toEqual([3, 5]);
    expect(r2.details.badLines).toBe(2);
    expect(await subs.consentHistory(storage.db, workspaceId, {})).toEqual(before);
    expect((await customersOf(page.id)).map((c) => c.psid)).toEqual(['p-0']);
  });

  it('pulls recurring tokens from Meta and matches them to topics by title', async () => {
    const { ctx, workspaceId, page, clock } = await seedWorkspace(storage, { accessToken: 'page-token' });
    const weekly = await seedTopic(ctx, workspaceId, page.id, recurringTopic({ title: 'Weekly deals' }));
    const now = Math.floor(clock.now().getTime() / 1000);
    const infos: NotificationTokenInfo[] = [
      {
        notification_messages_token: 'nt-1',
        recipient_id: 'psid-a',
        topic_title: 'Weekly deals',
        creation_timestamp: now - 3600,
        token_expiry_timestamp: now + 100 * 86400,
      },
      { notification_messages_token: 'nt-2', recipient_id: 'psid-b', topic_title: 'Something else' },
    ];
    const source: TokenSource = {
      async *allNotificationTokens() {
        yield* infos;
      },
    };
    const r = await importTokens(ctx, workspaceId, page.id, source);
    expect(r).toEqual({
      tokens: 2,
      accepted: 1,
      unchanged: 0,
      customersCreated: 1,
      skipped: [{ recipientId: 'psid-b', topicTitle: 'Something else', reason: 'no_matching_topic' }],
    });
    const sub = await storage.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('topic_id', '=', weekly.id)
      .executeTakeFirstOrThrow();
    expect(sub.expires_at.getTime()).toBe((now + 100 * 86400) * 1000);
    expect(sub.opted_in_at.getTime()).toBe((now - 3600) * 1000);
    expect((await importTokens(ctx, workspaceId, page.id, source)).unchanged).toBe(1);
  });

  it('R3c: the consent history exports oldest first, filtered by topic or customer, in batches', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const t = await seedTopic(ctx, workspaceId, page.id, otnTopic({ name: 'Restock' }));
    const lines = Array.from(
      { length: 5 },
      (_, i) => `p-${i % 2},Restock,tok-${i},one_time,2026-01-0${i + 1}T00:00:00Z`,
    );
    await importSubscriptions(
      ctx,
      workspaceId,
      page.id,
      `psid,topic,token,kind,opted_in_at\n${lines.join('\n')}`,
    );
    const all: number[] = [];
    for await (const batch of consentHistoryBatches(ctx, workspaceId, { topicId: t.id }, 2)) {
      expect(batch.length).toBeLessThanOrEqual(2);
      all.push(...batch.map((r) => r.id));
    }
    expect(all).toHaveLength(5);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    const p1 = (await customersOf(page.id)).find((c) => c.psid === 'p-1')!;
    const mine: string[] = [];
    for await (const batch of consentHistoryBatches(ctx, workspaceId, { customerId: p1.id }))
      mine.push(...batch.map((r) => r.psid));
    expect(mine).toEqual(['p-1', 'p-1']);
  });
});
