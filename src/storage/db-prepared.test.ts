// The hot statements are named (prepared once per connection). A migration run by a newer process adds
// a column under a statement that selects `*`: PostgreSQL then refuses the old prepared statement
// ("cached plan must not change result type") for the connection's whole life unless it is prepared
// again — the webhook path of every running process would fail until restarted.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import { loadConfig } from '../config.ts';
import { touchCustomers } from './customers.ts';
import { inTransaction, type Storage } from './db.ts';
import { findPagesByFbIds } from './pages.ts';

describe.each(BACKENDS)('prepared statements on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    // One connection: the statement is prepared on the very connection the later calls use.
    storage = await openTestStorage(backend, { poolSize: 1 });
  });
  afterAll(async () => storage?.close());

  it('a column added under a prepared statement: the next call outside a transaction still answers', async () => {
    const w = await seedWorkspace(storage);
    expect(await findPagesByFbIds(storage.db, [w.page.fb_page_id])).toHaveLength(1);
    await sql`ALTER TABLE pages ADD COLUMN probe_after_prepare int`.execute(storage.db);
    const [page] = await findPagesByFbIds(storage.db, [w.page.fb_page_id]);
    expect(page?.id).toBe(w.page.id);
    // And again at the next migration.
    await sql`ALTER TABLE pages ADD COLUMN probe_after_prepare_2 int`.execute(storage.db);
    expect(await findPagesByFbIds(storage.db, [w.page.fb_page_id])).toHaveLength(1);
  });

  it('inside a transaction the first try fails with the transaction; its retry answers', async () => {
    const w = await seedWorkspace(storage);
    const row = { workspaceId: w.workspaceId, pageId: w.page.id, psid: 'p-1' };
    await touchCustomers(storage.db, [row], w.clock.now());
    await sql`ALTER TABLE customers ADD COLUMN probe_after_prepare int`.execute(storage.db);
    const touch = () => inTransaction(storage.db, (tx) => touchCustomers(tx, [row], w.clock.now()));
    // The transaction is aborted by PostgreSQL's refusal; nothing can be retried inside it.
    await touch().catch(() => undefined);
    const [c] = await touch();
    expect(c?.psid).toBe('p-1');
  });

  it('PREPARED_STATEMENTS=off (behind a pooler that cannot keep them): the same calls, no named statement', async () => {
    const count = async (st: Storage) =>
      Number(
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(st.db))
          .rows[0]!.n,
      );
    const w = await seedWorkspace(storage);
    expect(await findPagesByFbIds(storage.db, [w.page.fb_page_id])).toHaveLength(1);
    expect(await count(storage)).toBeGreaterThan(0);
    const config = loadConfig({ PREPARED_STATEMENTS: 'off' });
    expect(() => loadConfig({ PREPARED_STATEMENTS: 'maybe' })).toThrow(
      /PREPARED_STATEMENTS must be on or off/,
    );
    const plain = await openTestStorage(backend, { poolSize: 1, prepare: config.preparedStatements });
    try {
      const w2 = await seedWorkspace(plain);
      expect(await findPagesByFbIds(plain.db, [w2.page.fb_page_id])).toHaveLength(1);
      expect(await count(plain)).toBe(0);
    } finally {
      await plain.close();
    }
  });
});
