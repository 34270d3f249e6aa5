// Sending while the audience is still being copied (issue 13): a loop that finds the copy held by another
// loop or process sends from the rows already copied instead of polling for the lock, and the campaign
// completes only once the whole audience is copied — each recipient once, nobody dropped (R9d).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecipientSpec } from '../../test/crash/world.ts';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { gate, sandboxDispatchWorld } from '../../test/support/dispatch.ts';
import * as app from '../app/campaigns.ts';
import type { Storage } from '../storage/db.ts';
import type { CampaignRow } from '../storage/schema.ts';
import { startDispatcher } from './dispatcher.ts';

const PAGE = 5;
const N = 30;

describe.each(BACKENDS)('campaign sending overlaps the audience copy on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend, { poolSize: 8 });
  });
  afterAll(async () => storage?.close());

  async function setup() {
    const specs: RecipientSpec[] = Array.from({ length: N }, () => ({ topic: 'otn', state: 'valid' }));
    const { w, dctx, close } = await sandboxDispatchWorld(storage, specs, {
      pageId: `78${Date.now() % 1_000_000}`,
    });
    const c = await app.createCampaign(w.ctx, w.workspaceId, w.page.id, {
      name: `overlap-${Date.now()}`,
      topicId: w.otn.id,
      content: { type: 'text', text: 'Chào {{first_name|bạn}}!' },
      audience: {},
    });
    await app.startCampaign(w.ctx, w.workspaceId, c.id);
    const get = () => app.getCampaign(w.ctx, w.workspaceId, c.id);
    const until = async (done: (x: CampaignRow) => boolean) => {
      for (const end = Date.now() + 20_000; ; ) {
        const x = await get();
        if (done(x)) return x;
        if (Date.now() > end) throw new Error(`campaign ${c.id} stuck: ${x.status}, ${x.sent_count} sent`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return { w, c, dctx, get, until, close };
  }

  it('R9d: small copy steps, two loops: completes only with the whole audience, each recipient once', async () => {
    const t = await setup();
    const d = startDispatcher(t.dctx, { concurrency: 2, batchSize: 4, pollMs: 10, materialisePage: PAGE });
    try {
      const done = await t.until((x) => x.status !== 'running');
      expect(done.status).toBe('completed');
      expect(done.materialized).toBe(true);
      expect(done.targeted).toBe(N);
      expect(done.sent_count).toBe(N);
      const psids = t.w.sandbox!.state.received.map((r) => r.psid);
      expect(psids).toHaveLength(N);
      expect(new Set(psids).size).toBe(N);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  // Another process copying the audience is a session holding the campaign row: PostgreSQL only
  // (PGlite is one session in one process).
  it.skipIf(backend === 'pglite')(
    'R9d: while another session holds the copy, the rows already copied are sent; the rest after it',
    async () => {
      const t = await setup();
      // The first page copied, then the campaign row held as a materialising process would hold it.
      expect(await t.dctx.store.materialiseNext(t.c.id, PAGE, t.w.clock.now())).toBe(true);
      const released = gate();
      const locked = gate();
      const holder = storage.db.transaction().execute(async (tx) => {
        await tx.selectFrom('campaigns').select('id').where('id', '=', t.c.id).forUpdate().execute();
        locked.open();
        await released.opened;
      });
      await locked.opened;
      const d = startDispatcher(t.dctx, {
        concurrency: 2,
        batchSize: 4,
        pollMs: 10,
        materialisePage: PAGE,
      });
      try {
        const first = await t.until((x) => x.sent_count === PAGE);
        expect(first.status).toBe('running');
        expect(first.materialized).toBe(false);
        await new Promise((r) => setTimeout(r, 100)); // loops polling meanwhile do not complete it
        const still = await t.get();
        expect(still.status).toBe('running');
        expect(still.sent_count).toBe(PAGE);
        released.open();
        await holder;
        const done = await t.until((x) => x.status !== 'running');
        expect(done.status).toBe('completed');
        expect(done.targeted).toBe(N);
        expect(done.sent_count).toBe(N);
        const psids = t.w.sandbox!.state.received.map((r) => r.psid);
        expect(new Set(psids).size).toBe(N);
        expect(psids).toHaveLength(N);
      } finally {
        released.open();
        await holder.catch(() => {});
        await d.stop();
        await t.close();
      }
    },
  );
});
