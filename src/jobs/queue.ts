// Queue wiring: pg-boss over the same Kysely executor as everything else, so on the embedded database
// it shares PGlite's single connection, and a job can be enqueued inside the transaction that caused it.
import { CompiledQuery } from 'kysely';
import { fromKysely, type JobResult, PgBoss } from 'pg-boss';
import { type Db, type Executor, prepareText, type Storage } from '../storage/db.ts';

export const JOBS = {
  /** Apply one customer's pending webhook events, in timestamp order. */
  webhookCustomer: 'webhook-customer',
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
   * whichever process sends it (pg-boss 12 ignores a key alone on a standard-policy queue).
   */
  send(name: JobName, data: object, opts?: SendOpts): Promise<void>;
  /** Many jobs of one kind in one statement (webhook intake's group commit). */
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
    for (const name of Object.values(JOBS)) {
      await this.boss.createQueue(name, { retryLimit: 5, retryDelay: 1, retryBackoff: true });
      // pg-boss looks a queue up through its own connection the first time a job is sent to it unless its
      // cache has it, and queues created on a fresh database are not cached. On PGlite (one connection)
      // that lookup inside the webhook intake transaction deadlocks: warm the cache before serving.
      await this.boss.getJobById(name, '00000000-0000-0000-0000-000000000000');
      const text = await this.captureInsert(name);
      if (text !== undefined) this.inserts.set(name, { text, payload: jobsPayload });
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
    await this.boss.send(name, data, {
      ...(opts.tx && { db: fromKysely(opts.tx) }),
      ...(opts.singletonKey && { singletonKey: opts.singletonKey }),
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
      data.map((d) => ({ data: d })),
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
    name: JobName,
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
    name: JobName,
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
    for (const name of Object.values(JOBS)) {
      const q = await this.boss.getQueue(name);
      total += (q as { queuedCount?: number } | null)?.queuedCount ?? 0;
    }
    return total;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 5_000 });
  }
}
