// Many customers' webhook events applied in one transaction (webhook-batch.ts): each customer's events
// still in timestamp order, and a poison event still fails only its own customer's job.
import { describe, expect, it, vi } from 'vitest';
import { BACKENDS } from '../../test/support/backends.ts';
import { seedCustomer, seedWorkspace } from '../../test/support/factories.ts';
import { useQueueWorld } from '../../test/support/queue-world.ts';
import { type InboxEvent, storeEvents } from '../storage/webhook-events.ts';
import { handleWebhookCustomers } from './job-handlers.ts';

describe.each(BACKENDS)('webhook events in batches on %s', (backend) => {
  const world = useQueueWorld(backend, 'wbatch');

  async function setup(customers: number) {
    const w = await seedWorkspace(world.storage);
    const cs = [];
    for (let i = 0; i < customers; i++)
      cs.push(await seedCustomer(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id }));
    const ctx = {
      db: world.storage.db,
      clock: w.clock,
      queue: world.queue,
      channel: world.graph,
      profiles: world.graph,
    };
    const processed: number[] = [];
    const observe = { webhookEventsProcessed: (n: number) => processed.push(n), botSend: () => undefined };
    const message = (psid: string, at: number, text: string): InboxEvent => ({
      fbPageId: w.page.fb_page_id,
      psid,
      kind: 'message',
      idempotencyKey: `${psid}-${at}`,
      eventAt: new Date(at),
      body: {
        sender: { id: psid },
        recipient: { id: w.page.fb_page_id },
        timestamp: at,
        message: { mid: `m-${psid}-${at}`, text },
      },
    });
    const inbound = (customerId: number) =>
      world.storage.db
        .selectFrom('messages')
        .select(['mid', 'text'])
        .where('customer_id', '=', customerId)
        .where('direction', '=', 'in')
        .orderBy('id')
        .execute();
    return { w, cs, ctx, observe, processed, message, inbound };
  }

  it('R1: several customers in one batch, each customer’s events applied in timestamp order (stored in reverse)', async () => {
    const { w, cs, ctx, observe, processed, message, inbound } = await setup(3);
    const t = w.clock.now().getTime();
    // Stored newest first, as Meta may deliver them: ids run against time.
    for (const c of cs)
      for (let k = 4; k >= 0; k--)
        await storeEvents(ctx.db, [message(c.psid, t - 1000 * k, `#${4 - k}`)], w.clock.now());
    const jobs = cs.flatMap((c) => [
      { fbPageId: w.page.fb_page_id, psid: c.psid },
      { fbPageId: w.page.fb_page_id, psid: c.psid }, // one job per group commit: duplicates are normal
    ]);
    const fellBack = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const errors = await handleWebhookCustomers(ctx, observe, jobs);
    expect(fellBack).not.toHaveBeenCalled(); // one transaction for all three customers
    fellBack.mockRestore();
    expect(errors).toEqual(jobs.map(() => undefined));
    for (const c of cs)
      expect((await inbound(c.id)).map((m) => m.text)).toEqual(['#0', '#1', '#2', '#3', '#4']);
    expect(processed).toEqual([5, 5, 5]);
    const customer = await ctx.db
      .selectFrom('customers')
      .select('last_interaction_at')
      .where('id', '=', cs[0]!.id)
      .executeTakeFirstOrThrow();
    expect(new Date(customer.last_interaction_at!).getTime()).toBe(t);
  });

  it('R3a: plain messages applied together keep their outcomes: a mid logged before or twice in the batch is a duplicate, logged once', async () => {
    const { w, cs, ctx, observe, message, inbound } = await setup(2);
    const t = w.clock.now().getTime();
    const [a, b] = cs as [(typeof cs)[0], (typeof cs)[0]];
    await storeEvents(ctx.db, [message(a.psid, t - 3000, 'first')], w.clock.now());
    await handleWebhookCustomers(ctx, observe, [{ fbPageId: w.page.fb_page_id, psid: a.psid }]);
    const again = message(a.psid, t - 3000, 'first');
    const twice = message(b.psid, t - 1000, 'twice');
    await storeEvents(
      ctx.db,
      [
        { ...again, idempotencyKey: 'redelivered-1' },
        message(a.psid, t - 2000, 'second'),
        twice,
        { ...twice, idempotencyKey: 'redelivered-2', eventAt: new Date(t - 500) },
      ],
      w.clock.now(),
    );
    const jobs = cs.map((x) => ({ fbPageId: w.page.fb_page_id, psid: x.psid }));
    expect(await handleWebhookCustomers(ctx, observe, jobs)).toEqual([undefined, undefined]);
    expect((await inbound(a.id)).map((m) => m.text)).toEqual(['first', 'second']);
    expect((await inbound(b.id)).map((m) => m.text)).toEqual(['twice']);
    const outcomes = await ctx.db
      .selectFrom('webhook_events')
      .select(['idempotency_key', 'outcome'])
      .where('psid', 'in', [a.psid, b.psid])
      .execute();
    expect(Object.fromEntries(outcomes.map((o) => [o.idempotency_key, o.outcome]))).toEqual({
      [`${a.psid}-${t - 3000}`]: 'message',
      [`${a.psid}-${t - 2000}`]: 'message',
      [`${b.psid}-${t - 1000}`]: 'message',
      'redelivered-1': 'duplicate',
      'redelivered-2': 'duplicate',
    });
  });

  it('a message with a lone surrogate (a truncated emoji, escaped in the JSON) is applied in the batch, logged with U+FFFD', async () => {
    const { w, cs, ctx, observe, message, inbound } = await setup(1);
    const [a] = cs as [(typeof cs)[0]];
    await storeEvents(ctx.db, [message(a.psid, w.clock.now().getTime(), 'xin chào \ud83d')], w.clock.now());
    const fellBack = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(
      await handleWebhookCustomers(ctx, observe, [{ fbPageId: w.page.fb_page_id, psid: a.psid }]),
    ).toEqual([undefined]);
    expect(fellBack).not.toHaveBeenCalled(); // before: the raw payload's jsonb refused the escape
    fellBack.mockRestore();
    expect((await inbound(a.id)).map((m) => m.text)).toEqual(['xin chào \ufffd']);
  });

  it('trust: a poison event fails its own customer’s job only; the customers beside it are applied', async () => {
    const { w, cs, ctx, observe, message, inbound } = await setup(3);
    const t = w.clock.now().getTime();
    const [a, b, c] = cs as [(typeof cs)[0], (typeof cs)[0], (typeof cs)[0]];
    // A NUL character parses as JSON but PostgreSQL refuses it in text: applying it throws.
    await storeEvents(
      ctx.db,
      [
        message(a.psid, t - 2000, 'a\u0000b'),
        message(b.psid, t - 2000, 'hello'),
        message(c.psid, t - 1000, 'hi'),
      ],
      w.clock.now(),
    );
    const jobs = cs.map((x) => ({ fbPageId: w.page.fb_page_id, psid: x.psid }));
    const fellBack = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const errors = await handleWebhookCustomers(ctx, observe, jobs);
    expect(fellBack).toHaveBeenCalledTimes(1);
    fellBack.mockRestore();
    expect(errors[0]).toBeInstanceOf(Error);
    expect(errors.slice(1)).toEqual([undefined, undefined]);
    expect((await inbound(b.id)).map((m) => m.text)).toEqual(['hello']);
    expect((await inbound(c.id)).map((m) => m.text)).toEqual(['hi']);
    expect(await inbound(a.id)).toEqual([]);
    const poison = await ctx.db
      .selectFrom('webhook_events')
      .select(['attempts', 'processed_at'])
      .where('psid', '=', a.psid)
      .executeTakeFirstOrThrow();
    expect(poison).toEqual({ attempts: 1, processed_at: null });
  });
});
