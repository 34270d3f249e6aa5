// Order events that fail on the way: a transient Meta failure left to the retry job, and a crash between
// storing and sending picked up by the orphan sweep; each event is sent once. On PGlite and PostgreSQL,
// against the channel's scripted Graph server (src/channel/testing), like order-events.test.ts.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/support/backends.ts';
import { DAY, seedCustomer } from '../../test/support/factories.ts';
import { graphError } from '../channel/testing/fake-graph.ts';
import { validateOrderEvent } from '../domain/order-events.ts';
import { claimOrderEvent, insertOrderEvent } from '../storage/order-events.ts';
import { listOrderEvents, requeueOrphanedOrderEvents, retryOrderEvent } from './order-events.ts';
import { meta, orderEventSuite } from './testing/order-events-fixture.ts';

describe.each(BACKENDS)('order events retried after a failure or a crash on %s', (backend) => {
  const suite = orderEventSuite(backend);
  const { jobs, shop, sends } = suite;
  it('a transient Meta failure leaves the event pending for the retry job, which sends it once', async () => {
    const s = await shop();
    const c = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: 3 * DAY },
    );
    suite.graph.script(() => ({
      status: 500,
      body: graphError(2, undefined, 'Service temporarily unavailable'),
    }));
    const { event } = await s.post('t1', {
      type: 'order_shipped',
      orderId: '1',
      customer: { psid: c.psid },
      fields: { name: 'L' },
    });
    expect(event).toMatchObject({ status: 'pending', reason: 'graph_transient', attempts: 1 });
    expect(jobs).toEqual([{ workspaceId: s.workspaceId, eventId: event.id }]);
    // Still failing: the job throws so pg-boss retries it with backoff.
    await expect(
      retryOrderEvent(s.ctx, { workspaceId: s.workspaceId, eventId: Number(event.id) }),
    ).rejects.toThrow(/retrying/);
    suite.graph.script(meta());
    await retryOrderEvent(s.ctx, { workspaceId: s.workspaceId, eventId: Number(event.id) });
    const [row] = await listOrderEvents(s.ctx, s.workspaceId, s.page.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    expect(jobs).toHaveLength(1);
  });

  it('a crash between storing and sending: the sweep hands the orphaned event to the retry job, sent once', async () => {
    const s = await shop();
    const c = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: 3 * DAY },
    );
    const draft = validateOrderEvent({
      type: 'order_shipped',
      orderId: '1',
      customer: { psid: c.psid },
      fields: { name: 'L' },
    });
    const stored = await insertOrderEvent(s.ctx.db, {
      workspaceId: s.workspaceId,
      pageId: s.page.id,
      idempotencyKey: 'crash-1',
      requestHash: 'h',
      draft,
      now: s.ctx.clock.now(),
    });
    // A sender that took another event and died: its lease runs out.
    const other = await insertOrderEvent(s.ctx.db, {
      workspaceId: s.workspaceId,
      pageId: s.page.id,
      idempotencyKey: 'crash-2',
      requestHash: 'h',
      draft,
      now: s.ctx.clock.now(),
    });
    await claimOrderEvent(
      s.ctx.db,
      s.workspaceId,
      Number(other.row.id),
      s.ctx.clock.now(),
      new Date(s.ctx.clock.now().getTime() + 60_000),
    );
    expect(await requeueOrphanedOrderEvents(s.ctx)).toBe(0);
    s.clock.advance(61_000);
    expect(await requeueOrphanedOrderEvents(s.ctx)).toBeGreaterThanOrEqual(2);
    const before = sends().length;
    for (const id of [stored.row.id, other.row.id]) {
      await retryOrderEvent(s.ctx, { workspaceId: s.workspaceId, eventId: Number(id) });
      await retryOrderEvent(s.ctx, { workspaceId: s.workspaceId, eventId: Number(id) });
    }
    expect(sends().length - before).toBe(2);
    const rows = await listOrderEvents(s.ctx, s.workspaceId, s.page.id);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
  });
});
