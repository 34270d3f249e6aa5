// The one customer upsert, as webhooks (one customer, no labels) and imports (many, with labels)
// use it: what each keeps of the other's writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { HOUR, seedWorkspace } from '../../test/support/factories.ts';
import { upsertCustomer, upsertCustomers } from './customers.ts';
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
});
