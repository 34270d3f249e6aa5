// The intake's store statement as rows arrive in PostgreSQL: every column as given (the events travel as
// one JSON parameter), the body encrypted at rest and read back whole, duplicates skipped, the group's
// page beliefs checked (nothing written when one is stale).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import type { Storage } from './db.ts';
import { findPagesByFbIds } from './pages.ts';
import {
  eventBody,
  type InboxEvent,
  type PageBelief,
  storeEvents,
  storeEventsIfPages,
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
});
