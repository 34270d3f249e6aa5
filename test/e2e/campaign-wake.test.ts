// Issue 11 item 3: starting a campaign wakes the dispatcher; it does not wait for a poll. The service
// (HTTP, no worker in it) and a worker runtime share one database and one queue schema, as `npm start`
// and `renotify worker` do on PostgreSQL (on PGlite both share the in-process database). The worker's
// dispatcher looks for work by itself only every 60 s; the test gives the campaign at most 30 s from
// its start. So the campaign completing proves the start reached the other runtime through the
// `campaign-wake` job (no timed assertion: the test's own timeout is the bound).
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/accounts.ts';
import { createCampaign } from '../../src/app/campaigns.ts';
import { loadConfig } from '../../src/config.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { DEFAULT_PAGE } from '../../src/sandbox/index.ts';
import { findCampaign } from '../../src/storage/campaigns.ts';
import type { Storage } from '../../src/storage/db.ts';
import {
  createWorld,
  type RecipientSpec,
  seedDatabase,
  seedSandbox,
  T0,
  type World,
} from '../crash/world.ts';
import { BACKENDS, openTestStorage } from '../support/backends.ts';

const N = 30;
const SAFETY_POLL_IN_TEST_MS = 60_000;

describe.each(BACKENDS)('campaign wake across runtimes on %s', (backend) => {
  let storage: Storage;
  let world: World;
  const runtimes: Runtime[] = [];
  let service: Runtime;

  beforeAll(async () => {
    storage = await openTestStorage(backend);
    world = await createWorld(storage, { rateLimitPerSecond: 0 });
    const specs: RecipientSpec[] = Array.from({ length: N }, (_, i) => ({
      topic: 'otn',
      state: 'valid',
      firstName: `Khach${i}`,
    }));
    seedSandbox(world.sandbox!, specs, T0);
    await seedDatabase(world, specs);
    const sandboxUrl = await world.sandbox!.listen(0);
    // Live mode against the sandbox: both runtimes use the page the world created.
    const config = {
      ...loadConfig({
        FB_PAGE_ACCESS_TOKEN: DEFAULT_PAGE.accessToken,
        FB_PAGE_ID: DEFAULT_PAGE.id,
        FB_APP_SECRET: DEFAULT_PAGE.appSecret,
        FB_VERIFY_TOKEN: 'wake-verify',
        GRAPH_BASE_URL: sandboxUrl,
        PAGE_PROFILE: 'legacy-2022',
      }),
      port: 0,
      host: '127.0.0.1',
    };
    const queueSchema = `pgboss_wake_${randomBytes(4).toString('hex')}`;
    service = await startRuntime({ config, storage, queueSchema, worker: false });
    runtimes.push(service);
    let idle!: () => void;
    const workerIdle = new Promise<void>((resolve) => {
      idle = resolve;
    });
    runtimes.push(
      await startRuntime({
        config,
        storage,
        queueSchema,
        web: false,
        dispatcher: { concurrency: 1, pollMs: SAFETY_POLL_IN_TEST_MS, onIdle: () => idle() },
      }),
    );
    // The worker's dispatcher has looked once, found nothing, and sleeps for its 60 s.
    await workerIdle;
  }, 180_000);

  afterAll(async () => {
    for (const rt of runtimes.reverse()) await rt.close();
    await world?.sandbox?.close();
    await storage?.close();
  });

  it('R9e: a campaign started through the service is sent by the worker runtime at once, not at its 60 s poll', {
    timeout: SAFETY_POLL_IN_TEST_MS / 2,
  }, async () => {
    const c = await createCampaign(world.ctx, world.workspaceId, world.page.id, {
      name: 'wake',
      topicId: world.otn.id,
      content: { type: 'text', text: 'Chào {{first_name}}' },
      audience: {},
    });
    const { key } = await createApiKey(service.ctx, world.workspaceId, { name: 'wake', role: 'admin' }, null);
    const res = await request(`${service.url}/api/campaigns/${c.id}/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();

    for (;;) {
      const row = (await findCampaign(storage.db, null, c.id))!;
      if (row.status === 'completed') {
        expect(row.sent_count).toBe(N);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const received = world.sandbox!.state.received.filter((r) => r.psid.startsWith('psid-'));
    expect(new Set(received.map((r) => r.psid)).size).toBe(N);
    expect(received).toHaveLength(N);
  });
});
