// The intake's store statement as rows arrive in PostgreSQL: every column as given (the events travel as
// one JSON parameter), the body encrypted at rest and read back whole, duplicates skipped, the group's
// page beliefs checked (nothing written when one is stale).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import type { Storage } from './db.ts';
import { findPagesByFbIds } from './pages.ts';
import {
  eventBody,
  type InboxEvent,
  type PageBelief,
  pendingOfCustomers,
  storeEvents,
  storeEventsIfPages,
  takePendingOf,
} from './webhook-events.ts';

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Join Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows of `table` a plan looked at: those its scans returned or filtered out, and those joins threw away. */
function rowsLookedAt(node: PlanNode, table: string): number {
  const loops = node['Actual Loops'];
  const scanned =
    node['Relation Name'] === table
      ? (node['Actual Rows'] +
          (node['Rows Removed by Filter'] ?? 0) +
          (node['Rows Removed by Index Recheck'] ?? 0)) *
        loops
      : 0;
  const joined = (node['Rows Removed by Join Filter'] ?? 0) * loops;
  return scanned + joined + (node.Plans ?? []).reduce((n, c) => n + rowsLookedAt(c, table), 0);
}

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
    const list = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]::text[]`;
    const args = `${list(batch.map((c) => c.fbPageId))}, ${list(batch.map((c) => c.psid))}, 1000`;
    // As planned for these values, and as the plan kept for any values (used after 5 executions).
    for (const mode of ['force_custom_plan', 'force_generic_plan']) {
      const explained = await storage.db.connection().execute(async (conn) => {
        await sql.raw(`SET plan_cache_mode = ${mode}`).execute(conn);
        await sql
          .raw(`PREPARE pending_of_test(text[], text[], int) AS ${pendingOfCustomers.text}`)
          .execute(conn);
        try {
          const r = await sql
            .raw<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
              `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE pending_of_test(${args})`,
            )
            .execute(conn);
          return r.rows[0]!['QUERY PLAN'][0]!.Plan;
        } finally {
          await sql.raw('DEALLOCATE pending_of_test').execute(conn);
          await sql.raw('RESET plan_cache_mode').execute(conn);
        }
      });
      // Their 9 events, each looked at about once: not every pending event once per customer.
      expect(rowsLookedAt(explained, 'webhook_events'), mode).toBeLessThanOrEqual(30);
    }
    const rows = await storage.db.transaction().execute((tx) => takePendingOf(tx, batch, 1000));
    expect(rows.map((r) => [r.psid, r.idempotency_key])).toEqual(
      [11, 3, 7].flatMap((n) => [0, 1, 2].map((k) => [`crowd-${n}`, `burst:${n + 1000 * k}`])),
    );
  });
});
