// Queue wiring: pg-boss over the same Kysely executor as everything else, so on the embedded database
// it shares PGlite's single connection, and a job can be enqueued inside the transaction that caused it.
import { CompiledQuery } from 'kysely';
import { fromKysely, type JobResult, PgBoss } from 'pg-boss';
import { type Db, type Executor, prepareText, type Storage } from '../storage/db.ts';

export const JOBS = {
  /**
   * Apply one customer's pending webhook events, in timestamp order. A `short`-policy queue keyed by the
   * customer (`webhookCustomerKey`): at most one job per customer waits in it, because a job applies
   * every event of its customer pending when it runs, so a second waiting one would find nothing left.
   * Its own name, not the `webhook-customer` queue of earlier versions: pg-boss cannot change a queue's
   * policy once created (LEGACY_JOBS).
   */
  webhookCustomer: 'webhook-customer-short',
  /** Send the chat assistant's answer (blocks of a trigger, or the R4f notice). */
  assistantReply: 'assistant-reply',
  /**
   * Wake the campaign dispatcher: a campaign was started or resumed (sent in that transaction; for a
   * scheduled start, due at its time). Whichever worker takes it kicks its own dispatcher, so a start
   * in the service reaches a `renotify worker` without waiting for the dispatcher's safety poll.
   */
  campaignWake: 'campaign-wake',
  /** Try a stored order event again after a transient Meta failure (R13c); retried with backoff. */
  orderEvent: 'order-event',
  /** Check every connected page's token and permissions with debug_token (issue 12; one round a job). */
  pageHealth: 'page-health',
} as const;

export type JobName = (typeof JOBS)[keyof typeof JOBS];

/**
 * Queues earlier versions sent to and this one only works, so jobs waiting in them when an installation
 * upgrades (or sent by a process of the earlier version still running beside this one) are still applied.
 * Nothing sends to them any more.
 */
export const LEGACY_JOBS = {
  /** The standard-policy webhook queue (one job per customer per group commit). Same payload. */
  webhookCustomer: 'webhook-customer',
} as const;

export type LegacyJobName = (typeof LEGACY_JOBS)[keyof typeof LEGACY_JOBS];

/**
 * A webhook customer's singleton key: the queue's "one waiting job" is per key. Length-prefixed, so no
 * two customers share one (a page id holding the separator cannot pass for another page's customer).
 */
export function webhookCustomerKey(job: WebhookCustomerJob): string {
  return `${job.fbPageId.length}:${job.fbPageId}:${job.psid}`;
}

export interface WebhookCustomerJob {
  fbPageId: string;
  psid: string;
}

export interface CampaignWakeJob {
  campaignId: number;
}

export interface OrderEventJob {
  workspaceId: number;
  eventId: number;
}

export type AssistantReplyJob =
  | { kind: 'trigger'; workspaceId: number; customerId: number; triggerId: number }
  | { kind: 'notice'; workspaceId: number; customerId: number };

export interface SendOpts {
  tx?: Executor;
  singletonKey?: string;
  singletonSeconds?: number;
  /** Not before then (a scheduled campaign's wake). */
  startAfter?: Date;
}

/**
 * A queue's job insert exactly as pg-boss writes it (captured from pg-boss's own `insert`, not copied):
 * one INSERT whose only parameter, `$1`, is the jobs as JSON (`payload`). A caller can run it as a CTE
 * beside its own insert, so the rows and their jobs are stored by one statement (one round trip,
 * atomic without a transaction).
 */
export interface JobsInsert {
  text: string;
  payload(data: object[]): string;
}

