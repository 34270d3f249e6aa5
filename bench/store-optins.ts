// bench:store's opt-ins as the worker applies them: jobs of customers whose opt-in events are stored,
// applied by processCustomersEvents in the worker's batches, at full speed or a batch started every
// batch / rate s. Run in the bench process, or in a process of its own (bench/store-worker.ts) as
// `renotify worker` runs beside the service.
import { processCustomersEvents } from '../src/app/webhook-batch.ts';
import type { Clock } from '../src/clock.ts';
import type { Enqueuer } from '../src/jobs/queue.ts';
import type { Db } from '../src/storage/db.ts';

export interface OptInJob {
  fbPageId: string;
  psid: string;
}

const noQueue: Enqueuer = {
  send: async () => {
    throw new Error('bench: no job expected');
  },
  sendMany: async (_name, data) => {
    if (data.length > 0) throw new Error('bench: no job expected');
  },
};

// A batch that fails is applied again one event per transaction (webhook-batch.ts): correct, but not
// what this measures — the run stops instead.
const warn = console.warn;
console.warn = (...a: unknown[]) => {
  if (String(a[0]).includes('fell back')) throw new Error(`bench: ${String(a[0])} ${String(a[1])}`);
  warn(...a);
};

export async function applyOptInJobs(
  ctx: { db: Db; clock: Clock },
  jobs: readonly OptInJob[],
  rate: number | null,
  worker: { batch: number; concurrency: number },
): Promise<void> {
  const workerCtx = { ...ctx, queue: noQueue };
  const apply = async (batch: readonly OptInJob[]) => {
    for (const o of (await processCustomersEvents(workerCtx, batch)).values()) if (o.error) throw o.error;
  };
  if (rate === null) {
    let at = 0;
    await Promise.all(
      Array.from({ length: worker.concurrency }, async () => {
        while (at < jobs.length) {
          const batch = jobs.slice(at, at + worker.batch);
          at += worker.batch;
          await apply(batch);
        }
      }),
    );
    return;
  }
  const start = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let b = 0; b * worker.batch < jobs.length; b++) {
    const wait = start + (b * worker.batch * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (inFlight.size >= worker.concurrency) await Promise.race(inFlight);
    const op = apply(jobs.slice(b * worker.batch, (b + 1) * worker.batch)).finally(() => inFlight.delete(op));
    inFlight.add(op);
  }
  await Promise.all(inFlight);
}
