// Found while starting the service and workers at once (as an orchestrator does) on a fresh database:
// pg-boss installs its schema in one BEGIN … COMMIT string and ignores the "already exists" a racing
// process causes, but the failed string left its pooled connection inside an aborted transaction, so the
// next query on it failed and the process exited ("current transaction is aborted"). Three queues on
// three pools (one per process) start at once on PostgreSQL; all must start and work.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { JOBS, JobQueue } from '../../src/jobs/queue.ts';
import { openStorage, type Storage } from '../../src/storage/db.ts';
import { hasPostgres } from '../support/backends.ts';

const opened: Storage[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

describe.skipIf(!hasPostgres())('trust: processes starting at once on a fresh database', () => {
  it('trust: three pg-boss queues installing one schema at once all start, and their connections still work', async () => {
    for (let round = 0; round < 3; round++) {
      const schema = `pgboss_race_${randomBytes(4).toString('hex')}`;
      const stores = await Promise.all(
        [0, 1, 2].map(() =>
          openStorage({ databaseUrl: process.env.DATABASE_URL!, migrate: false, poolSize: 2 }),
        ),
      );
      opened.push(...stores);
      const queues = stores.map((s) => new JobQueue(s, { schema }));
      const started = await Promise.allSettled(queues.map((q) => q.start()));
      expect(started.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual([
        'ok',
        'ok',
        'ok',
      ]);
      // Every pooled connection of every process still answers (two per pool, so four calls each).
      for (const [i, q] of queues.entries()) {
        for (let k = 0; k < 4; k++) await q.send(JOBS.webhookCustomer, { fbPageId: 'p', psid: `${i}-${k}` });
        expect(await stores[i]!.problem()).toBeNull();
      }
      await Promise.all(queues.map((q) => q.stop()));
      await stores[0]!.db.schema.dropSchema(schema).ifExists().cascade().execute();
    }
  });
});
