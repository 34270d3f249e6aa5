// R14b: Meta's token list as stored. A token not seen by a complete read has unsubscribed — so what a
// read records as "seen" must never go back in time, whichever of two overlapping reads writes last
// (the hourly sweep of every worker process, and the admin's "sync now").
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { seedWorkspace } from '../../test/support/factories.ts';
import {
  explainAnalyzed,
  insertSubscribers,
  insertTopic,
  PLAN_MODES,
  planOutline,
  rowsLookedAt,
} from '../../test/support/plans.ts';
import type { Storage } from './db.ts';
import * as meta from './meta-subscribers.ts';
import * as subscriptions from './subscriptions.ts';

describe.each(BACKENDS)("Meta's token list on %s", (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  it('an older read written after a newer one does not make the newer read call its tokens gone', async () => {
    const w = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    const row = { token: `tok-${w.workspaceId}`, psid: `psid-${w.workspaceId}`, unsubscribed: false };
    const older = new Date(w.clock.now().getTime());
    const newer = new Date(older.getTime() + 60_000);
    // The newer read records its chunk first; the older read's chunk (same token) lands after it.
    await meta.upsertMetaSubscribers(storage.db, w.page.id, [row], newer);
    await meta.upsertMetaSubscribers(storage.db, w.page.id, [row], older);
    // The newer read completes: the token was in its list, so it is not unlisted.
    expect(await meta.markUnlistedUnsubscribed(storage.db, w.page.id, newer, newer)).toEqual([]);
    expect(await meta.tokenOfPsid(storage.db, w.page.id, row.psid)).toEqual({
      token: row.token,
      unsubscribed: false,
    });
  });

  it('an older read written after a newer one does not undo what the newer one saw (a STOP)', async () => {
    const w = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    const live = { token: `tok2-${w.workspaceId}`, psid: `psid2-${w.workspaceId}`, unsubscribed: false };
    const older = new Date(w.clock.now().getTime());
    const newer = new Date(older.getTime() + 60_000);
    await meta.upsertMetaSubscribers(storage.db, w.page.id, [{ ...live, unsubscribed: true }], newer);
    // The older read still listed the token live: that is not news after the newer read's STOP.
    expect(await meta.upsertMetaSubscribers(storage.db, w.page.id, [live], older)).toBe(0);
    expect(await meta.tokenOfPsid(storage.db, w.page.id, live.psid)).toEqual({
      token: live.token,
      unsubscribed: true,
    });
  });
  it("a chunk of Meta's list finds our tokens by the page key, however stale the statistics (a burst of opt-ins on the page)", async () => {
    const db = storage.db;
    await sql`ALTER TABLE subscriptions SET (autovacuum_enabled = off)`.execute(db);
    // The statistics know a quiet shop's 20,000 tokens; then 5,000 opt-ins on a page they never saw.
    const quiet = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    await insertSubscribers(db, quiet, await insertTopic(db, quiet, 'quiet'), 20_000);
    await sql`ANALYZE subscriptions`.execute(db);
    const live = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    await insertSubscribers(db, live, await insertTopic(db, live, 'live'), 5000);
    const ours = (
      await sql<{
        h: string;
      }>`SELECT token_hash AS h FROM subscriptions WHERE page_id = ${live.page.id} ORDER BY id LIMIT 50`.execute(
        db,
      )
    ).rows.map((r) => r.h);
    const quietOne = (
      await sql<{
        h: string;
      }>`SELECT token_hash AS h FROM subscriptions WHERE page_id = ${quiet.page.id} LIMIT 1`.execute(db)
    ).rows[0]!.h;
    // Ours, one of them twice, the quiet page's token and one nobody holds.
    const hashes = [...ours, ours[0]!, quietOne, 'hash-none'];
    const statement = meta.knownTokenHashesStatement(live.page.id, hashes).compile(db);
    for (const mode of PLAN_MODES) {
      const plan = await explainAnalyzed(db, statement.sql, statement.parameters, mode);
      // Each hash looked up once: not every token of the page for each chunk.
      expect(rowsLookedAt(plan, 'subscriptions'), `${mode}\n${planOutline(plan)}`).toBeLessThanOrEqual(150);
    }
    expect(await meta.knownTokenHashes(db, live.page.id, hashes)).toEqual(new Set(ours));
  });

  it('R14e: the sweep reads only the stops still to tell, on the pages it names, and no consent history', async () => {
    const db = storage.db;
    // A paid-route shop: 3,000 recurring tokens, each accepted (a consent row), a thousand stopped and of
    // those 900 already told to Meta; a neighbour's 10,000 tokens and 20,000 consent rows beside them; a
    // third page, not on the paid route (not named), with 5,000 stops nobody will tell Meta.
    const shop = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    const topic = await insertTopic(db, shop, 'deals');
    await insertSubscribers(db, shop, topic, 3000);
    const neighbour = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    await insertSubscribers(db, neighbour, await insertTopic(db, neighbour, 'other'), 10_000);
    const free = await seedWorkspace(storage, { profile: '2026', region: 'FR' });
    await insertSubscribers(db, free, await insertTopic(db, free, 'free'), 5000);
    const consent = (page: number, event: string, where: string, at: string) =>
      sql`INSERT INTO consent_history (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at)
        SELECT workspace_id, page_id, topic_id, customer_id, id, ${event}, ${sql.raw(at)}
        FROM subscriptions WHERE page_id = ${page} ${sql.raw(where)}`.execute(db);
    for (const s of [neighbour, neighbour, shop])
      await consent(s.page.id, 'accepted', '', "now() - interval '2 days'");
    await sql`UPDATE subscriptions SET stopped_at = now() - interval '1 day' WHERE page_id = ${free.page.id}`.execute(
      db,
    );
    const stopped = (
      await sql<{ id: number }>`UPDATE subscriptions SET stopped_at = now() - interval '1 day'
        WHERE id IN (SELECT id FROM subscriptions WHERE page_id = ${shop.page.id} ORDER BY id LIMIT 1000)
        RETURNING id`.execute(db)
    ).rows
      .map((r) => r.id)
      .sort((a, b) => a - b);
    await consent(shop.page.id, 'stopped', 'AND stopped_at IS NOT NULL', "now() - interval '1 day'");
    const told = stopped.filter((_, i) => i % 10 !== 0);
    const stoppedAt = (
      await sql<{ at: Date }>`SELECT stopped_at AS at FROM subscriptions WHERE id = ${stopped[0]}`.execute(db)
    ).rows[0]!.at;
    for (const id of told) await meta.markStopTold(db, id, stoppedAt, new Date());
    await consent(shop.page.id, 'meta_unsubscribed', `AND id = any('{${told.join(',')}}'::int[])`, 'now()');
    await sql`ANALYZE subscriptions, consent_history, customers`.execute(db);
    const statement = meta.stopsNotToldToMetaStatement(db, [shop.page.id, neighbour.page.id], 100);
    // The sweep runs every minute in every worker process; stops and the history only grow.
    for (const mode of PLAN_MODES) {
      const plan = await explainAnalyzed(db, statement.sql, statement.parameters, mode);
      const why = `${mode}\n${planOutline(plan)}`;
      // The shop's 100 stops still to tell (and the neighbour's none): not its 1,000 stops, not the
      // free page's 5,000, not the history.
      expect(rowsLookedAt(plan, 'subscriptions'), why).toBeLessThanOrEqual(200);
      expect(rowsLookedAt(plan, 'consent_history'), why).toBe(0);
    }
    const untold = stopped.filter((id) => !told.includes(id));
    const found = await meta.stopsNotToldToMeta(db, [shop.page.id, neighbour.page.id], 100);
    expect(found.map((s) => s.subscriptionId)).toEqual(untold);
    // A refused try sends a stop to the back of the line.
    await meta.markStopTried(db, untold[0]!, stoppedAt, new Date());
    const next = await meta.stopsNotToldToMeta(db, [shop.page.id, neighbour.page.id], 100);
    expect(next.map((s) => s.subscriptionId)).toEqual([...untold.slice(1), untold[0]]);
  });

  it('R14e: a told stop is the one read; the token’s next stop is told afresh, not queued behind others', async () => {
    const db = storage.db;
    const shop = await seedWorkspace(storage, { profile: '2026', region: 'VN' });
    await insertSubscribers(db, shop, await insertTopic(db, shop, 'r14e'), 3);
    const ids = (
      await sql<{ id: number }>`UPDATE subscriptions SET stopped_at = '2026-11-01T10:00:00.000123Z'
        WHERE page_id = ${shop.page.id} RETURNING id`.execute(db)
    ).rows
      .map((r) => r.id)
      .sort((a, b) => a - b);
    const untold = async () =>
      (await meta.stopsNotToldToMeta(db, [shop.page.id], 100)).map((s) => s.subscriptionId);
    const [first, second, third] = ids as [number, number, number];
    // Read with the stored microseconds cut to milliseconds, as the sweep reads it.
    const read = (await meta.stopsNotToldToMeta(db, [shop.page.id], 100)).find(
      (s) => s.subscriptionId === first,
    )!;
    // Meta refused the first once: it goes last.
    await meta.markStopTried(db, first, read.stoppedAt, new Date('2026-11-01T10:01:00Z'));
    expect(await untold()).toEqual([second, third, first]);
    // Then told.
    await meta.markStopTold(db, first, read.stoppedAt, new Date('2026-11-01T10:02:00Z'));
    expect(await untold()).toEqual([second, third]);
    // The customer resumes and stops again: the new stop is to tell, first in line (never tried).
    await sql`UPDATE subscriptions SET stopped_at = '2026-11-02T10:00:00Z' WHERE id = ${first}`.execute(db);
    expect(await untold()).toEqual([first, second, third]);
    // The second's stop is read; it resumes and stops again while Meta is being called: the answer was
    // about the earlier stop, so the new one stays to tell.
    const second0 = (await meta.stopsNotToldToMeta(db, [shop.page.id], 100)).find(
      (s) => s.subscriptionId === second,
    )!;
    await sql`UPDATE subscriptions SET stopped_at = '2026-11-02T11:00:00Z' WHERE id = ${second}`.execute(db);
    await meta.markStopTold(db, second, second0.stoppedAt, new Date('2026-11-02T11:00:05Z'));
    expect(await untold()).toEqual([first, second, third]);
    // The first (its new stop) and then the third are refused: both go last, the older try first.
    const now = async (id: number) =>
      (await meta.stopsNotToldToMeta(db, [shop.page.id], 100)).find((s) => s.subscriptionId === id)!
        .stoppedAt;
    await meta.markStopTried(db, first, await now(first), new Date('2026-11-02T11:30:00Z'));
    await meta.markStopTried(db, third, await now(third), new Date('2026-11-02T12:00:00Z'));
    expect(await untold()).toEqual([second, first, third]);
    // The third resumes and stops again (the product's own stop): its new stop is not queued behind the
    // others for the old refusal.
    const at = new Date('2026-11-02T12:30:00Z');
    await subscriptions.setStopped(db, third, null, at, at);
    await subscriptions.setStopped(db, third, new Date('2026-11-02T13:00:00Z'), at, at);
    expect(await untold()).toEqual([second, third, first]);
    // A refusal of a stop no longer standing (the second's earlier one) marks nothing.
    await meta.markStopTried(db, second, second0.stoppedAt, new Date('2026-11-02T13:00:01Z'));
    expect(await untold()).toEqual([second, third, first]);
  });
});
