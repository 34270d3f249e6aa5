// The paid route of bench:campaign (issue 14): a campaign on a `2026` page in VN, where the recurring
// route is closed, so every recipient goes as a paid marketing message (act_{id}/messages on the
// subscription token) through the dispatcher's paid branch (src/dispatcher/paid-batch.ts) and app's
// use case, one call per recipient, against the sandbox in this process (activation wait 0, so
// nothing is deferred on the frozen clock). Returns messages per second from start to `completed`.
import { connectAdAccount } from '../src/app/ad-accounts.ts';
import { campaignLifecycle, createCampaign, startCampaign } from '../src/app/campaigns.ts';
import { sendCampaignMessagePaid } from '../src/app/marketing-messages.ts';
import { GraphClient } from '../src/channel/graph-client.ts';
import { MarketingApi } from '../src/channel/marketing-api.ts';
import { startDispatcher } from '../src/dispatcher/dispatcher.ts';
import { SandboxClient2026 } from '../src/sandbox/client-2026.ts';
import { findCampaign } from '../src/storage/campaigns.ts';
import type { Storage } from '../src/storage/db.ts';
import { createDispatchStore } from '../src/storage/dispatch-store.ts';
import { createWorld, type RecipientSpec, seedDatabase, seedSandbox } from '../test/crash/world.ts';

export interface PaidResult {
  rate: number;
  seconds: number;
  sent: number;
}

export async function runPaid(storage: Storage, n: number): Promise<PaidResult> {
  const world = await createWorld(storage, { sandbox: true, rateLimitPerSecond: 0, profile: '2026' });
  const sandbox = world.sandbox!;
  sandbox.state.m2026.policy.activationWaitMs = 0;
  const specs: RecipientSpec[] = Array.from({ length: n }, (_, i) => ({
    topic: 'recurring',
    state: 'valid',
    firstName: `Khach${i}`,
  }));
  seedSandbox(sandbox, specs, world.clock.now());
  await seedDatabase(world, specs, 0, 3000);
  const url = await sandbox.listen(0);
  const graph = new GraphClient({ baseUrl: url, version: 'v24.0', rateLimitPerSecond: 1e9, connections: 32 });
  const ctx = { ...world.ctx, marketing: new MarketingApi(graph) };
  const account = await new SandboxClient2026(url).createAdAccount({ name: 'Bench ads' });
  await connectAdAccount(ctx, world.workspaceId, {
    adAccountId: account.adAccountId,
    accessToken: account.systemUserToken,
  });
  const c = await createCampaign(ctx, world.workspaceId, world.page.id, {
    name: 'bench paid',
    topicId: world.recurring.id,
    content: { type: 'text', text: 'Chào {{first_name|bạn}}, giảm 20% hôm nay!' },
    audience: {},
  });
  const t = performance.now();
  const dispatcher = startDispatcher(
    {
      store: createDispatchStore(storage.db),
      clock: world.clock,
      channel: { sendBatch: async () => Promise.reject(new Error('the free route is closed in VN on 2026')) },
      publicUrl: 'http://svc.test',
      lifecycle: campaignLifecycle({ db: storage.db, clock: world.clock }),
      paid: (req) => sendCampaignMessagePaid(ctx, req),
    },
    { concurrency: 2, batchSize: 500, pollMs: 20, materialisePage: 10_000 },
  );
  await startCampaign(ctx, world.workspaceId, c.id);
  dispatcher.kick();
  let done = c;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    done = (await findCampaign(storage.db, null, c.id))!;
    if (done.status !== 'running') break;
  }
  const seconds = (performance.now() - t) / 1000;
  await dispatcher.stop();
  await graph.close();
  await sandbox.close();
  if (done.status !== 'completed' || done.sent_count !== n) {
    throw new Error(
      `paid: campaign ended ${done.status} with ${done.sent_count}/${n} sent, ${done.skipped_count} skipped, ${done.failed_count} failed`,
    );
  }
  return { rate: n / seconds, seconds, sent: done.sent_count };
}
