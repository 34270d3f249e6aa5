// The worker's batches: pg-boss hands a handler several jobs at once, and each must be settled on its
// own, so that one job that throws is failed (and retried) alone, not with the jobs fetched beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import type { Storage } from '../storage/db.ts';
import { JOBS, JobQueue, type WebhookCustomerJob } from './queue.ts';

describe.each(BACKENDS)('job queue batches on %s', (backend) => {
  let storage: Storage;
  let queue: JobQueue;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
    queue = new JobQueue(storage, { schema: `pgboss_batch_${Date.now()}` });
    await queue.start();
  });
  afterAll(async () => {
    await queue?.stop();
    await storage?.close();
  });

  it('trust: one failing job in a batch fails alone; the others of the batch complete', async () => {
    const jobs: WebhookCustomerJob[] = ['a', 'b', 'c'].map((psid) => ({ fbPageId: 'page-batch', psid }));
    // Queued before the worker starts, so that one fetch takes all three as one batch.
    await queue.sendMany(JOBS.webhookCustomer, jobs);
    const handled: string[] = [];
    let sawPoison: () => void = () => undefined;
    const poisonSeen = new Promise<void>((resolve) => {
      sawPoison = resolve;
    });
    await queue.work<WebhookCustomerJob>(
      JOBS.webhookCustomer,
      async (job) => {
        handled.push(job.psid);
        if (job.psid === 'b') {
          sawPoison();
          throw new Error('poison job');
        }
      },
      { batchSize: 3 },
    );
    await poisonSeen;
    // Waits for the batch in hand to be settled; no later fetch (b's retry) runs.
    await queue.boss.offWork(JOBS.webhookCustomer, { wait: true });

    const found = await queue.boss.findJobs<WebhookCustomerJob>(JOBS.webhookCustomer);
    const states = Object.fromEntries(found.map((j) => [j.data.psid, j.state]));
    expect(states).toEqual({ a: 'completed', b: 'retry', c: 'completed' });
    expect(handled.sort()).toEqual(['a', 'b', 'c']);
  });
});
