// R14d: the marketing_message_* webhooks, received through the real intake (signed), walk paid sends
// through the funnel; statistics show cost per delivered, read and click. A page's webhook never
// touches another workspace's sends.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  recurringTopic,
  seedSubscriber,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { type MarketingGraph, startMarketingGraph } from '../../test/support/marketing-graph.ts';
import { textMessage } from '../channel/index.ts';
import type { Enqueuer } from '../jobs/queue.ts';
import type { Storage } from '../storage/db.ts';
import { connectAdAccount } from './ad-accounts.ts';
import { sendPaidMessage } from './marketing-messages.ts';
import { paidStats } from './marketing-stats.ts';
import { WebhookIntake } from './webhook-intake.ts';

const SECRET = 'app-secret-for-tests';

/** Records the jobs the intake enqueues (marketing changes enqueue none). */
class JobLog implements Enqueuer {
  jobs: object[] = [];
  async send(_name: string, data: object) {
    this.jobs.push(data);
  }
  async sendMany(_name: string, data: object[]) {
    this.jobs.push(...data);
  }
}

describe.each(BACKENDS)('marketing webhooks and paid statistics on %s', (backend) => {
  let storage: Storage;
  let meta: MarketingGraph;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
    meta = await startMarketingGraph();
  });
  afterAll(async () => {
    await meta?.close();
    await storage?.close();
  });

  async function paidWorld(customers: number) {
    const w = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    const ctx = { ...w.ctx, marketing: meta.marketing };
    const topic = await seedTopic(ctx, w.workspaceId, w.page.id, recurringTopic());
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    await connectAdAccount(ctx, w.workspaceId, {
      adAccountId: `${w.workspaceId}77`,
      accessToken: 'system-user-token',
    });
    const people = [];
    for (let i = 0; i < customers; i++) {
      people.push(
        await seedSubscriber(ctx, { ...scope, fbPageId: w.page.fb_page_id }, topic.id, (id) => `mm-${id}`),
      );
    }
    w.clock.advance(8 * DAY);
    const sent = [];
    for (const c of people) {
      const r = await sendPaidMessage(ctx, {
        workspaceId: w.workspaceId,
        customerId: c.id,
        topicId: topic.id,
        sender: 'campaign',
        message: textMessage('Flash sale'),
      });
      if (!r.ok) throw new Error(`paid send refused: ${r.reason}`);
      sent.push({ customer: c, trackingId: r.trackingId!, token: `mm-${c.id}` });
    }
    return { ...w, ctx, topic, sent };
  }

  function deliver(ctx: ConstructorParameters<typeof WebhookIntake>[0], body: object) {
    const raw = Buffer.from(JSON.stringify(body));
    const signature = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
    return new WebhookIntake(ctx).accept({ raw, signature, body, appSecret: SECRET });
  }

  const change = (pageId: string, field: string, value: Record<string, unknown>) => ({
    object: 'page',
    entry: [
      { id: pageId, time: 1_790_000_000_000, changes: [{ field, value: { page_id: pageId, ...value } }] },
    ],
  });

  it('R14d: delivered, read and clicked webhooks fill the funnel; cost per delivered, read and click', async () => {
    const w = await paidWorld(2);
    const queue = new JobLog();
    const ctx = { ...w.ctx, queue };
    const [a, b] = w.sent;
    const ts = Math.floor(w.clock.now().getTime() / 1000);
    for (const s of w.sent) {
      const r = await deliver(
        ctx,
        change(w.page.fb_page_id, 'marketing_message_deliveries', {
          marketing_message_tracking_id: s.trackingId,
          messenger_subscription_token: s.token,
          timestamp: ts,
        }),
      );
      expect(r.status).toBe('accepted');
    }
    await deliver(
      ctx,
      change(w.page.fb_page_id, 'marketing_message_reads', {
        marketing_message_tracking_id: a!.trackingId,
        messenger_subscription_token: a!.token,
        timestamp: ts,
      }),
    );
    // Clicks carry no tracking id: the token (and Meta's message id) name the send.
    await deliver(
      ctx,
      change(w.page.fb_page_id, 'marketing_message_clicks', {
        messenger_subscription_token: a!.token,
        timestamp: ts,
      }),
    );
    // A retried delivery changes nothing.
    await deliver(
      ctx,
      change(w.page.fb_page_id, 'marketing_message_clicks', {
        messenger_subscription_token: a!.token,
        timestamp: ts,
      }),
    );
    expect(b).toBeDefined();
    const stats = await paidStats(w.ctx, w.workspaceId, { topicId: w.topic.id });
    expect(stats).toEqual({
      sent: 2,
      delivered: 2,
      read: 1,
      clicked: 1,
      failed: 0,
      costMinor: 2000,
      perDeliveredMinor: 1000,
      perReadMinor: 2000,
      perClickMinor: 2000,
    });
    expect(queue.jobs).toEqual([]);
  });

  it('R14d: a delivery failure is not charged and frees its budget', async () => {
    const w = await paidWorld(1);
    const [a] = w.sent;
    await deliver(
      { ...w.ctx, queue: new JobLog() },
      change(w.page.fb_page_id, 'marketing_message_delivery_failed', {
        messenger_subscription_token: a!.token,
        error_message: 'Unknown Error',
        timestamp: Math.floor(w.clock.now().getTime() / 1000),
      }),
    );
    const stats = await paidStats(w.ctx, w.workspaceId, { topicId: w.topic.id });
    expect(stats).toMatchObject({ sent: 1, delivered: 0, failed: 1, costMinor: 0, perDeliveredMinor: null });
  });

  it("tenancy: another workspace's page cannot move this workspace's sends, even naming their tracking id", async () => {
    const mine = await paidWorld(1);
    const other = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    const [a] = mine.sent;
    await deliver(
      { ...mine.ctx, queue: new JobLog() },
      change(other.page.fb_page_id, 'marketing_message_deliveries', {
        marketing_message_tracking_id: a!.trackingId,
        messenger_subscription_token: a!.token,
      }),
    );
    // The value naming another page than its entry is refused too.
    await deliver(
      { ...mine.ctx, queue: new JobLog() },
      {
        object: 'page',
        entry: [
          {
            id: other.page.fb_page_id,
            changes: [
              {
                field: 'marketing_message_deliveries',
                value: { page_id: mine.page.fb_page_id, marketing_message_tracking_id: a!.trackingId },
              },
            ],
          },
        ],
      },
    );
    expect(await paidStats(mine.ctx, mine.workspaceId, { topicId: mine.topic.id })).toMatchObject({
      sent: 1,
      delivered: 0,
    });
  });
});
