// R14d/R9d on the paid route: a campaign on a 2026/VN page goes out as paid marketing messages through
// the dispatcher's paid branch; with a budget it stops at the budget and every recipient ends sent or
// skipped with the reason (budget_exhausted). Meta's Marketing API is the scripted loopback server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { dispatchToEnd, startTextCampaign } from '../../test/support/dispatch.ts';
import {
  DAY,
  otnTopic,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedOptIn,
  seedSubscriber,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { type MarketingGraph, startMarketingGraph } from '../../test/support/marketing-graph.ts';
import { connectAdAccount } from '../app/ad-accounts.ts';
import * as campaigns from '../app/campaigns.ts';
import { setCampaignBudget } from '../app/marketing-estimates.ts';
import { sendCampaignMessagePaid } from '../app/marketing-messages.ts';
import type { BatchItem } from '../channel/index.ts';
import type { Storage } from '../storage/db.ts';

describe.each(BACKENDS)('the paid branch of the dispatcher on %s', (backend) => {
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

  it('R14d/R9d: a campaign with a budget for 2 messages sends 2 and skips the 3rd as budget_exhausted', async () => {
    const w = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    const ctx = { ...w.ctx, marketing: meta.marketing };
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(ctx, w.workspaceId, w.page.id, recurringTopic());
    for (let i = 0; i < 3; i++) {
      await seedSubscriber(ctx, { ...scope, fbPageId: w.page.fb_page_id }, topic.id, (id) => `cmp-${id}`);
    }
    await connectAdAccount(ctx, w.workspaceId, {
      adAccountId: `${w.workspaceId}55`,
      accessToken: 'system-user-token',
    });
    w.clock.advance(8 * DAY);
    const created = await campaigns.createCampaign(ctx, w.workspaceId, w.page.id, {
      name: 'Paid sale',
      topicId: topic.id,
      content: { type: 'text', text: 'Chào {{first_name|bạn}}, giảm 20%!' },
      audience: {},
    });
    await setCampaignBudget(ctx, w.workspaceId, created.id, 2500);
    await campaigns.command(ctx, w.workspaceId, created.id, { type: 'start' });
    const c = await dispatchToEnd(storage, { ctx, workspaceId: w.workspaceId }, created.id, {
      channel: { sendBatch: async () => expect.fail('the free route must not be used on a 2026/VN page') },
      paid: (req) => sendCampaignMessagePaid(ctx, req),
    });
    expect(c).toMatchObject({ status: 'completed', sent_count: 2, skipped_count: 1, failed_count: 0 });
    const rows = await campaigns.campaignDeliveries(ctx, w.workspaceId, created.id, {});
    expect(rows.map((d) => `${d.status}:${d.reason}`).sort()).toEqual([
      'sent:null',
      'sent:null',
      'skipped:budget_exhausted',
    ]);
    const sends = meta.calls('/messages').filter((q) => q.path.includes(`act_${w.workspaceId}55`));
    expect(sends).toHaveLength(2);
    expect((sends[0]!.body as { message: unknown }).message).toMatchObject({
      text: expect.stringMatching(/giảm 20%/),
    });
  });
  it("R12e/R12f: on the same 2026/VN page a one-time topic's campaign spends its OTN tokens on the free route, never paid", async () => {
    const w = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    const ctx = { ...w.ctx, marketing: meta.marketing };
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(ctx, w.workspaceId, w.page.id, otnTopic());
    const c = await seedCustomer(ctx, scope);
    const payload = await seedInvitation(ctx, scope, c.id, topic.id, 'bot');
    await seedOptIn(ctx, w.page.fb_page_id, {
      psid: c.psid,
      kind: 'one_time',
      payload,
      token: 'otn-dispatch-1',
    });
    await connectAdAccount(ctx, w.workspaceId, {
      adAccountId: `${w.workspaceId}56`,
      accessToken: 'system-user-token',
    });
    w.clock.advance(8 * DAY);
    const created = await startTextCampaign({ ...w, ctx }, topic.id, {
      name: 'Back in stock',
      text: 'Size M is back',
    });
    const sent: BatchItem[] = [];
    const camp = await dispatchToEnd(storage, { ctx, workspaceId: w.workspaceId }, created.id, {
      channel: {
        sendBatch: async (_page, items) => {
          sent.push(...items);
          return items.map((_, i) => ({
            ok: true as const,
            messageId: `m-otn-${i}`,
            recipientId: c.psid,
            attempts: 1,
          }));
        },
      },
      paid: async () => expect.fail('an OTN topic must not go as a paid marketing message'),
    });
    expect(camp).toMatchObject({ status: 'completed', sent_count: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.plan.recipient).toEqual({ one_time_notif_token: 'otn-dispatch-1' });
    expect(meta.calls('/messages').filter((q) => q.path.includes(`act_${w.workspaceId}56`))).toHaveLength(0);
  });
});
