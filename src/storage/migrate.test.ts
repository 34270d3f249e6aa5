// Upgrading a running installation: an index a pending migration adds to a big table is built with
// CREATE INDEX CONCURRENTLY before the migration runs, so the shop's writes to that table go on while
// it is built (a plain CREATE INDEX inside the migration's transaction would hold them all back).
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasPostgres, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import { insertSubscribers, insertTopic } from '../../test/support/plans.ts';
import { openStorage, type Storage } from './db.ts';
import { migrate, onlineIndexes } from './migrate.ts';

describe('migrations: which indexes may be built online', () => {
  it('a migration opts in with CREATE INDEX IF NOT EXISTS; comments and other statements are not read', () => {
    const text = `-- CREATE INDEX IF NOT EXISTS commented ON customers (id);
ALTER TABLE subscriptions ADD COLUMN x int;
CREATE INDEX plain_one ON customers (psid);
CREATE INDEX IF NOT EXISTS subscriptions_x ON subscriptions (page_id, x NULLS FIRST, id)
  WHERE kind = 'recurring' AND (x IS NULL OR x < 3);`;
    expect(onlineIndexes(text)).toEqual([
      {
        name: 'subscriptions_x',
        table: 'subscriptions',
        rest: "(page_id, x NULLS FIRST, id)\n  WHERE kind = 'recurring' AND (x IS NULL OR x < 3)",
      },
    ]);
  });
});

