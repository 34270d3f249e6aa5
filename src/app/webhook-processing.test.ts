// Webhook processing as one trip: a customer's batch loads its page once and passes it down to every
// event, the opt-in and stop/resume use-cases and the profile fill (counted on the real queries).
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  SelectQueryNode,
  TableNode,
} from 'kysely';
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
import { GraphClient } from '../channel/index.ts';
import { startSandbox } from '../sandbox/test-helpers.ts';
import { type InboxEvent, storeEvents } from '../storage/webhook-events.ts';
import { handleWebhookCustomer, handleWebhookCustomers } from './job-handlers.ts';
import { BackgroundProfiles, PROFILE_REFUSAL_MS } from './profiles.ts';

/** Counts the SELECTs that read the `pages` table through the executor it is plugged into. */
class PageReads implements KyselyPlugin {
  n = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    const node = args.node;
    if (
      SelectQueryNode.is(node) &&
      node.from?.froms.some((f) => TableNode.is(f) && f.table.identifier.name === 'pages')
    )
      this.n++;
    return node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}

/** A profile source that asks the sandbox only once `open()` is called, and records who was asked. */
function gatedProfiles(graph: GraphClient) {
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const asked: string[] = [];
  const profiles = {
    getProfile: async (...a: Parameters<GraphClient['getProfile']>) => {
      asked.push(a[1]);
      await gate;
      return graph.getProfile(...a);
    },
  };
  return { profiles, asked, open };
}

