// Upgrading a running installation: an index a pending migration adds to a big table is built with
// CREATE INDEX CONCURRENTLY before the migration runs, so the shop's writes to that table go on while
// it is built (a plain CREATE INDEX inside the migration's transaction would hold them all back).
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import type { Storage } from './db.ts';
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
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await storage?.close();
  });

  it('an index a pending migration adds is built online: writes to the table go on meanwhile', async () => {
    const db = storage.db;
    const w = await seedWorkspace(storage, {});
    const customer = (psid: string) =>
      `INSERT INTO customers (workspace_id, page_id, psid, created_at) VALUES (${w.workspaceId}, ${w.page.id}, '${psid}', now())`;
    const admin = await connect();
    await admin.query(customer('c-1'));
    await admin.query(customer('c-2'));
    // An installation from before migration 036 — and a build of that index that failed once, leaving an
    // invalid index under its name (which IF NOT EXISTS alone would take for done).
    await sql`DROP INDEX customers_page_keyset`.execute(db);
    await sql`DELETE FROM kysely_migration WHERE name = '036_customers_page_keyset'`.execute(db);
    await expect(
      admin.query('CREATE UNIQUE INDEX CONCURRENTLY customers_page_keyset ON customers (page_id)'),
    ).rejects.toThrow(/could not create unique index/);
    const valid = async () =>
      (
        await admin.query(
          `SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('customers_page_keyset')`,
        )
      ).rows[0]?.indisvalid as boolean | undefined;
    expect(await valid()).toBe(false);

    // A shop's write in flight while the upgrade starts.
    const writer = await connect();
    await writer.query('BEGIN');
    await writer.query(customer('c-3'));
    const upgrade = migrate(db as never, { schema, online: true, onlineMinBytes: 0 });
    // The upgrade now waits for that write to finish (any index build must)…
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await admin.query(
        `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%INDEX%customers_page_keyset%' AND wait_event_type = 'Lock'`,
      );
      if (rows.length > 0) break;
      if (Date.now() > deadline) throw new Error('the upgrade never waited on the open write');
      await new Promise((r) => setTimeout(r, 50));
    }
    // …and other writes to the table are not held back behind it (a plain CREATE INDEX would queue them).
    const other = await connect();
    await other.query("SET lock_timeout = '3s'");
    await other.query(customer('c-4'));
    await writer.query('COMMIT');
    await upgrade;
    expect(await valid()).toBe(true);
    const { rows } = await admin.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'customers_page_keyset'`,
    );
    expect(rows[0].indexdef).toMatch(/ON \S*customers USING btree \(page_id, id\)$/);
    const applied = await sql<{
      name: string;
    }>`SELECT name FROM kysely_migration WHERE name = '036_customers_page_keyset'`.execute(db);
    expect(applied.rows).toHaveLength(1);
  });
});
