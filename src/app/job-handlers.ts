// The worker's jobs and sweeps, as runtime.ts registers them: each calls use-cases and reports what it
// did through `observe`, so the composition root only wires the queue, the timers and the metrics.
// (They live in app, not src/jobs: jobs/ is queue wiring and may not import app — see the architecture
// test's table.)
import {
  type AssistantReplyJob,
  type Enqueuer,
  JOBS,
  type WebhookCustomerJob,
  webhookCustomerKey,
} from '../jobs/queue.ts';
import { pendingCustomers } from '../storage/webhook-events.ts';
import { answerWithNotice, answerWithTrigger } from './assistant.ts';
import type { AppContext } from './context.ts';
import { type MessagingContext, outcomeLabel } from './messaging.ts';
import { recordExpiries } from './optins.ts';
import { type BackgroundProfiles, fillProfile, type ProfileSource } from './profiles.ts';
import { forgetSignInAttempts } from './sign-in.ts';
import { keyOf, processCustomersEvents } from './webhook-batch.ts';
import { pruneWebhookEvents } from './webhook-intake.ts';
import { processCustomerEvents } from './webhook-processing.ts';

export type WorkerContext = MessagingContext & { queue: Enqueuer; profiles: ProfileSource };

/** What the handlers report (the root turns it into metrics). */
export interface WorkerObserver {
  webhookEventsProcessed(n: number): void;
  botSend(outcome: string): void;
}

/** `webhook-customer`: apply one customer's pending events, then fetch a first-seen customer's name. */
export async function handleWebhookCustomer(
  ctx: WorkerContext,
  observe: WorkerObserver,
  job: WebhookCustomerJob,
): Promise<void> {
  const batch = await processCustomerEvents(ctx, job);
  observe.webhookEventsProcessed(batch.applied);
  await fillProfile(ctx, batch.page, job.psid, batch.customer);
}

/**
 * `webhook-customer`, a fetched batch at once: the customers' events applied together (webhook-batch.ts),
 * then each first-seen customer's name fetched — handed to `background` when given (the worker's: the
 * batch does not wait for Graph), else fetched here before the jobs complete. Answers each job's error
 * (undefined: done).
 */
export async function handleWebhookCustomers(
  ctx: WorkerContext,
  observe: WorkerObserver,
  jobs: readonly WebhookCustomerJob[],
  background?: BackgroundProfiles,
): Promise<Array<unknown | undefined>> {
  const outcomes = await processCustomersEvents(ctx, jobs);
  for (const o of outcomes.values()) {
    observe.webhookEventsProcessed(o.applied);
    // A job that found nothing pending (a customer's events stored while their job ran get a job of
    // their own, which may find them applied already, or a requeued customer): the profile was the
    // business of the job that applied them, and a nameless customer is asked again at their next event.
    if (o.error || o.applied === 0) continue;
    try {
      if (background) await background.add(o.page, o.job.psid, o.customer);
      else await fillProfile(ctx, o.page, o.job.psid, o.customer);
    } catch (e) {
      o.error = e;
    }
  }
  return jobs.map((j) => outcomes.get(keyOf(j))?.error);
}

/** `assistant-reply`: the chat assistant's answer (a trigger's blocks, or the R4f notice). */
export async function handleAssistantReply(
  ctx: WorkerContext,
  observe: WorkerObserver,
  job: AssistantReplyJob,
): Promise<void> {
  const outcomes =
    job.kind === 'trigger'
      ? await answerWithTrigger(ctx, job.workspaceId, job.customerId, job.triggerId)
      : [await answerWithNotice(ctx, job.workspaceId, job.customerId)];
  for (const o of outcomes) observe.botSend(outcomeLabel(o));
}

/** One round of the periodic sweeps. Each fails on its own; the next round tries again. */
export async function sweepOnce(ctx: AppContext, opts: { webhookRetentionDays: number }): Promise<void> {
  await recordExpiries(ctx).catch((e) => console.error('[expiry sweep]', e));
  await forgetSignInAttempts(ctx).catch((e) => console.error('[sign-in throttle sweep]', e));
  await pruneWebhookEvents(ctx, { days: opts.webhookRetentionDays }).catch((e) =>
    console.error('[webhook retention]', e),
  );
}

/** How often the worker sweeps for pending customers; also the window a customer is re-queued once in. */
export const PENDING_SWEEP_SECONDS = 15;

/**
 * Enqueues again the customers whose events are stored but not applied (a crash before their job ran,
 * or a job lost with its connection). `receivedBefore`: only events that should have been applied by then.
 * Under the customer's own key, so nothing is added for a customer whose job waits already (the queue
 * keeps one per key), and throttled to one job per sweep window, so every worker process sweeping the
 * same backlog adds one job per customer, not one each.
 */
export async function requeuePendingCustomers(
  ctx: AppContext & { queue: Enqueuer },
  receivedBefore?: Date,
): Promise<void> {
  for (const c of await pendingCustomers(ctx.db, 1000, receivedBefore)) {
    await ctx.queue.send(
      JOBS.webhookCustomer,
      { fbPageId: c.fb_page_id, psid: c.psid },
      {
        singletonKey: webhookCustomerKey({ fbPageId: c.fb_page_id, psid: c.psid }),
        singletonSeconds: PENDING_SWEEP_SECONDS,
      },
    );
  }
}
