// A stored event whose application throws must not hold back its customer's later events for ever:
// it is retried, and after MAX_EVENT_ATTEMPTS failures it is marked failed (kept) and the rest applied.
// And the sweep that re-queues customers with pending events queues each once, however many workers run it.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/support/backends.ts';
import {
  HOUR,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { useQueueWorld } from '../../test/support/queue-world.ts';
import { JOBS, type WebhookCustomerJob } from '../jobs/queue.ts';
import { storeEvents } from '../storage/webhook-events.ts';
import { handleWebhookCustomer, requeuePendingCustomers } from './job-handlers.ts';
import { isTransient, MAX_EVENT_ATTEMPTS } from './webhook-processing.ts';

describe.each(BACKENDS)('poison webhook events on %s', (backend) => {
  const world = useQueueWorld(backend, 'poison');

  it('trust: R3a a poison event is marked failed after MAX_EVENT_ATTEMPTS and the later opt-in is applied', async () => {
    const w = await seedWorkspace(world.storage);
    const topic = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
    const c = await seedCustomer(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id });
    const payload = await seedInvitation(
      w.ctx,
      { workspaceId: w.workspaceId, pageId: w.page.id },
      c.id,
      topic.id,
    );
    const t = w.clock.now().getTime();
    const who = { sender: { id: c.psid }, recipient: { id: w.page.fb_page_id } };
    // A NUL character parses as JSON but PostgreSQL refuses it in text and jsonb: applying it throws.
    const poison = { ...who, timestamp: t + 1, message: { mid: `m-poison-${c.psid}`, text: 'a\u0000b' } };
    const optin = {
      ...who,
      timestamp: t + 2,
      optin: {
        type: 'notification_messages',
        notification_messages_token: 'tok-poison-1',
        notification_messages_frequency: 'WEEKLY',
        payload,
        title: topic.title,
        token_expiry_timestamp: t + 180 * 24 * HOUR,
      },
    };
    await storeEvents(
      world.storage.db,
      [
        {
          fbPageId: w.page.fb_page_id,
          psid: c.psid,
          kind: 'message',
          idempotencyKey: `poison-${c.psid}-0`,
          eventAt: new Date(t + 1),
          body: poison,
        },
        {
          fbPageId: w.page.fb_page_id,
          psid: c.psid,
          kind: 'optin_recurring',
          idempotencyKey: `poison-${c.psid}-1`,
          eventAt: new Date(t + 2),
          body: optin,
        },
      ],
      w.clock.now(),
    );
    const ctx = {
      db: world.storage.db,
      clock: w.clock,
      queue: world.queue,
      channel: world.graph,
      profiles: world.graph,
    };
    const processed: number[] = [];
    const observe = { webhookEventsProcessed: (n: number) => processed.push(n), botSend: () => undefined };
    const job = { fbPageId: w.page.fb_page_id, psid: c.psid };
    const rows = () =>
      world.storage.db
        .selectFrom('webhook_events')
        .select(['outcome', 'attempts', 'processed_at'])
        .where('psid', '=', c.psid)
        .orderBy('event_at')
        .execute();

    // Each job run before the bound fails (so pg-boss retries it) and leaves both events pending.
    for (let i = 1; i < MAX_EVENT_ATTEMPTS; i++) {
      await expect(handleWebhookCustomer(ctx, observe, job)).rejects.toThrow();
      expect(await rows()).toEqual([
        { outcome: null, attempts: i, processed_at: null },
        { outcome: null, attempts: 0, processed_at: null },
      ]);
    }
    await handleWebhookCustomer(ctx, observe, job);

    const [bad, good] = await rows();
    expect(bad?.outcome).toMatch(/^failed:\w+/);
    expect(bad?.attempts).toBe(MAX_EVENT_ATTEMPTS);
    expect(bad?.processed_at).not.toBeNull();
    expect(good?.outcome).toBe('accepted');
    expect(processed).toEqual([1]);
    const sub = await world.storage.db
      .selectFrom('subscriptions')
      .select('token')
      .where('customer_id', '=', c.id)
      .where('topic_id', '=', topic.id)
      .executeTakeFirst();
    expect(sub).toBeDefined();
  });

  it('trust: the pending sweep run by every worker in one window queues one job per customer', async () => {
    const w = await seedWorkspace(world.storage);
    const c = await seedCustomer(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id });
    const at = w.clock.now().getTime();
    await storeEvents(
      world.storage.db,
      [
        {
          fbPageId: w.page.fb_page_id,
          psid: c.psid,
          kind: 'message',
          idempotencyKey: `sweep-${c.psid}`,
          eventAt: new Date(at),
          body: {
            sender: { id: c.psid },
            recipient: { id: w.page.fb_page_id },
            timestamp: at,
            message: { mid: `m-sweep-${c.psid}`, text: 'hi' },
          },
        },
      ],
      w.clock.now(),
    );
    const ctx = { db: world.storage.db, clock: w.clock, queue: world.queue };
    const sweeps = 3;
    // Three workers' sweeps, one after another (no worker here takes the jobs, so they stay queued).
    for (let i = 0; i < sweeps; i++) await requeuePendingCustomers(ctx);

    const data: WebhookCustomerJob = { fbPageId: w.page.fb_page_id, psid: c.psid };
    const queued = await world.queue.boss.findJobs(JOBS.webhookCustomer, { data, queued: true });
    // One job per window (pg-boss's clock, not ours): the sweeps may straddle one window's end, never two.
    const windows = new Set(queued.map((j) => j.singletonOn?.getTime()));
    expect(queued.length).toBeGreaterThanOrEqual(1);
    expect(queued.length).toBeLessThan(sweeps);
    expect(windows.size).toBe(queued.length);
    expect(queued.every((j) => j.singletonOn)).toBe(true);
  });
});

describe('what counts as an attempt against an event', () => {
  it('trust: a lost connection or a deadlock is not counted; a constraint or a bug is', () => {
    const pg = (code: string) => Object.assign(new Error('db'), { code });
    expect(isTransient(pg('08006'))).toBe(true);
    expect(isTransient(pg('40P01'))).toBe(true);
    expect(isTransient(pg('57P01'))).toBe(true);
    expect(isTransient(pg('ECONNRESET'))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(pg('22021'))).toBe(false);
    expect(isTransient(pg('23505'))).toBe(false);
    expect(isTransient(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });
});
