// The intake's store statement as rows arrive in PostgreSQL: every column as given (the events travel as
// one JSON parameter), the body encrypted at rest and read back whole, duplicates skipped, the group's
// page beliefs checked (nothing written when one is stale).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import { explainAnalyzed, PLAN_MODES, planOutline, rowsLookedAt } from '../../test/support/plans.ts';
import type { Storage } from './db.ts';
import { findPagesByFbIds } from './pages.ts';
import {
  customersWithUnknownTokenAfter,
  eventBody,
  type InboxEvent,
  type PageBelief,
  pendingOfCustomers,
  storeEvents,
  storeEventsIfPages,
  takePendingOf,
  unknownTokenAfter,
} from './webhook-events.ts';

describe.each(BACKENDS)('webhook events store on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  const event = (key: string, over: Partial<InboxEvent> = {}): InboxEvent => ({
    fbPageId: 'page-1',
    psid: 'psid-1',
    kind: 'message',
    idempotencyKey: key,
    eventAt: new Date('2026-11-30T10:00:00.123Z'),
    body: { message: { mid: key, text: 'tin nhắn "trích" \\ 😀 \n' } },
    ...over,
  });

  it('stores each column as given, the body encrypted and read back whole, and skips a known key', async () => {
    const at = new Date('2026-11-30T10:00:01.000Z');
    // Quotes, backslashes, commas, braces and non-ASCII: what an array literal would have escaped.
    const keys = ['message:a"b', 'message:c\\d', 'message:{e,f}', 'message:Huế 😀'];
    const stored = await storeEvents(
      storage.db,
      keys.map((k, i) =>
        event(k, { psid: `psid "${i}"`, eventAt: new Date(Date.UTC(2026, 10, 30, 10, 0, i)) }),
      ),
      at,
    );
    expect([...stored].sort()).toEqual([...keys].sort());
    const rows = await storage.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('idempotency_key', 'in', keys)
      .orderBy('event_at')
      .execute();
    expect(rows.map((r) => [r.idempotency_key, r.psid, r.fb_page_id, r.kind])).toEqual(
      keys.map((k, i) => [k, `psid "${i}"`, 'page-1', 'message']),
    );
    expect(rows.map((r) => r.event_at.getTime())).toEqual(
      keys.map((_, i) => Date.UTC(2026, 10, 30, 10, 0, i)),
    );
    expect(rows.every((r) => r.received_at.getTime() === at.getTime() && r.processed_at === null)).toBe(true);
    expect(rows.every((r) => r.body.startsWith('enc:v1:') && !r.body.includes('tin'))).toBe(true);
    expect(eventBody(rows[0]!)).toEqual(event(keys[0]!).body);

    const again = await storeEvents(storage.db, [event(keys[1]!), event('message:new')], at);
    expect([...again]).toEqual(['message:new']);
  });

  it('a lone surrogate is stored as U+FFFD, as UTF-8 encoding of the value makes it', async () => {
    const stored = await storeEvents(storage.db, [event('message:x\ud800y')], new Date());
    expect([...stored]).toEqual(['message:x\ufffdy']);
  });

  it('writes nothing when a page belief is stale, and the group when every belief holds', async () => {
    const w = await seedWorkspace(storage);
    const [page] = await findPagesByFbIds(storage.db, [w.page.fb_page_id]);
    const belief: PageBelief = {
      fbPageId: page!.fb_page_id,
      pageId: page!.id,
      workspaceId: page!.workspace_id,
      secretCiphertext: page!.secret_ciphertext,
    };
    const events = [event('message:guard-1', { fbPageId: w.page.fb_page_id })];
    const stale = await storeEventsIfPages(
      storage.db,
      [belief, belief, { ...belief, workspaceId: belief.workspaceId + 1000 }],
      events,
      new Date(),
    );
    expect(stale).toBe('stale');
    const none = await storage.db
      .selectFrom('webhook_events')
      .select('id')
      .where('idempotency_key', '=', 'message:guard-1')
      .execute();
    expect(none).toEqual([]);
    // Many deliveries of one group believe the same page: one check each, the same answer.
    const ok = await storeEventsIfPages(storage.db, [belief, belief, belief], events, new Date());
    expect(ok).toEqual(new Set(['message:guard-1']));
  });

  it("a batch reads its customers' pending events by their key, however stale the statistics (a burst after a quiet spell)", async () => {
    // The statistics say nothing is pending (20,000 events, all processed: taken before the burst and not
    // refreshed, autovacuum off here); then a livestream's burst leaves 3,000 events of 1,000 customers pending.
    await sql`ALTER TABLE webhook_events SET (autovacuum_enabled = off)`.execute(storage.db);
    const before = Date.UTC(2026, 10, 29);
    const quiet = Array.from({ length: 20_000 }, (_, i) =>
      event(`quiet:${i}`, { fbPageId: 'page-live', psid: `old-${i}`, eventAt: new Date(before + i) }),
    );
    for (let i = 0; i < quiet.length; i += 2000)
      await storeEvents(storage.db, quiet.slice(i, i + 2000), new Date(before));
    await sql`UPDATE webhook_events SET processed_at = now(), outcome = 'message' WHERE processed_at IS NULL`.execute(
      storage.db,
    );
    await sql`ANALYZE webhook_events`.execute(storage.db);
    const at = Date.UTC(2026, 10, 30, 12);
    const burst = Array.from({ length: 3000 }, (_, i) =>
      event(`burst:${i}`, { fbPageId: 'page-live', psid: `crowd-${i % 1000}`, eventAt: new Date(at + i) }),
    );
    for (let i = 0; i < burst.length; i += 500)
      await storeEvents(storage.db, burst.slice(i, i + 500), new Date());
    const batch = [3, 7, 11].map((n) => ({ fbPageId: 'page-live', psid: `crowd-${n}` }));
    const params = [batch.map((c) => c.fbPageId), batch.map((c) => c.psid), 1000];
    // As planned for these values, and as the plan kept for any values (used after 5 executions).
    for (const mode of PLAN_MODES) {
      const plan = await explainAnalyzed(storage.db, pendingOfCustomers.text, params, mode);
      // Their 9 events, each looked at about once: not every pending event once per customer.
      expect(rowsLookedAt(plan, 'webhook_events'), `${mode}\n${planOutline(plan)}`).toBeLessThanOrEqual(30);
    }
    const rows = await storage.db.transaction().execute((tx) => takePendingOf(tx, batch, 1000));
    expect(rows.map((r) => [r.psid, r.idempotency_key])).toEqual(
      [11, 3, 7].flatMap((n) => [0, 1, 2].map((k) => [`crowd-${n}`, `burst:${n + 1000 * k}`])),
    );
  });
  it('the customers of a batch with a Stop/Resume before their opt-in are found by their key, however stale the statistics', async () => {
    // The statistics say no event was applied as unknown_token (20,000 plain messages), then a burst of
    // Stop replies before any opt-in: 3,000 such events of 1,000 customers.
    await sql`ALTER TABLE webhook_events SET (autovacuum_enabled = off)`.execute(storage.db);
    const insert = (prefix: string, n: number, psids: number, outcome: string, at: Date) =>
      sql`INSERT INTO webhook_events (fb_page_id, psid, kind, idempotency_key, event_at, body, received_at, processed_at, outcome)
        SELECT 'page-stop', ${prefix} || (g % ${psids}), 'message', ${prefix} || g, ${at}::timestamptz + g * interval '1 ms',
               '{}', ${at}, ${at}, ${outcome}
        FROM generate_series(0, ${n - 1}) g`.execute(storage.db);
    await insert('quiet-', 20_000, 20_000, 'message', new Date('2026-11-29T00:00:00Z'));
    await sql`ANALYZE webhook_events`.execute(storage.db);
    const at = new Date('2026-11-30T12:00:00Z');
    await insert('stop-', 3000, 1000, 'unknown_token', at);
    // stop-3's events are all before its time; stop-7 is asked twice; quiet-5 had only messages.
    const batch = [
      { fbPageId: 'page-stop', psid: 'stop-3', after: new Date(at.getTime() + 5000) },
      { fbPageId: 'page-stop', psid: 'stop-7', after: at },
      { fbPageId: 'page-stop', psid: 'stop-7', after: new Date(at.getTime() + 2500) },
      { fbPageId: 'page-stop', psid: 'stop-11', after: at },
      { fbPageId: 'page-stop', psid: 'quiet-5', after: at },
    ];
    const params = [batch.map((c) => c.fbPageId), batch.map((c) => c.psid), batch.map((c) => c.after)];
    for (const mode of PLAN_MODES) {
      const plan = await explainAnalyzed(storage.db, unknownTokenAfter.text, params, mode);
      // At most their own 9 events: not all 3,000 for each customer.
      expect(rowsLookedAt(plan, 'webhook_events'), `${mode}\n${planOutline(plan)}`).toBeLessThanOrEqual(30);
    }
    const found = await customersWithUnknownTokenAfter(storage.db, batch);
    expect(found.map((c) => c.psid).sort()).toEqual(['stop-11', 'stop-7']);
  });
});
