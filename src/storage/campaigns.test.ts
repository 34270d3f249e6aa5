// The campaign's reads of its recipients' tokens as PostgreSQL plans them when the statistics are older
// than the topic's subscribers (a burst of opt-ins, then a campaign to them).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import { explainAnalyzed, PLAN_MODES, planOutline, rowsLookedAt } from '../../test/support/plans.ts';
import { subscriptionsOf, subscriptionsOfStatement } from './campaigns.ts';
import type { Storage } from './db.ts';

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
    const topicOf = async (scope: { workspaceId: number; page: { id: number } }, name: string) =>
      (
        await sql<{
          id: number;
        }>`INSERT INTO topics (workspace_id, page_id, name, kind, title, frequency, created_at, updated_at)
          VALUES (${scope.workspaceId}, ${scope.page.id}, ${name}, 'recurring', ${name}, 'DAILY', now(), now())
          RETURNING id`.execute(db)
      ).rows[0]!.id;
    const subscribers = async (
      scope: { workspaceId: number; page: { id: number } },
      topicId: number,
      n: number,
    ) => {
      await sql`INSERT INTO customers (workspace_id, page_id, psid, created_at)
        SELECT ${scope.workspaceId}, ${scope.page.id}, 'c-' || g, now() FROM generate_series(1, ${n}) g`.execute(
        db,
      );
      await sql`INSERT INTO subscriptions (workspace_id, page_id, topic_id, customer_id, kind, token, token_hash,
          opted_in_at, expires_at, frequency, created_at, updated_at)
        SELECT workspace_id, page_id, ${topicId}, id, 'recurring', 'tok-' || id, 'hash-' || id, now(),
          now() + interval '1 year', 'DAILY', now(), now()
        FROM customers WHERE page_id = ${scope.page.id}`.execute(db);
    };
    // The statistics know the quiet shop's 20,000 tokens; then a livestream's 5,000 opt-ins to a new topic.
    const quiet = await seedWorkspace(storage);
    await subscribers(quiet, await topicOf(quiet, 'quiet'), 20_000);
    await sql`ANALYZE customers, subscriptions`.execute(db);
    const live = await seedWorkspace(storage);
    const topic = await topicOf(live, 'live');
    await subscribers(live, topic, 5000);
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
});