export interface Enqueuer {
  /**
   * `singletonKey` with `singletonSeconds`: at most one job of that key per window of that many seconds,
   * whichever process sends it (pg-boss 12 ignores a key alone on a standard-policy queue). On the
   * webhook queue (`short`) a key also means at most one waiting job of that key; its jobs are always
   * keyed (by default `webhookCustomerKey`).
   */
  send(name: JobName, data: object, opts?: SendOpts): Promise<void>;
  /**
   * Many jobs of one kind in one statement (webhook intake's group commit, where the queue gives no
   * `jobsInsert`). On the webhook queue it runs pg-boss's own insert, which skips a customer whose job
   * waits without holding that job back from a fetch (see LOCK_WAITING_JOB): an event stored in the
   * same transaction can then wait for the pending sweep.
   */
  sendMany(name: JobName, data: object[], opts?: { tx?: Executor }): Promise<void>;
  /** `name`'s job insert as one statement (undefined: only `sendMany` can enqueue, e.g. notify queues). */
  jobsInsert?(name: JobName): JobsInsert | undefined;
}

/**
 * pg-boss's own connection. Some of its plans are one string with their own BEGIN … COMMIT; when a
 * statement in one fails (a race it expects and ignores, such as two processes installing its schema
 * at once, or a backend terminated mid-plan) the pooled connection would go back inside an aborted
 * transaction, and every later query on it would fail ("current transaction is aborted"). Roll such a
 * plan back on the connection it ran on before that connection is released.
 */
function bossDb(db: Db) {
  return {
    executeSql(text: string, values?: unknown[]) {
      return db.connection().execute(async (conn) => {
        try {
          const r = await conn.executeQuery(CompiledQuery.raw(text, values ?? []));
          return { rows: [...r.rows] };
        } catch (e) {
          if (/\bBEGIN\b/i.test(text))
            await conn.executeQuery(CompiledQuery.raw('ROLLBACK')).catch(() => undefined);
          throw e;
        }
      });
    },
  };
}

/** What a failed job keeps as its output (an Error's own fields do not survive JSON). */
function failure(e: unknown): { message: string; code?: string } {
  const err = e as { message?: unknown; code?: unknown } | null;
  return {
    message: typeof err?.message === 'string' ? err.message : String(e),
    ...(typeof err?.code === 'string' && { code: err.code }),
  };
}

/** The payload pg-boss's `insert` binds to `$1` for jobs given as `{ data }` only. */
function jobsPayload(data: object[]): string {
  return JSON.stringify(data.map((d) => ({ data: d })));
}

/** Every queue's options; a queue named here gets that policy instead of pg-boss's standard one. */
const QUEUE_OPTIONS = { retryLimit: 5, retryDelay: 1, retryBackoff: true };
const POLICIES: Partial<Record<JobName, 'short'>> = { [JOBS.webhookCustomer]: 'short' };

/**
 * The webhook queue's jobs as pg-boss's `insert` takes them: one per customer, under the customer's key
 * (two jobs of one key in one statement would be one job, and the locking insert below refuses them),
 * in key order: concurrent intake statements that name the same customers wait on each other's rows
 * of those keys, and taking them in one order makes them queue instead of deadlocking (as the events'
 * own insert does, sorted by idempotency key).
 */