describe.skipIf(!hasPostgres())('migrations on a running PostgreSQL installation', () => {
  let storage: Storage;
  let schema: string;
  const clients: pg.Client[] = [];
  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({
      connectionString: process.env.DATABASE_URL,
      options: `-c search_path=${schema}`,
    });
    await c.connect();
    clients.push(c);
    return c;
  }
  beforeAll(async () => {
    storage = await openTestStorage('postgres');
    schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(storage.db)).rows[0]!.s;
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await storage?.close();
  });

  const valid = async (c: pg.Client) =>
    (await c.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('customers_page_keyset')`))
      .rows[0]?.indisvalid as boolean | undefined;
  /** Until the upgrade's CREATE INDEX CONCURRENTLY of `index` waits on a lock, in this database. */
  async function onlineBuildWaiting(admin: pg.Client, index: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await admin.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND query LIKE 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "${index}"%'`,
      );
      if (rows.length > 0) return;
      if (Date.now() > deadline) throw new Error('the online build never waited on the open write');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Back to an installation from before migration 036. */
  async function before036(): Promise<void> {
    await sql`DROP INDEX IF EXISTS customers_page_keyset`.execute(storage.db);
    await sql`DELETE FROM kysely_migration WHERE name = '036_customers_page_keyset'`.execute(storage.db);
  }
  /** What migrate() warns or reports: a failed online build (the fallback is the migration's blocking one). */
  function warnings(): unknown[] {
    const seen: unknown[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args) => void seen.push(args));
    vi.spyOn(console, 'error').mockImplementation((...args) => void seen.push(args));
    return seen;
  }

  it('an index a pending migration adds is built online: writes to the table go on meanwhile', async () => {
    const db = storage.db;
    const w = await seedWorkspace(storage, {});
    const customer = (psid: string) =>
      `INSERT INTO customers (workspace_id, page_id, psid, created_at) VALUES (${w.workspaceId}, ${w.page.id}, '${psid}', now())`;
    const admin = await connect();
    await before036();
    const warned = warnings();
    // A shop's write in flight while the upgrade starts.
    const writer = await connect();
    await writer.query('BEGIN');
    await writer.query(customer('c-1'));
    const upgrade = migrate(db as never, { schema, online: true, onlineMinBytes: 0 });
    try {
      // The build waits for that write to finish (any index build must)…
      await onlineBuildWaiting(admin, 'customers_page_keyset');
      // …and other writes to the table are not held back behind it (a plain CREATE INDEX queues them).
      const other = await connect();
      await other.query("SET lock_timeout = '3s'");
      await other.query(customer('c-2'));
    } finally {
      await writer.query('COMMIT');
      await upgrade;
    }
    expect(warned).toEqual([]);
    expect(await valid(admin)).toBe(true);
    const { rows } = await admin.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'customers_page_keyset'`,
    );
    expect(rows[0].indexdef).toMatch(/ON \S*customers USING btree \(page_id, id\)$/);
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration
      WHERE name = '036_customers_page_keyset'`.execute(db);
    expect(applied.rows).toHaveLength(1);
  });

  it('an invalid index a failed build left under the name is dropped and built again', async () => {
    const w = await seedWorkspace(storage, {});
    const admin = await connect();
    for (const psid of ['d-1', 'd-2'])
      await admin.query(
        `INSERT INTO customers (workspace_id, page_id, psid, created_at) VALUES (${w.workspaceId}, ${w.page.id}, '${psid}', now())`,
      );
    await before036();
    // A concurrent build that failed: its index stays behind, invalid (IF NOT EXISTS alone takes it for done).
    await expect(
      admin.query('CREATE UNIQUE INDEX CONCURRENTLY customers_page_keyset ON customers (page_id)'),
    ).rejects.toThrow(/could not create unique index/);
    expect(await valid(admin)).toBe(false);
    const warned = warnings();
    await migrate(storage.db as never, { schema, online: true, onlineMinBytes: 0 });
    expect(warned).toEqual([]);
    expect(await valid(admin)).toBe(true);
    const { rows } = await admin.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'customers_page_keyset'`,
    );
    expect(rows[0].indexdef).toMatch(/USING btree \(page_id, id\)$/);
  });

  it('processes starting together on an upgrade each finish, and every pending migration runs once', async () => {
    const db = storage.db;
    // Back to before 040 and 041 (040 adds columns: run twice, it would fail).
    await sql`DROP INDEX subscriptions_meta_stops_untold`.execute(db);
    await sql`ALTER TABLE subscriptions DROP COLUMN meta_stop_told_at, DROP COLUMN meta_stop_tried_at`.execute(
      db,
    );
    await sql`DELETE FROM kysely_migration WHERE name IN ('040_meta_stops_queue', '041_meta_stops_queue_index')`.execute(
      db,
    );
    await Promise.all(
      Array.from({ length: 3 }, () => migrate(db as never, { schema, online: true, onlineMinBytes: 0 })),
    );
    const { rows } = await sql<{
      name: string;
      n: number;
    }>`SELECT name, count(*)::int AS n FROM kysely_migration
      WHERE name IN ('040_meta_stops_queue', '041_meta_stops_queue_index') GROUP BY name ORDER BY name`.execute(
      db,
    );
    expect(rows).toEqual([
      { name: '040_meta_stops_queue', n: 1 },
      { name: '041_meta_stops_queue_index', n: 1 },
    ]);
    const total = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(db);
    expect(total.rows[0]!.n).toBe(
      (await sql<{ n: number }>`SELECT count(DISTINCT name)::int AS n FROM kysely_migration`.execute(db))
        .rows[0]!.n,
    );
  });

  it('R14e: the upgrade marks as told the stops the consent history shows Meta was told of', async () => {
    const db = storage.db;
    const w = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    await insertSubscribers(db, w, await insertTopic(db, w, 'backfill'), 3);
    const [told, toldBefore, never] = (
      await sql<{
        id: number;
      }>`UPDATE subscriptions SET stopped_at = '2026-11-01T10:00:00Z', meta_stop_told_at = NULL
        WHERE page_id = ${w.page.id} RETURNING id`.execute(db)
    ).rows
      .map((r) => r.id)
      .sort((a, b) => a - b) as [number, number, number];
    // Meta was told of this stop; of the other's earlier stop only (before it was resumed and stopped again).
    for (const [id, at] of [
      [told, '2026-11-01T10:01:00Z'],
      [toldBefore, '2026-10-01T10:01:00Z'],
    ] as const)
      await sql`INSERT INTO consent_history (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at)
        SELECT workspace_id, page_id, topic_id, customer_id, id, 'meta_unsubscribed', ${at}::timestamptz
        FROM subscriptions WHERE id = ${id}`.execute(db);
    await sql`DELETE FROM kysely_migration WHERE name = '042_meta_stops_told_backfill'`.execute(db);
    await migrate(db as never, { schema });
    const { rows } = await sql<{
      id: number;
      at: Date | null;
    }>`SELECT id, meta_stop_told_at AS at FROM subscriptions
      WHERE id IN (${told}, ${toldBefore}, ${never}) ORDER BY id`.execute(db);
    expect(rows).toEqual([
      { id: told, at: new Date('2026-11-01T10:01:00Z') },
      { id: toldBefore, at: null },
      { id: never, at: null },
    ]);
  });

  // A second process starting while the first builds an index online, judging the table big or small:
  // a session waiting on a lock holds a snapshot the concurrent build waits for, and a plain CREATE INDEX
  // waits on the build — either way a deadlock, unless the second only polls the upgrade lock.
  for (const [judged, minBytes] of [
    ['big', 0],
    ['small', Number.MAX_SAFE_INTEGER],
  ] as const)
    it(`a second process arriving during an online build (judging the table ${judged}) waits its turn`, async () => {
      const db = storage.db;
      await sql`DROP INDEX subscriptions_meta_stops_untold`.execute(db);
      await sql`DELETE FROM kysely_migration WHERE name = '041_meta_stops_queue_index'`.execute(db);
      const second = await openStorage({ databaseUrl: process.env.DATABASE_URL!, schema, migrate: false });
      const admin = await connect();
      const writer = await connect();
      const warned = warnings();
      await writer.query('BEGIN');
      await writer.query('LOCK TABLE subscriptions IN ROW EXCLUSIVE MODE');
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: Error) => e.message,
        );
      const first = outcome(migrate(db as never, { schema, online: true, onlineMinBytes: 0 }));
      try {
        await onlineBuildWaiting(admin, 'subscriptions_meta_stops_untold');
        const later = outcome(
          migrate(second.db as never, { schema, online: true, onlineMinBytes: minBytes }),
        );
        await new Promise((r) => setTimeout(r, 1000));
        await writer.query('COMMIT');
        expect(await Promise.all([first, later])).toEqual(['ok', 'ok']);
      } finally {
        await writer.query('ROLLBACK').catch(() => undefined);
        await first;
        await second.close();
      }
      expect(warned).toEqual([]);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration
        WHERE name = '041_meta_stops_queue_index'`.execute(db);
      expect(rows[0]!.n).toBe(1);
    });
});
