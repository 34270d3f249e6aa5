// The one customer upsert, as webhooks (one customer, no labels) and imports (many, with labels)
// use it: what each keeps of the other's writes.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { HOUR, seedWorkspace } from '../../test/support/factories.ts';
import {
  explainAnalyzed,
  insertSubscribers,
  insertTopic,
  PLAN_MODES,
  planOutline,
  rowsLookedAt,
} from '../../test/support/plans.ts';
import {
  lockCustomersByPsid,
  lockCustomersByPsidStatement,
  upsertCustomer,
  upsertCustomers,
} from './customers.ts';
import type { Storage } from './db.ts';

describe.each(BACKENDS)('customer upsert on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  it('an import replaces labels and merges attributes; a later webhook upsert keeps both, and the interaction only moves forward', async () => {
    const w = await seedWorkspace(storage);
    const now = w.ctx.clock.now();
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const first = await upsertCustomer(
      storage.db,
      { ...scope, psid: 'p1', name: 'An', interactionAt: now },
      now,
    );
    expect(first).not.toHaveProperty('inserted');

    const imported = await upsertCustomers(
      storage.db,
      [
        {
          ...scope,
          psid: 'p1',
          labels: ['vip'],
          attributes: { city: 'Huế' },
          interactionAt: new Date(now.getTime() - HOUR),
        },
        { ...scope, psid: 'p2', name: 'Bình', labels: ['new'], attributes: { city: 'Vinh' } },
      ],
      now,
    );
    expect(imported.map((c) => [c.psid, c.inserted]).sort()).toEqual([
      ['p1', false],
      ['p2', true],
    ]);
    await upsertCustomers(
      storage.db,
      [{ ...scope, psid: 'p1', labels: ['vip', 'b2b'], attributes: { size: 'M' } }],
      now,
    );

    const again = await upsertCustomer(storage.db, { ...scope, psid: 'p1', firstName: 'An' }, now);
    expect(again).toMatchObject({
      id: first.id,
      name: 'An',
      first_name: 'An',
      labels: ['vip', 'b2b'],
      attributes: { city: 'Huế', size: 'M' },
      last_interaction_at: now,
    });
  });
  it('customers locked by PSID are read by the page key, however stale the statistics (a burst of new customers on the page)', async () => {
    const db = storage.db;
    await sql`ALTER TABLE customers SET (autovacuum_enabled = off)`.execute(db);
    // The statistics know a quiet shop's 20,000 customers; then 5,000 new ones on a page they never saw.
    const quiet = await seedWorkspace(storage);
    await insertSubscribers(db, quiet, await insertTopic(db, quiet, 'quiet'), 20_000);
    await sql`ANALYZE customers`.execute(db);
    const live = await seedWorkspace(storage);
    await insertSubscribers(db, live, await insertTopic(db, live, 'live'), 5000);
    const mine = Array.from({ length: 50 }, (_, k) => `c-${k * 97 + 1}`);
    // One named twice, one only the quiet shop has; and one PSID alone, as a marketing send locks it.
    for (const [psids, bound] of [
      [[...mine, mine[0]!, 'c-9999'], 150],
      [['c-4999'], 3],
    ] as const) {
      const statement = lockCustomersByPsidStatement(live.page.id, psids).compile(db);
      for (const mode of PLAN_MODES) {
        const plan = await explainAnalyzed(db, statement.sql, statement.parameters, mode);
        // Their own rows, each looked at about once: not every customer of the page for each.
        expect(rowsLookedAt(plan, 'customers'), `${mode}\n${planOutline(plan)}`).toBeLessThanOrEqual(bound);
      }
    }
    const rows = await db
      .transaction()
      .execute((tx) => lockCustomersByPsid(tx, live.page.id, [...mine, mine[0]!, 'c-9999']));
    expect(rows.map((r) => r.psid).sort()).toEqual([...mine].sort());
    expect(rows.every((r) => r.page_id === live.page.id)).toBe(true);
  });
});