describe.each(BACKENDS)('webhook processing on %s', (backend) => {
  const world = useQueueWorld(backend, 'proc');

  it('R3a, R8c: a batch of message, opt-in, stop and read reads the page once and applies each', async () => {
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
    const optin = (at: number, status?: string) => ({
      ...who,
      timestamp: at,
      optin: {
        type: 'notification_messages',
        notification_messages_token: 'tok-proc-1',
        notification_messages_frequency: 'WEEKLY',
        payload,
        title: topic.title,
        token_expiry_timestamp: t + 180 * 24 * HOUR,
        ...(status && { notification_messages_status: status }),
      },
    });
    const bodies: Array<[string, Record<string, unknown>]> = [
      ['message', { ...who, timestamp: t + 1, message: { mid: `m-${c.psid}`, text: 'hello' } }],
      ['optin_recurring', optin(t + 2)],
      ['optin_recurring', optin(t + 3, 'STOP_NOTIFICATIONS')],
      ['read', { ...who, timestamp: t + 4, read: { watermark: t + 4 } }],
    ];
    const events: InboxEvent[] = bodies.map(([kind, body], i) => ({
      fbPageId: w.page.fb_page_id,
      psid: c.psid,
      kind,
      idempotencyKey: `proc-${c.psid}-${i}`,
      eventAt: new Date(t + i + 1),
      body,
    }));
    await storeEvents(world.storage.db, events, w.clock.now());

    const reads = new PageReads();
    const ctx = {
      db: world.storage.db.withPlugin(reads),
      clock: w.clock,
      queue: world.queue,
      channel: world.graph,
      profiles: world.graph,
    };
    const processed: number[] = [];
    const observe = { webhookEventsProcessed: (n: number) => processed.push(n), botSend: () => undefined };
    await handleWebhookCustomer(ctx, observe, { fbPageId: w.page.fb_page_id, psid: c.psid });

    expect(processed).toEqual([4]);
    const outcomes = await world.storage.db
      .selectFrom('webhook_events')
      .select(['idempotency_key', 'outcome'])
      .where('psid', '=', c.psid)
      .orderBy('event_at')
      .execute();
    expect(outcomes.map((o) => o.outcome)).toEqual(['message', 'accepted', 'stopped', 'read']);
    // Before: one lookup per event, one more inside each opt-in and stop, one in the profile fill (7).
    expect(reads.n).toBe(1);
  });

  it('an event of a page nobody connected is marked unknown_page, with one lookup', async () => {
    const fbPageId = `gone-${Date.now()}`;
    const w = await seedWorkspace(world.storage);
    const at = w.clock.now().getTime();
    await storeEvents(
      world.storage.db,
      [
        {
          fbPageId,
          psid: 'psid-nobody',
          kind: 'message',
          idempotencyKey: `gone-${fbPageId}`,
          eventAt: new Date(at),
          body: {
            sender: { id: 'psid-nobody' },
            recipient: { id: fbPageId },
            timestamp: at,
            message: { mid: `m-${fbPageId}`, text: 'hi' },
          },
        },
      ],
      w.clock.now(),
    );
    const reads = new PageReads();
    const ctx = {
      db: world.storage.db.withPlugin(reads),
      clock: w.clock,
      queue: world.queue,
      channel: world.graph,
      profiles: world.graph,
    };
    const observe = { webhookEventsProcessed: () => undefined, botSend: () => undefined };
    await handleWebhookCustomer(ctx, observe, { fbPageId, psid: 'psid-nobody' });
    const row = await world.storage.db
      .selectFrom('webhook_events')
      .select('outcome')
      .where('fb_page_id', '=', fbPageId)
      .executeTakeFirstOrThrow();
    expect(row.outcome).toBe('unknown_page');
    expect(reads.n).toBe(1);
  });

  it('a customer first seen through a webhook gets their Graph profile name, still one page lookup; one Graph refuses is not asked again on each event, only after PROFILE_REFUSAL_MS', async () => {
    const sb = await startSandbox();
    const sandboxGraph = new GraphClient({ baseUrl: sb.url, version: 'v23.0' });
    try {
      const w = await seedWorkspace(world.storage, {
        fbPageId: sb.pageId,
        accessToken: sb.token,
        appSecret: sb.appSecret,
      });
      const c = await sb.client.createCustomer({ name: 'An Nguyen', locale: 'vi_VN' });
      const at = w.clock.now().getTime();
      await storeEvents(
        world.storage.db,
        [
          {
            fbPageId: sb.pageId,
            psid: c.psid,
            kind: 'message',
            idempotencyKey: `named-${c.psid}`,
            eventAt: new Date(at),
            body: {
              sender: { id: c.psid },
              recipient: { id: sb.pageId },
              timestamp: at,
              message: { mid: `m-named-${c.psid}`, text: 'chào shop' },
            },
          },
        ],
        w.clock.now(),
      );
      const reads = new PageReads();
      const ctx = {
        db: world.storage.db.withPlugin(reads),
        clock: w.clock,
        queue: world.queue,
        channel: sandboxGraph,
        profiles: sandboxGraph,
      };
      const observe = { webhookEventsProcessed: () => undefined, botSend: () => undefined };
      await handleWebhookCustomer(ctx, observe, { fbPageId: sb.pageId, psid: c.psid });
      const row = await world.storage.db
        .selectFrom('customers')
        .select(['name', 'first_name', 'last_name', 'locale'])
        .where('psid', '=', c.psid)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ name: 'Nguyen An', first_name: 'An', last_name: 'Nguyen', locale: 'vi_VN' });
      expect(reads.n).toBe(1);
      // A PSID the sandbox does not know: Graph answers 100/33 to its profile.
      const psid = `stranger-${Date.now()}`;
      const asked: string[] = [];
      const profiles = {
        getProfile: (...a: Parameters<GraphClient['getProfile']>) => {
          asked.push(a[1]);
          return sandboxGraph.getProfile(...a);
        },
      };
      const ctx2 = {
        db: world.storage.db,
        clock: w.clock,
        queue: world.queue,
        channel: sandboxGraph,
        profiles,
      };
      const event = async (n: number) => {
        const at = w.clock.now().getTime();
        await storeEvents(
          world.storage.db,
          [
            {
              fbPageId: sb.pageId,
              psid,
              kind: 'message',
              idempotencyKey: `${psid}-${n}`,
              eventAt: new Date(at),
              body: {
                sender: { id: psid },
                recipient: { id: sb.pageId },
                timestamp: at,
                message: { mid: `m-${psid}-${n}`, text: `#${n}` },
              },
            },
          ],
          w.clock.now(),
        );
        await handleWebhookCustomer(ctx2, observe, { fbPageId: sb.pageId, psid });
      };
      await event(1);
      await event(2);
      expect(asked).toEqual([psid]);
      w.clock.advance(PROFILE_REFUSAL_MS);
      await event(3);
      expect(asked).toEqual([psid, psid]);
    } finally {
      await sandboxGraph.close();
      await sb.close();
    }
  });

  it("the worker's batch hands a first-seen customer's profile to the background: the job is done before Graph answers, the name arrives after", async () => {
    // A page of its own: the test above connected the default sandbox page in this storage.
    const sb = await startSandbox({ page: { id: '109876543210253' } });
    const sandboxGraph = new GraphClient({ baseUrl: sb.url, version: 'v23.0' });
    try {
      const w = await seedWorkspace(world.storage, {
        fbPageId: sb.pageId,
        accessToken: sb.token,
        appSecret: sb.appSecret,
      });
      const c = await sb.client.createCustomer({ name: 'Binh Tran', locale: 'vi_VN' });
      const at = w.clock.now().getTime();
      const body = {
        sender: { id: c.psid },
        recipient: { id: sb.pageId },
        timestamp: at,
        message: { mid: `m-bg-${c.psid}`, text: 'còn hàng không?' },
      };
      const stored = { fbPageId: sb.pageId, psid: c.psid, kind: 'message', eventAt: new Date(at), body };
      await storeEvents(world.storage.db, [{ ...stored, idempotencyKey: `bg-${c.psid}` }], w.clock.now());
      // Graph answers only when the test lets it.
      const { profiles, asked, open } = gatedProfiles(sandboxGraph);
      const ctx = {
        db: world.storage.db,
        clock: w.clock,
        queue: world.queue,
        channel: sandboxGraph,
        profiles,
      };
      const background = new BackgroundProfiles(ctx);
      const observe = { webhookEventsProcessed: () => undefined, botSend: () => undefined };
      const job = { fbPageId: sb.pageId, psid: c.psid };
      expect(await handleWebhookCustomers(ctx, observe, [job, job], background)).toEqual([
        undefined,
        undefined,
      ]);
      const name = () =>
        world.storage.db
          .selectFrom('customers')
          .select(['name', 'first_name'])
          .where('page_id', '=', w.page.id)
          .where('psid', '=', c.psid)
          .executeTakeFirstOrThrow();
      expect(await name()).toEqual({ name: null, first_name: null }); // applied, the name not yet
      open();
      await background.idle();
      expect(await name()).toEqual({ name: 'Tran Binh', first_name: 'Binh' });
      expect(asked).toEqual([c.psid]); // asked once for the two jobs
      await background.stop();
    } finally {
      await sandboxGraph.close();
      await sb.close();
    }
  });

  it('a burst of first-seen customers beyond the profile queue is applied at once; the names beyond it are dropped (asked at the next event)', async () => {
    const sb = await startSandbox({ page: { id: '109876543210254' } }); // a page of its own in this world
    const sandboxGraph = new GraphClient({ baseUrl: sb.url, version: 'v23.0' });
    try {
      const w = await seedWorkspace(world.storage, {
        fbPageId: sb.pageId,
        accessToken: sb.token,
        appSecret: sb.appSecret,
      });
      const cs = [];
      for (let i = 0; i < 5; i++)
        cs.push(await sb.client.createCustomer({ name: `Khach ${i}`, locale: 'vi_VN' }));
      const at = w.clock.now().getTime();
      await storeEvents(
        world.storage.db,
        cs.map((c, i) => ({
          fbPageId: sb.pageId,
          psid: c.psid,
          kind: 'message',
          idempotencyKey: `burst-${c.psid}`,
          eventAt: new Date(at + i),
          body: {
            sender: { id: c.psid },
            recipient: { id: sb.pageId },
            timestamp: at + i,
            message: { mid: `m-burst-${c.psid}`, text: 'chào shop' },
          },
        })),
        w.clock.now(),
      );
      // Graph answers only when the test lets it: one fetch in flight, two waiting, the other two dropped.
      const { profiles, asked, open } = gatedProfiles(sandboxGraph);
      const ctx = {
        db: world.storage.db,
        clock: w.clock,
        queue: world.queue,
        channel: sandboxGraph,
        profiles,
      };
      const background = new BackgroundProfiles(ctx, { concurrency: 1, capacity: 2 });
      const observe = { webhookEventsProcessed: () => undefined, botSend: () => undefined };
      const jobs = cs.map((c) => ({ fbPageId: sb.pageId, psid: c.psid }));
      // Returns with Graph still closed: the batch did not wait for room in the queue.
      expect(await handleWebhookCustomers(ctx, observe, jobs, background)).toEqual(jobs.map(() => undefined));
      expect(background.dropped).toBe(2);
      open();
      await background.idle();
      const named = await world.storage.db
        .selectFrom('customers')
        .select(['psid', 'name'])
        .where('page_id', '=', w.page.id)
        .where('name', 'is not', null)
        .execute();
      expect(named).toHaveLength(3);
      expect(asked).toHaveLength(3);
      await background.stop();
    } finally {
      await sandboxGraph.close();
      await sb.close();
    }
  });
});
