// The campaign's reads of its recipients' tokens as PostgreSQL plans them when the statistics are older
// than the topic's subscribers (a burst of opt-ins, then a campaign to them).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import {
  explainAnalyzed,
  insertSubscribers,
  insertTopic,
  PLAN_MODES,
  planOutline,
  rowsLookedAt,
} from '../../test/support/plans.ts';
import {
  audienceIdsStatement,
  campaignReadStatement,
  findCampaign,
  insertCampaign,
  subscriptionsOf,
  subscriptionsOfStatement,
} from './campaigns.ts';
import { inTransaction, type Storage } from './db.ts';

describe.each(BACKENDS)('campaign recipients on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  it("a batch reads its customers' tokens by their key, however stale the statistics (a burst of opt-ins to the topic)", async () => {
    const db = storage.db;
    for (const t of ['customers', 'subscriptions'])
      await sql.raw(`ALTER TABLE ${t} SET (autovacuum_enabled = off)`).execute(db);
    // The statistics know the quiet shop's 20,000 tokens; then a livestream's 5,000 opt-ins to a new topic.
    const quiet = await seedWorkspace(storage);
    await insertSubscribers(db, quiet, await insertTopic(db, quiet, 'quiet'), 20_000);
    await sql`ANALYZE customers, subscriptions`.execute(db);
    const live = await seedWorkspace(storage);
    const topic = await insertTopic(db, live, 'live');
    await insertSubscribers(db, live, topic, 5000);
    const batch = (
      await sql<{
        id: number;
      }>`SELECT id FROM customers WHERE page_id = ${live.page.id} ORDER BY id DESC LIMIT 50`.execute(db)
    ).rows.map((r) => r.id);
    // One of them twice, and one customer of the quiet shop (no token on this topic).
    const other = (
      await sql<{ id: number }>`SELECT min(id) AS id FROM customers WHERE page_id = ${quiet.page.id}`.execute(
        db,
      )
    ).rows[0]!.id;
    const ids = [...batch, batch[0]!, other];
    const statement = subscriptionsOfStatement(topic, ids).compile(db);
    // As planned for these values (how Kysely sends it), and as a plan kept for any values.
    for (const mode of PLAN_MODES) {
      const plan = await explainAnalyzed(db, statement.sql, statement.parameters, mode);
      // Their 50 tokens, each looked at about once: not every token of the topic for each batch.
      expect(rowsLookedAt(plan, 'subscriptions'), `${mode}\n${planOutline(plan)}`).toBeLessThanOrEqual(150);
    }
    const rows = await subscriptionsOf(db, topic, ids);
    const byId = (a: number, b: number) => a - b;
    expect(rows.map((r) => r.customer_id).sort(byId)).toEqual([...batch].sort(byId));
    expect(rows.map((r) => r.id)).toEqual(rows.map((r) => r.id).sort(byId));
    expect(rows.every((r) => r.topic_id === topic && r.token_hash === `hash-${r.customer_id}`)).toBe(true);
  });

  it('R9a: each page of the audience copy reads its own page, not the rest of the audience (a linear copy)', async () => {
    const db = storage.db;
    // Two shops whose customers were created in turn (their ids interleave, as on a shared server), with
    // statistics of their own: the other shop's rows are what the plans walked past.
    const shop = await seedWorkspace(storage);
    const neighbour = await seedWorkspace(storage);
    await sql`INSERT INTO customers (workspace_id, page_id, psid, created_at, last_interaction_at)
      SELECT CASE WHEN g % 2 = 0 THEN ${shop.workspaceId}::int ELSE ${neighbour.workspaceId}::int END,
             CASE WHEN g % 2 = 0 THEN ${shop.page.id}::int ELSE ${neighbour.page.id}::int END,
             'keyset-' || g, now(), now()
      FROM generate_series(1, 24000) g`.execute(db);
    // Every customer of the shop holds the first topic's token; one in five the second's.
    const everyone = await insertTopic(db, shop, 'everyone');
    const some = await insertTopic(db, shop, 'some');
    for (const [topic, oneIn] of [
      [everyone, 1],
      [some, 5],
    ] as const)
      await sql`INSERT INTO subscriptions (workspace_id, page_id, topic_id, customer_id, kind, token, token_hash,
          opted_in_at, expires_at, frequency, created_at, updated_at)
        SELECT workspace_id, page_id, ${topic}, id, 'recurring', 'tok-' || ${topic} || '-' || id,
          'hash-' || ${topic} || '-' || id, now(), now() + interval '1 year', 'DAILY', now(), now()
        FROM customers WHERE page_id = ${shop.page.id} AND (id / 2) % ${oneIn} = 0`.execute(db);
    await sql`ANALYZE customers, subscriptions`.execute(db);
    const page = 500;
    for (const [topic, oneIn] of [
      [everyone, 1],
      [some, 5],
    ] as const) {
      const members = (
        await sql<{
          id: number;
        }>`SELECT customer_id AS id FROM subscriptions WHERE topic_id = ${topic} ORDER BY 1`.execute(db)
      ).rows.map((r) => r.id);
      const scope = { pageId: shop.page.id, topicId: topic, filters: {} };
      // Pages early, in the middle and at the end of the copy, as the dispatcher walks them.
      for (const at of [
        0,
        Math.floor(members.length / 3),
        Math.floor((2 * members.length) / 3),
        members.length - 200,
      ]) {
        const after = at === 0 ? 0 : members[at - 1]!;
        const own = Math.min(page, members.length - at);
        const statement = audienceIdsStatement(db, scope, after, page);
        // The plan for these values: the statement is built by Kysely and sent unnamed, never prepared.
        const plan = await explainAnalyzed(db, statement.sql, statement.parameters, 'force_custom_plan');
        const why = `topic 1 in ${oneIn}, page at ${at}\n${planOutline(plan)}`;
        // The page's own tokens, and the shop's customers from the cursor to the page's last member (one
        // in five of them holds the second topic's token): not the rest of the audience, read and sorted
        // for every page (8,000 of each at a third of the first topic, before).
        expect(rowsLookedAt(plan, 'subscriptions'), why).toBeLessThanOrEqual(2 * own);
        expect(rowsLookedAt(plan, 'customers'), why).toBeLessThanOrEqual(2 * oneIn * own);
        const { rows } = await db.executeQuery<{ id: number }>(statement);
        expect(rows.map((r) => r.id)).toEqual(members.slice(at, at + page));
      }
    }
  }, 60_000);

  it("R9e: a campaign's progress sums its batches' tallies in one read of them, exactly", async () => {
    const db = storage.db;
    const shop = await seedWorkspace(storage);
    const topic = await insertTopic(db, shop, 'progress');
    const at = new Date('2026-06-01T00:00:00Z');
    const c = await insertCampaign(
      db,
      {
        workspaceId: shop.workspaceId,
        pageId: shop.page.id,
        topicId: topic,
        name: 'Progress',
        content: { type: 'text', text: 'Xin chào' },
        audience: {},
        allowDefer: false,
        linkSecret: 'secret',
      },
      at,
    );
    // 400 batches' tallies (a 200k campaign's), the last one the latest.
    await sql`INSERT INTO campaign_tallies (campaign_id, sent, failed, skipped, at)
      SELECT ${c.id}, 480, 15, 5, ${at}::timestamptz + g * interval '1 second'
      FROM generate_series(1, 400) g`.execute(db);
    await sql`ANALYZE campaign_tallies`.execute(db);
    const statement = campaignReadStatement(db, c.id);
    for (const mode of PLAN_MODES) {
      const plan = await explainAnalyzed(db, statement.sql, statement.parameters, mode);
      // Once each, not once per counter (four subqueries read them four times).
      expect(rowsLookedAt(plan, 'campaign_tallies'), `${mode}\n${planOutline(plan)}`).toBeLessThanOrEqual(
        400,
      );
    }
    const expected = {
      sent_count: 400 * 480,
      failed_count: 400 * 15,
      skipped_count: 400 * 5,
      checkpoint_at: new Date(at.getTime() + 400_000),
    };
    expect(await findCampaign(db, shop.workspaceId, c.id)).toMatchObject(expected);
    // Another workspace does not see it; the life-cycle's locking read gets the same counts.
    expect(await findCampaign(db, shop.workspaceId + 1000, c.id)).toBeUndefined();
    expect(await inTransaction(db, (tx) => findCampaign(tx, null, c.id, { forUpdate: true }))).toMatchObject(
      expected,
    );
  });
});
