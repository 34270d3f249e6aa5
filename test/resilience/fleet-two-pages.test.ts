// Issue 12.5: one worker fleet for every page of every workspace. The service and three `renotify
// worker` processes on one PostgreSQL database run two busy campaigns at once — one on the page the
// single-page shortcut connects, one on a second workspace's page connected through
// app/page-connections.ts. Every eligible recipient of both is sent exactly once (R9d), and each page's
// Graph calls stay within its limit, by the sandbox's own count.
//
// The sandbox refuses a call over the limit with 613, as Meta does, rather than only counting it: it
// counts on its own event loop, and on a loaded machine a stalled sandbox (or sender) bunches calls
// that were sent in time (a CI run with a second one beside it once saw 380 in a second). What the
// fleet controls is measured as the share of calls refused: none on a quiet machine, a fraction of a
// percent under load, and most of them if the processes did not share the page's limit.
import { afterAll, describe, expect, it } from 'vitest';
import { createCampaign, startCampaign } from '../../src/app/campaigns.ts';
import { connectPage } from '../../src/app/page-connections.ts';
import { createTopic } from '../../src/app/topics.ts';
import { LIMITS } from '../../src/domain/platform.ts';
import { DEFAULT_PAGE } from '../../src/sandbox/index.ts';
import { findCampaign } from '../../src/storage/campaigns.ts';
import { insertWorkspace } from '../../src/storage/pages.ts';
import { type RecipientSpec, seedDatabase, seedSandbox, type World } from '../crash/world.ts';
import { waitFor } from '../e2e/harness.ts';
import { hasPostgres } from '../support/backends.ts';
import { type Deployment, deployment, running, startService, startWorker } from './deployment.ts';

const N = 1_500;
/** Share of a page's calls the sandbox may refuse (see the header). */
const REFUSED_AT_MOST = 0.01;
const PAGE_2 = '300000000000002';
let d: Deployment | null = null;
afterAll(async () => {
  await d?.close();
});

async function secondShop(d: Deployment, specs: RecipientSpec[]): Promise<World> {
  const { ctx, sandbox } = d.world;
  const sim = sandbox!.addPage({ id: PAGE_2, name: 'Shop two', profile: 'legacy-2022' });
  sim.rateLimitPerSecond = LIMITS.callsPerSecond; // as Meta: refused over the limit (613)
  const workspaceId = await insertWorkspace(ctx.db, 'Shop two', ctx.clock.now());
  const { page } = await connectPage(ctx, workspaceId, {
    fbPageId: PAGE_2,
    name: 'Shop two',
    accessToken: sim.accessToken,
    profile: 'legacy-2022',
  });
  const otn = await createTopic(ctx, workspaceId, page.id, { name: 'Back', kind: 'one_time', title: 'Back' });
  const world: World = { ...d.world, workspaceId, page, otn };
  seedSandbox(sandbox!, specs, d.world.clock.now(), N, PAGE_2);
  await seedDatabase(world, specs, N);
  return world;
}

async function start(world: World, name: string): Promise<number> {
  const c = await createCampaign(world.ctx, world.workspaceId, world.page.id, {
    name,
    topicId: world.otn.id,
    content: { type: 'text', text: 'Chào {{first_name}}' },
    audience: {},
  });
  await startCampaign(world.ctx, world.workspaceId, c.id);
  return c.id;
}

describe.skipIf(!hasPostgres())('one worker fleet for every page (issue 12.5)', () => {
  it('trust: service + three workers, two busy pages of two workspaces: all sent once, each page under its limit', {
    timeout: 400_000,
  }, async () => {
    d = await deployment(N, { sandboxRate: LIMITS.callsPerSecond });
    const specs2: RecipientSpec[] = Array.from({ length: N }, (_, i) => ({
      topic: 'otn',
      state: i % 10 === 7 ? 'used' : 'valid',
      firstName: `Khach2_${i}`,
    }));
    const world2 = await secondShop(d, specs2);
    const env = { ...d.env, GRAPH_RATE_LIMIT: String(LIMITS.callsPerSecond) };
    const procs = await Promise.all([
      startService(env),
      startWorker(env),
      startWorker(env),
      startWorker(env),
    ]);
    const ids = [await start(d.world, 'page one'), await start(world2, 'page two')];
    const done = async () => {
      const cs = await Promise.all(ids.map((id) => findCampaign(d!.storage.db, null, id)));
      return cs.every((c) => c?.status === 'completed') || !procs.every(running);
    };
    await waitFor(done, { what: 'both campaigns completed', timeoutMs: 300_000, intervalMs: 500 });
    expect(procs.every(running)).toBe(true);

    const sends = new Map<string, number>();
    for (const r of d.world.sandbox!.state.received) sends.set(r.psid, (sends.get(r.psid) ?? 0) + 1);
    const eligible = [
      ...d.specs.map((s, i) => (s.state === 'valid' ? `psid-${i}` : null)),
      ...specs2.map((s, i) => (s.state === 'valid' ? `psid-${N + i}` : null)),
    ].filter((p): p is string => p !== null);
    expect(eligible.filter((p) => sends.get(p) !== 1)).toEqual([]);
    const all = [...sends.entries()].filter(([p]) => p.startsWith('psid-'));
    expect(all.length).toBe(eligible.length);
    for (const id of ids) {
      const c = (await findCampaign(d.storage.db, null, id))!;
      expect(c.sent_count).toBe(eligible.filter((p) => Number(p.slice(5)) < N === (id === ids[0])).length);
    }
    const limiter = d.world.sandbox!.core.limiter;
    const onPageOne = eligible.filter((p) => Number(p.slice(5)) < N).length;
    for (const [pageId, sent] of [
      [DEFAULT_PAGE.id, onPageOne],
      [PAGE_2, eligible.length - onPageOne],
    ] as const) {
      const { admitted, refused } = limiter.counts(pageId);
      console.log(
        `[fleet] page ${pageId}, service + 3 workers: peak ${limiter.peak(pageId)} calls in one second; ${admitted} admitted, ${refused} refused (613)`,
      );
      expect(admitted).toBeGreaterThanOrEqual(sent);
      expect(refused).toBeLessThanOrEqual(admitted * REFUSED_AT_MOST);
    }
  });
});
