// The worker's batches: pg-boss hands a handler several jobs at once, and each must be settled on its
// own, so that one job that throws is failed (and retried) alone, not with the jobs fetched beside it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { type Executor, inTransaction, type Storage } from '../storage/db.ts';
import { storeEvents } from '../storage/webhook-events.ts';
import { JOBS, JobQueue, type WebhookCustomerJob, webhookCustomerKey } from './queue.ts';

/** A promise and the function that resolves it: a step one test's transaction waits for or signals. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    fire = r;
  });
  return { promise, fire };
}

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

  it('trust: events and their jobs stored by one statement (pg-boss’s own insert text): a key twice in the group is stored once, a customer whose job waits gets no second one, the jobs are fetched and completed by pg-boss, a refused group leaves no job', async () => {
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
    // Stored again (Meta's retry): nothing new, and no second job while x's first one waits.
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
    expect((await mine()).map((j) => j.data.psid).sort()).toEqual(['x', 'y']);
    const handled: string[] = [];
    let allHandled: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      allHandled = resolve;
    });
    await queue.work<WebhookCustomerJob>(JOBS.webhookCustomer, async (job) => {
      if (job.fbPageId !== page) return;
      handled.push(job.psid);
      if (handled.length === 2) allHandled();
    });
    await done;
    await queue.boss.offWork(JOBS.webhookCustomer, { wait: true });
    expect(handled.sort()).toEqual(['x', 'y']);
    expect((await mine()).map((j) => j.state)).toEqual(['completed', 'completed']);
  });
});

// The webhook queue keeps one waiting job per customer (pg-boss's `short` policy, keyed by customer): a
// job applies every pending event of its customer, so the intake adds none for a customer whose job
// waits. A job taken or waiting for its retry does not stand for later events: those get a new one.
describe.each(BACKENDS)('the webhook queue on %s: one waiting job per customer', (backend) => {
  let storage: Storage;
  let queue: JobQueue;
  const schema = `pgboss_short_${Date.now()}`;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
    queue = new JobQueue(storage, { schema });
    await queue.start();
  });
  afterAll(async () => {
    await queue?.stop();
    await storage?.close();
  });

  const at = new Date('2026-03-02T10:00:00Z');
  let n = 0;
  /** One event of the customer, stored with its job by the intake's own statement. */
  const store = (fbPageId: string, psid: string, db: Executor = storage.db) => {
    const insert = queue.jobsInsert(JOBS.webhookCustomer)!;
    const key = `short-${++n}`;
    const event = { fbPageId, psid, kind: 'message', idempotencyKey: key, eventAt: at, body: { key } };
    return storeEvents(db, [event], at, {
      insert: insert.text,
      payload: insert.payload([{ fbPageId, psid }]),
    });
  };
  const jobsOf = async (fbPageId: string) =>
    (await queue.boss.findJobs<WebhookCustomerJob>(JOBS.webhookCustomer)).filter(
      (j) => j.data.fbPageId === fbPageId,
    );
  const fetchIds = async () =>
    (await queue.boss.fetch<WebhookCustomerJob>(JOBS.webhookCustomer, { batchSize: 100 })).map((j) => j.id);

  it('trust: five events of one customer stored by five statements leave one waiting job under the customer’s key; another customer has their own', async () => {
    const page = 'page-five';
    for (let i = 0; i < 5; i++) {
      await store(page, 'a');
      await store(page, 'b');
    }
    const jobs = await jobsOf(page);
    expect(jobs.map((j) => [j.data.psid, j.state, j.singletonKey]).sort()).toEqual([
      ['a', 'created', webhookCustomerKey({ fbPageId: page, psid: 'a' })],
      ['b', 'created', webhookCustomerKey({ fbPageId: page, psid: 'b' })],
    ]);
    // Two customers whose page id and psid would join into one string still get a job each.
    await store('p:q', 'r');
    await store('p', 'q:r');
    expect((await jobsOf('p:q')).length + (await jobsOf('p')).length).toBe(2);
  });

  it('trust: a job taken by a worker, or failed and waiting for its retry, does not stand for later events: they get a new job, fetched at once', async () => {
    const page = 'page-retry';
    await store(page, 'a');
    const [first] = await jobsOf(page);
    expect(await fetchIds()).toContain(first!.id);
    // Stored while the first job runs: that job may have read the customer's events already.
    await store(page, 'a');
    const second = (await jobsOf(page)).find((j) => j.id !== first!.id);
    expect(second?.state).toBe('created');
    // The first job fails: it waits for its retry (1 s or more), the second stays and is the one fetched.
    await queue.boss.fail(JOBS.webhookCustomer, first!.id, { message: 'test failure' });
    await store(page, 'a');
    const states = Object.fromEntries((await jobsOf(page)).map((j) => [j.id, j.state]));
    expect(states).toEqual({ [first!.id]: 'retry', [second!.id]: 'created' });
    expect(await fetchIds()).toEqual([second!.id]);
  });

  it.skipIf(backend !== 'postgres')(
    'trust: a waiting job that an intake statement skipped is not fetched until that statement commits (its events visible to the job)',
    async () => {
      const page = 'page-held';
      await store(page, 'a');
      const [job] = await jobsOf(page);
      const held = signal();
      const stored = signal();
      const open = inTransaction(storage.db, async (tx) => {
        await store(page, 'a', tx);
        stored.fire();
        await held.promise;
      });
      await stored.promise;
      // Another connection's fetch, as a worker's: the job waits for the statement's commit.
      expect(await fetchIds()).not.toContain(job!.id);
      held.fire();
      await open;
      expect(await fetchIds()).toContain(job!.id);
      expect((await jobsOf(page)).length).toBe(1);
    },
  );

  it.skipIf(backend !== 'postgres')(
    'trust: an intake statement meeting a waiting job whose fetch has not committed waits for it, then stores a job of its own',
    async () => {
      const page = 'page-taken';
      await store(page, 'a');
      const [job] = await jobsOf(page);
      const held = signal();
      const taken = signal();
      // What pg-boss's fetch writes, held open.
      const fetching = inTransaction(storage.db, async (tx) => {
        await sql`UPDATE ${sql.table(`${schema}.job`)} SET state = 'active', started_on = now()
          WHERE id = ${job!.id}`.execute(tx);
        taken.fire();
        await held.promise;
      });
      await taken.promise;
      let done = false;
      const storing = store(page, 'a').then(() => {
        done = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      held.fire();
      await fetching;
      await storing;
      const states = (await jobsOf(page)).map((j) => [j.id === job!.id, j.state]).sort();
      expect(states).toEqual([
        [false, 'created'],
        [true, 'active'],
      ]);
    },
  );
});