function webhookJobs(data: readonly object[]): Array<{ data: object; singletonKey: string }> {
  const byKey = new Map<string, WebhookCustomerJob>();
  for (const d of data as WebhookCustomerJob[]) byKey.set(webhookCustomerKey(d), d);
  return [...byKey.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((singletonKey) => ({ data: byKey.get(singletonKey)!, singletonKey }));
}

/**
 * The conflict clause the intake's statement uses for the webhook queue, in place of pg-boss's
 * `ON CONFLICT DO NOTHING`. Skipping a customer whose job already waits is not enough: that job could be
 * fetched, and its customer's pending events read, between the skip and the statement's commit — the
 * events just stored would then have no job to apply them until the pending sweep (30 s and more).
 * Naming the queue's one-waiting-job index (pg-boss's job_i1, `short` policy) with `DO UPDATE … WHERE
 * false` writes nothing but locks the waiting job until the statement commits, and pg-boss's fetch
 * (FOR UPDATE SKIP LOCKED) passes it by until then: it runs once these events are visible. A job whose
 * fetch has not committed yet is waited for; taken, it no longer waits (state `active`), and the insert
 * goes ahead with a new job. queue.test.ts holds a statement open and checks that the job is not fetched.
 */
const LOCK_WAITING_JOB = `ON CONFLICT (name, COALESCE(singleton_key, '')) WHERE state = 'created' AND policy = 'short'
    DO UPDATE SET data = EXCLUDED.data WHERE false`;

function isJobName(name: string): name is JobName {
  return (Object.values(JOBS) as string[]).includes(name);
}

export class JobQueue implements Enqueuer {
  readonly boss: PgBoss;
  private readonly inserts = new Map<JobName, JobsInsert>();

  constructor(storage: Storage, opts: { schema?: string } = {}) {
    this.boss = new PgBoss({
      db: bossDb(storage.db),
      ...(storage.kind === 'pglite' && { backend: 'pglite' as const }),
      schema: opts.schema ?? 'pgboss',
      // Cron scheduling needs Temporal (Node 22); renotify's periodic work runs on timers instead.
      schedule: false,
    });
    this.boss.on('error', (e: unknown) => console.error('[queue]', e));
  }

  async start(): Promise<void> {
    await this.boss.start();
    for (const name of [...Object.values(JOBS), ...Object.values(LEGACY_JOBS)]) {
      const policy = POLICIES[name as JobName];
      // An existing queue keeps what it was created with (pg-boss: ON CONFLICT DO NOTHING).
      await this.boss.createQueue(name, { ...QUEUE_OPTIONS, ...(policy && { policy }) });
      // pg-boss looks a queue up through its own connection the first time a job is sent to it unless its
      // cache has it, and queues created on a fresh database are not cached. On PGlite (one connection)
      // that lookup inside the webhook intake transaction deadlocks: warm the cache before serving.
      await this.boss.getJobById(name, '00000000-0000-0000-0000-000000000000');
      if (!isJobName(name)) continue;
      const text = await this.captureInsert(name);
      if (text === undefined) continue;
      if (name !== JOBS.webhookCustomer) {
        this.inserts.set(name, { text, payload: jobsPayload });
        continue;
      }
      // Kept only with its conflict clause in place: pg-boss's own would let a fetch slip between the
      // skip and the commit (LOCK_WAITING_JOB); without it the intake falls back to sendMany.
      const conflict = /\bON CONFLICT DO NOTHING\b/g;
      if (text.match(conflict)?.length === 1)
        this.inserts.set(name, {
          text: text.replace(conflict, LOCK_WAITING_JOB),
          payload: (data) => JSON.stringify(webhookJobs(data)),
        });
    }
  }

  /**
   * The SQL pg-boss's `insert` runs for `name`, taken from pg-boss itself (its executor records the text
   * and runs nothing). Kept only if it is one INSERT whose only parameter is `$1`; a queue with notify
   * on (an INSERT wrapped in its own WITH) or a future pg-boss that writes it otherwise is left to
   * `sendMany`. queue.test.ts checks that jobs stored by this text are fetched and completed by pg-boss.
   */
  private async captureInsert(name: JobName): Promise<string | undefined> {
    let text: string | undefined;
    await this.boss.insert(name, [], {
      db: {
        async executeSql(sqlText: string) {
          text = sqlText;
          return { rows: [] };
        },
      },
    });
    if (text === undefined) return undefined;
    const single = /^\s*INSERT\s+INTO\b/i.test(text) && !text.includes(';');
    const onlyFirstParam = text.includes('$1') && !/\$(?!1\b)\d+/.test(text);
    return single && onlyFirstParam ? text.trim() : undefined;
  }

  jobsInsert(name: JobName): JobsInsert | undefined {
    return this.inserts.get(name);
  }

  async send(name: JobName, data: object, opts: SendOpts = {}): Promise<void> {
    // A webhook job is always under its customer's key: keyless, every job would share the key ''.
    const singletonKey =
      opts.singletonKey ??
      (name === JOBS.webhookCustomer ? webhookCustomerKey(data as WebhookCustomerJob) : undefined);
    await this.boss.send(name, data, {
      ...(opts.tx && { db: fromKysely(opts.tx) }),
      ...(singletonKey && { singletonKey }),
      ...(opts.singletonSeconds && { singletonSeconds: opts.singletonSeconds }),
      ...(opts.startAfter && { startAfter: opts.startAfter }),
    });
  }

  async sendMany(name: JobName, data: object[], opts: { tx?: Executor } = {}): Promise<void> {
    if (data.length === 0) return;
    // The insert's text is the same for every call on a queue (the group commit's hot path): prepared.
    const db = opts.tx && fromKysely(opts.tx);
    await this.boss.insert(
      name,
      name === JOBS.webhookCustomer ? webhookJobs(data) : data.map((d) => ({ data: d })),
      db
        ? {
            db: {
              executeSql(text: string, values?: unknown[]) {
                prepareText('pgboss', text);
                return db.executeSql(text, values);
              },
            },
          }
        : {},
    );
  }

  async work<T>(
    name: JobName | LegacyJobName,
    handler: (data: T) => Promise<void>,
    opts: { batchSize?: number; concurrency?: number; pollSeconds?: number } = {},
  ): Promise<void> {
    await this.boss.work<T>(
      name,
      {
        batchSize: opts.batchSize ?? 20,
        localConcurrency: opts.concurrency ?? 1,
        pollingIntervalSeconds: opts.pollSeconds ?? 0.5,
        burstWhenBatchFull: true,
        // Each job of a batch is settled on its own: one that throws is failed (and retried) alone,
        // not with the jobs fetched beside it.
        perJobResults: true,
      },
      async (jobs) => {
        const results: JobResult[] = [];
        for (const job of jobs) {
          try {
            await handler(job.data);
            results.push({ id: job.id, status: 'completed' });
          } catch (e) {
            console.error(`[queue] ${name} job ${job.id} failed`, e);
            results.push({ id: job.id, status: 'failed', output: failure(e) });
          }
        }
        return results;
      },
    );
  }

  /**
   * Like `work`, but the handler gets the whole fetched batch and answers, per job, the error that
   * failed it (undefined: completed) — for handlers that apply many jobs in one transaction.
   */
  async workBatch<T>(
    name: JobName | LegacyJobName,
    handler: (data: T[]) => Promise<Array<unknown | undefined>>,
    opts: { batchSize?: number; concurrency?: number; pollSeconds?: number } = {},
  ): Promise<void> {
    await this.boss.work<T>(
      name,
      {
        batchSize: opts.batchSize ?? 20,
        localConcurrency: opts.concurrency ?? 1,
        pollingIntervalSeconds: opts.pollSeconds ?? 0.5,
        burstWhenBatchFull: true,
        perJobResults: true,
      },
      async (jobs) => {
        let errors: Array<unknown | undefined>;
        try {
          errors = await handler(jobs.map((j) => j.data));
        } catch (e) {
          errors = jobs.map(() => e);
        }
        return jobs.map((job, i): JobResult => {
          const e = errors[i];
          if (e === undefined) return { id: job.id, status: 'completed' };
          console.error(`[queue] ${name} job ${job.id} failed`, e);
          return { id: job.id, status: 'failed', output: failure(e) };
        });
      },
    );
  }

  async depth(): Promise<number> {
    let total = 0;
    for (const name of [...Object.values(JOBS), ...Object.values(LEGACY_JOBS)]) {
      const q = await this.boss.getQueue(name);
      total += (q as { queuedCount?: number } | null)?.queuedCount ?? 0;
    }
    return total;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 5_000 });
  }
}
