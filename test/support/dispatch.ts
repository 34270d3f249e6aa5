// A campaign sent to its end by a real dispatcher over a test's storage: the loop the dispatcher tests
// share (start it, wait until the campaign is `completed`, stop it), with Meta's side passed in.
import * as campaigns from '../../src/app/campaigns.ts';
import type { AppContext } from '../../src/app/context.ts';
import { startDispatcher } from '../../src/dispatcher/dispatcher.ts';
import type { DispatchContext } from '../../src/dispatcher/store.ts';
import type { Storage } from '../../src/storage/db.ts';
import { createDispatchStore } from '../../src/storage/dispatch-store.ts';

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
