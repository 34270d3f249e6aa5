// Campaigns end to end against the real sandbox on loopback: dry run vs run (R9c/R9d), OTN use (R7c),
// cooldown skip vs defer (R8b), personalisation (R9b), pause / resume / cancel / schedule (R9e),
// automatic pauses (too many errors; R11b restricted page) and R11a on the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedSpecs, type RecipientSpec, type World } from '../../test/crash/world.ts';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { sandboxDispatchWorld } from '../../test/support/dispatch.ts';
import * as app from '../app/campaigns.ts';
import { SandboxClient } from '../sandbox/index.ts';
import type { Storage } from '../storage/db.ts';
import type { CampaignRow } from '../storage/schema.ts';
import { startDispatcher } from './dispatcher.ts';

let seq = 0;

describe.each(BACKENDS)('campaign dispatch on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend, { poolSize: 8 });
  });
  afterAll(async () => storage?.close());

  async function world(specs: RecipientSpec[], opts: { rate?: number } = {}) {
    const t = await sandboxDispatchWorld(storage, specs, {
      pageId: `77${++seq}${Date.now() % 100000}`,
      ...(opts.rate !== undefined && { rate: opts.rate }),
    });
    return { ...t, sb: new SandboxClient(t.url, t.w.page.fb_page_id) };
  }

  async function campaign(w: World, topic: 'otn' | 'recurring', over: Partial<app.CreateCampaign> = {}) {
    return app.createCampaign(w.ctx, w.workspaceId, w.page.id, {
      name: `C${++seq}`,
      topicId: (topic === 'otn' ? w.otn : w.recurring).id,
      content: { type: 'text', text: 'Chào {{first_name|bạn}}, hàng đã về!' },
      audience: {},
      ...over,
    });
  }

  async function until(
    w: World,
    id: number,
    done: (c: CampaignRow) => boolean,
    ms = 30_000,
  ): Promise<CampaignRow> {
    const end = Date.now() + ms;
    for (;;) {
      const c = await app.getCampaign(w.ctx, w.workspaceId, id);
      if (done(c)) return c;
      if (Date.now() > end) throw new Error(`campaign ${id} stuck in ${c.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const settled = (c: CampaignRow) =>
    c.status === 'completed' || c.status === 'paused' || c.status === 'cancelled';

  it('R9c/R9d/R11a: the dry run counts per reason are what the run does; each recipient once, never tagged', async () => {
    const specs = mixedSpecs(300);
    const t = await world(specs);
    const d = startDispatcher(t.dctx, { concurrency: 2, batchSize: 40, pollMs: 20 });
    try {
      for (const topic of ['otn', 'recurring'] as const) {
        const c = await campaign(t.w, topic);
        const dry = await app.dryRun(t.w.ctx, t.w.workspaceId, c.id);
        expect(dry.audience).toBe(150);
        await app.startCampaign(t.w.ctx, t.w.workspaceId, c.id);
        const done = await until(t.w, c.id, settled);
        expect(done.status).toBe('completed');
        const p = await app.campaignProgress(t.w.ctx, done);
        expect(p.counts.sent).toBe(dry.reachable);
        expect(done.sent_count).toBe(dry.reachable);
        const skipped = Object.fromEntries(
          Object.entries(p.reasons)
            .filter(([k]) => k.startsWith('skipped:'))
            .map(([k, n]) => [k.slice(8), n]),
        );
        expect(skipped).toEqual(dry.skipped);
        expect(p.counts.sent + p.counts.failed + p.counts.skipped).toBe(done.targeted);
        expect(p.counts.failed).toBe(0);
        expect(dry.estimatedSeconds).toBe(Math.ceil(dry.reachable / 300));
      }
      const received = t.w.sandbox!.state.received;
      expect(new Set(received.map((r) => r.psid)).size).toBe(received.length);
      expect(received.every((r) => r.tag === null && r.messaging_type === null)).toBe(true);
      expect(received.every((r) => r.recipient.kind !== 'id')).toBe(true);
      const dry = mixedSpecs(300).filter((s) => s.state === 'valid').length;
      expect(received.length).toBe(dry);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R9b: personalised per recipient, with the fallback; campaign messages land in the inbox log', async () => {
    const t = await world([
      { topic: 'otn', state: 'valid', firstName: 'Lan', lastName: 'Tran' },
      { topic: 'otn', state: 'valid', firstName: null, lastName: null },
    ]);
    const d = startDispatcher(t.dctx, { pollMs: 20 });
    try {
      const c = await campaign(t.w, 'otn');
      await app.startCampaign(t.w.ctx, t.w.workspaceId, c.id);
      await until(t.w, c.id, settled);
      const texts = t.w.sandbox!.state.received.map((r) => r.message.text).sort();
      expect(texts).toEqual(['Chào Lan, hàng đã về!', 'Chào bạn, hàng đã về!']);
      const logged = await storage.db
        .selectFrom('messages')
        .selectAll()
        .where('page_id', '=', t.w.page.id)
        .where('sender_kind', '=', 'campaign')
        .execute();
      expect(logged.map((m) => m.kind)).toEqual(['notification', 'notification']);
      expect(logged.every((m) => m.mid?.startsWith('m_'))).toBe(true);
      // Issue 10 item 10: the inbox keeps what each customer saw, personalised, not "[notification]".
      expect(logged.map((m) => m.text).sort()).toEqual(texts);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R7c: an OTN campaign consumes each token it uses; stacked tokens give one message per campaign', async () => {
    const t = await world([
      { topic: 'otn', state: 'valid', tokens: 2 },
      { topic: 'otn', state: 'valid' },
    ]);
    const d = startDispatcher(t.dctx, { pollMs: 20 });
    try {
      const first = await campaign(t.w, 'otn');
      await app.startCampaign(t.w.ctx, t.w.workspaceId, first.id);
      expect((await until(t.w, first.id, settled)).sent_count).toBe(2);
      const second = await campaign(t.w, 'otn');
      expect(await app.dryRun(t.w.ctx, t.w.workspaceId, second.id)).toMatchObject({
        reachable: 1,
        skipped: { token_used: 1 },
      });
      await app.startCampaign(t.w.ctx, t.w.workspaceId, second.id);
      expect((await until(t.w, second.id, settled)).sent_count).toBe(1);
      const used = await storage.db
        .selectFrom('consent_history')
        .select('subscription_id')
        .where('page_id', '=', t.w.page.id)
        .where('event', '=', 'used')
        .execute();
      expect(new Set(used.map((u) => u.subscription_id)).size).toBe(3);
      expect(t.w.sandbox!.state.received.length).toBe(3);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R8b: a token cooling down is skipped, or with allowDefer sent at its next eligible time', async () => {
    const t = await world([
      { topic: 'recurring', state: 'valid' },
      { topic: 'recurring', state: 'cooldown' },
    ]);
    const d = startDispatcher(t.dctx, { pollMs: 20 });
    try {
      const skip = await campaign(t.w, 'recurring');
      expect((await app.dryRun(t.w.ctx, t.w.workspaceId, skip.id)).skipped).toEqual({ cooldown: 1 });
      const defer = await campaign(t.w, 'recurring', { allowDefer: true });
      // The cooling token frees next Monday 00:00 in the page's time zone (WEEKLY, R8b).
      expect(await app.dryRun(t.w.ctx, t.w.workspaceId, defer.id)).toMatchObject({
        reachable: 1,
        deferred: 1,
      });
      await app.startCampaign(t.w.ctx, t.w.workspaceId, defer.id);
      const waiting = await until(t.w, defer.id, (c) => c.sent_count === 1);
      expect(waiting.status).toBe('running');
      const rows = await app.campaignDeliveries(t.w.ctx, t.w.workspaceId, defer.id, { status: 'deferred' });
      expect(rows).toHaveLength(1);
      expect(rows[0]!.deferred_until!.toISOString()).toBe('2026-03-08T17:00:00.000Z');
      t.w.clock.set(new Date('2026-03-08T17:00:01.000Z'));
      d.kick();
      const done = await until(t.w, defer.id, settled);
      expect(done).toMatchObject({ status: 'completed', sent_count: 2 });
      expect(t.w.sandbox!.state.received.length).toBe(2);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R9e: pause and cancel take effect between batches; resume finishes; cancel skips the rest', async () => {
    const specs: RecipientSpec[] = Array.from({ length: 120 }, () => ({ topic: 'otn', state: 'valid' }));
    const t = await world(specs);
    await t.sb.faults({ sendLatencyMs: 30 });
    const d = startDispatcher(t.dctx, { concurrency: 1, batchSize: 10, pollMs: 20 });
    try {
      const c = await campaign(t.w, 'otn');
      await app.startCampaign(t.w.ctx, t.w.workspaceId, c.id);
      await until(t.w, c.id, (x) => x.sent_count >= 10);
      await app.pauseCampaign(t.w.ctx, t.w.workspaceId, c.id);
      await new Promise((r) => setTimeout(r, 150)); // the batch in flight lands
      const paused = await app.getCampaign(t.w.ctx, t.w.workspaceId, c.id);
      await new Promise((r) => setTimeout(r, 200));
      const still = await app.getCampaign(t.w.ctx, t.w.workspaceId, c.id);
      expect(still.sent_count).toBe(paused.sent_count);
      expect(still.sent_count).toBeLessThan(120);
      expect(t.w.sandbox!.state.received.length).toBe(still.sent_count);
      await app.resumeCampaign(t.w.ctx, t.w.workspaceId, c.id);
      await until(t.w, c.id, (x) => x.sent_count >= still.sent_count + 10);
      const cancelled = await app.cancelCampaign(t.w.ctx, t.w.workspaceId, c.id);
      expect(cancelled.status).toBe('cancelled');
      await new Promise((r) => setTimeout(r, 150));
      const p = await app.campaignProgress(t.w.ctx, await app.getCampaign(t.w.ctx, t.w.workspaceId, c.id));
      expect(p.counts.sent + p.counts.skipped + p.counts.failed).toBe(120);
      expect(p.reasons['skipped:cancelled']).toBeGreaterThan(0);
      expect(t.w.sandbox!.state.received.length).toBe(p.counts.sent);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R9e: a scheduled campaign starts when the injected clock reaches it', async () => {
    const t = await world([{ topic: 'otn', state: 'valid' }]);
    const d = startDispatcher(t.dctx, { pollMs: 20 });
    try {
      const c = await campaign(t.w, 'otn');
      const at = new Date(t.w.clock.now().getTime() + 3_600_000);
      expect((await app.startCampaign(t.w.ctx, t.w.workspaceId, c.id, at)).status).toBe('scheduled');
      await new Promise((r) => setTimeout(r, 150));
      expect(t.w.sandbox!.state.received.length).toBe(0);
      t.w.clock.advance(3_600_000);
      expect((await until(t.w, c.id, settled)).status).toBe('completed');
      expect(t.w.sandbox!.state.received.length).toBe(1);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R9e: too many errors pause the campaign with the reason; nothing is dropped', async () => {
    const specs: RecipientSpec[] = Array.from({ length: 100 }, () => ({ topic: 'otn', state: 'valid' }));
    const t = await world(specs);
    await t.sb.faults({ errorRate: 1, error: { code: 2, status: 500 } });
    const d = startDispatcher(t.dctx, { concurrency: 1, batchSize: 25, pollMs: 20 });
    try {
      const c = await campaign(t.w, 'otn');
      await app.startCampaign(t.w.ctx, t.w.workspaceId, c.id);
      const paused = await until(t.w, c.id, settled);
      expect(paused).toMatchObject({ status: 'paused', pause_reason: 'too_many_errors' });
      await t.sb.resetFaults();
      await app.resumeCampaign(t.w.ctx, t.w.workspaceId, c.id);
      const done = await until(t.w, c.id, settled);
      expect(done).toMatchObject({ status: 'completed', sent_count: 100 });
      expect(t.w.sandbox!.state.received.length).toBe(100);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R11b: a restricted page stops the campaign; after the restriction is lifted, resume sends the rest once', async () => {
    const specs: RecipientSpec[] = Array.from({ length: 60 }, () => ({ topic: 'recurring', state: 'valid' }));
    const t = await world(specs);
    await t.sb.config({ restricted: true });
    const d = startDispatcher(t.dctx, { concurrency: 1, batchSize: 20, pollMs: 20 });
    try {
      const c = await campaign(t.w, 'recurring');
      await app.startCampaign(t.w.ctx, t.w.workspaceId, c.id);
      const paused = await until(t.w, c.id, settled);
      expect(paused).toMatchObject({
        status: 'paused',
        pause_reason: 'page_restricted',
        sent_count: 0,
        failed_count: 0,
      });
      const page = await storage.db
        .selectFrom('pages')
        .select('restricted_reason')
        .where('id', '=', t.w.page.id)
        .executeTakeFirstOrThrow();
      expect(page.restricted_reason).toMatch(/page_restricted/);
      await t.sb.config({ restricted: false });
      await app.resumeCampaign(t.w.ctx, t.w.workspaceId, c.id);
      expect(await until(t.w, c.id, settled)).toMatchObject({ status: 'completed', sent_count: 60 });
      expect(t.w.sandbox!.state.received.length).toBe(60);
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R9d: a block only Meta knew about ends failed (customer unreachable), and marks the customer', async () => {
    const t = await world([
      { topic: 'otn', state: 'valid' },
      { topic: 'otn', state: 'blocked_unknown' },
    ]);
    const d = startDispatcher(t.dctx, { pollMs: 20 });
    try {
      const c = await campaign(t.w, 'otn');
      await app.startCampaign(t.w.ctx, t.w.workspaceId, c.id);
      const done = await until(t.w, c.id, settled);
      expect(done).toMatchObject({ status: 'completed', sent_count: 1, failed_count: 1 });
      const p = await app.campaignProgress(t.w.ctx, done);
      expect(p.reasons).toEqual({ 'failed:customer_unreachable': 1 });
      const dry = await app.dryRun(t.w.ctx, t.w.workspaceId, (await campaign(t.w, 'otn')).id);
      expect(dry.skipped).toMatchObject({ customer_unreachable: 1 });
    } finally {
      await d.stop();
      await t.close();
    }
  });

  it('R10a: URL buttons go through the tracked redirect; a forged token is refused', async () => {
    const t = await world([{ topic: 'otn', state: 'valid' }]);
    const d = startDispatcher(t.dctx, { pollMs: 20 });
    try {
      const c = await campaign(t.w, 'otn', {
        content: {
          type: 'buttons',
          text: 'Sale {{first_name|bạn}}',
          buttons: [
            { type: 'postback', title: 'Giữ hàng' },
            { type: 'url', title: 'Xem', url: 'https://shop.test/sale' },
          ],
        },
      });
      await app.startCampaign(t.w.ctx, t.w.workspaceId, c.id);
      await until(t.w, c.id, settled);
      const msg = t.w.sandbox!.state.received[0]!.message as {
        attachment: { payload: { buttons: Array<{ url?: string; payload?: string }> } };
      };
      const [postback, link] = msg.attachment.payload.buttons;
      expect(postback!.payload).toBe(`rn:c${c.id}:b0`);
      const token = link!.url!.split('/r/')[1]!;
      expect(link!.url!.startsWith('http://svc.test/r/')).toBe(true);
      expect(await app.followLink(t.w.ctx, token)).toBe('https://shop.test/sale');
      await expect(app.followLink(t.w.ctx, `${token.slice(0, -2)}xx`)).rejects.toThrow();
      const p = await app.campaignProgress(t.w.ctx, await app.getCampaign(t.w.ctx, t.w.workspaceId, c.id));
      expect(p.clicked).toBe(1);
    } finally {
      await d.stop();
      await t.close();
    }
  });
});
