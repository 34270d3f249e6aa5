// The worker's batches: pg-boss hands a handler several jobs at once, and each must be settled on its
// own, so that one job that throws is failed (and retried) alone, not with the jobs fetched beside it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import type { Storage } from '../storage/db.ts';
import { storeEvents } from '../storage/webhook-events.ts';
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

  it('trust: events and their jobs stored by one statement (pg-boss’s own insert text): a key twice in the group is stored once, the jobs are fetched and completed by pg-boss, a refused group leaves no job', async () => {
    // Pins pg-boss 12's insert: if a newer pg-boss writes it otherwise, this fails rather than the
    // intake silently going back to two statements in a transaction.
    const insert = queue.jobsInsert(JOBS.webhookCustomer);
    expect(insert?.text).toMatch(/^INSERT INTO/);
    const page = 'page-one-statement';
    const at = new Date('2026-03-01T10:00:00Z');
    const event = (psid: string, key: string) => ({
      fbPageId: page,
      psid,
      kind: 'message',
      idempotencyKey: key,
      eventAt: at,
      body: { key },
    });
    const store = (events: ReturnType<typeof event>[]) => {
      const customers = [...new Set(events.map((e) => e.psid))].map((psid) => ({ fbPageId: page, psid }));
      return storeEvents(storage.db, events, at, {
        insert: insert!.text,
        payload: insert!.payload(customers),
      });
    };
    const fresh = await store([event('x', 'k1'), event('y', 'k2'), event('x', 'k1')]);
    expect([...fresh].sort()).toEqual(['k1', 'k2']);
    // Stored again (Meta's retry): nothing new, a job again (as the two-statement intake did).
    expect((await store([event('x', 'k1')])).size).toBe(0);
    const events = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM webhook_events WHERE fb_page_id = ${page}`.execute(storage.db);
    expect(events.rows[0]!.n).toBe(2);

    // A group the database refuses (a real trigger) stores neither its events nor its jobs.
    await sql`CREATE FUNCTION refuse_z() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.psid = 'z' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`.execute(storage.db);
    await sql`CREATE TRIGGER refuse_z BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION refuse_z()`.execute(
      storage.db,
    );
    await expect(store([event('w', 'k3'), event('z', 'k4')])).rejects.toThrow(/refused/);
    await sql`DROP TRIGGER refuse_z ON webhook_events`.execute(storage.db);

    const mine = async () =>
      (await queue.boss.findJobs<WebhookCustomerJob>(JOBS.webhookCustomer)).filter(
        (j) => j.data.fbPageId === page,
      );
    expect((await mine()).map((j) => j.data.psid).sort()).toEqual(['x', 'x', 'y']);
    const handled: string[] = [];
    let allHandled: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      allHandled = resolve;
    });
    await queue.work<WebhookCustomerJob>(JOBS.webhookCustomer, async (job) => {
      if (job.fbPageId !== page) return;
      handled.push(job.psid);
      if (handled.length === 3) allHandled();
    });
    await done;
    await queue.boss.offWork(JOBS.webhookCustomer, { wait: true });
    expect(handled.sort()).toEqual(['x', 'x', 'y']);
    expect((await mine()).map((j) => j.state)).toEqual(['completed', 'completed', 'completed']);
  });
});
