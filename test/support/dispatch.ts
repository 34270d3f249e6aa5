// A campaign sent to its end by a real dispatcher over a test's storage: the loop the dispatcher tests
// share (start it, wait until the campaign is `completed`, stop it), with Meta's side passed in.
import * as campaigns from '../../src/app/campaigns.ts';
import type { AppContext } from '../../src/app/context.ts';
import { GraphClient } from '../../src/channel/graph-client.ts';
import { startDispatcher } from '../../src/dispatcher/dispatcher.ts';
import type { DispatchContext } from '../../src/dispatcher/store.ts';
import type { Storage } from '../../src/storage/db.ts';
import { createDispatchStore } from '../../src/storage/dispatch-store.ts';
import { createWorld, type RecipientSpec, seedDatabase, seedSandbox } from '../crash/world.ts';

/**
 * A world of `specs` (seeded in the database and in the sandbox, listening on loopback) with the
 * production Graph client pointed at it and the dispatcher's context over `storage`.
 */
export async function sandboxDispatchWorld(
  storage: Storage,
  specs: RecipientSpec[],
  opts: { pageId: string; rate?: number },
) {
  const w = await createWorld(storage, { pageId: opts.pageId, rateLimitPerSecond: opts.rate ?? 0 });
  seedSandbox(w.sandbox!, specs, w.clock.now(), 0);
  await seedDatabase(w, specs);
  const url = await w.sandbox!.listen(0);
  const graph = new GraphClient({
    baseUrl: url,
    version: 'v23.0',
    rateLimitPerSecond: 5000,
    backoff: { baseMs: 2, maxMs: 10 },
    timeoutMs: 2000,
  });
  const dctx = {
    store: createDispatchStore(storage.db),
    clock: w.clock,
    channel: graph,
    publicUrl: 'http://svc.test',
    lifecycle: campaigns.campaignLifecycle({ db: storage.db, clock: w.clock }),
  };
  const close = async () => {
    await graph.close();
    await w.sandbox!.close();
  };
  return { w, url, graph, dctx, close };
}

/** A promise a test opens by hand (`open()`), to hold one side of a race until the other is ready. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

/** Runs campaign `campaignId` of `w` until it completes (or 60 s pass) and returns it as the API reads it. */
export async function dispatchToEnd(
  storage: Storage,
  w: { ctx: AppContext; workspaceId: number },
  campaignId: number,
  meta: Pick<DispatchContext, 'channel' | 'paid'>,
  opts: { batchSize?: number } = {},
) {
  const clock = w.ctx.clock;
  const dispatcher = startDispatcher(
    {
      store: createDispatchStore(storage.db),
      clock,
      publicUrl: 'http://svc.test',
      lifecycle: campaigns.campaignLifecycle({ db: storage.db, clock }),
      ...meta,
    },
    { pollMs: 20, concurrency: 1, ...(opts.batchSize !== undefined && { batchSize: opts.batchSize }) },
  );
  try {
    const end = Date.now() + 60_000;
    let c = await campaigns.getCampaign(w.ctx, w.workspaceId, campaignId);
    while (c.status !== 'completed' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      c = await campaigns.getCampaign(w.ctx, w.workspaceId, campaignId);
    }
    return c;
  } finally {
    await dispatcher.stop();
  }
}

/** A text campaign to everyone on `topicId` of the page, created and started as an admin would. */
export async function startTextCampaign(
  w: { ctx: AppContext; workspaceId: number; page: { id: number } },
  topicId: number,
  content: { name: string; text: string },
) {
  const created = await campaigns.createCampaign(w.ctx, w.workspaceId, w.page.id, {
    name: content.name,
    topicId,
    content: { type: 'text', text: content.text },
    audience: {},
  });
  await campaigns.command(w.ctx, w.workspaceId, created.id, { type: 'start' });
  return created;
}
