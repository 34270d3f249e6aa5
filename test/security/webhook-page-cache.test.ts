// Issue 13 (intake): deliveries are authenticated against pages cached in process, and the store
// statement itself checks that each page is still as cached (same row, workspace and secret ciphertext,
// connected, workspace not suspended). A page that changes between two deliveries must never get the
// second one's events stored on the stale entry: a delivery answered 200 is stored, one answered 4xx
// changes nothing (no event, no job). Real HTTP on a running renotify, PGlite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disconnectPage } from '../../src/app/page-connections.ts';
import { IntakePages } from '../../src/app/webhook-pages.ts';
import { setShopSuspended } from '../../src/app/workspace-admin.ts';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { loadConfig } from '../../src/config.ts';
import { JOBS } from '../../src/jobs/queue.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { signBody } from '../../src/sandbox/index.ts';
import type { Storage } from '../../src/storage/db.ts';
import { findPagesByFbIds, insertWorkspace } from '../../src/storage/pages.ts';
import { encrypt } from '../../src/storage/secrets.ts';
import { type PageBelief, storeEventsIfPages } from '../../src/storage/webhook-events.ts';
import { delivery } from '../e2e/harness.ts';
import { BACKENDS, openTestStorage } from '../support/backends.ts';
import { call } from './harness.ts';

const hex = () => randomBytes(6).toString('hex');

describe.each(BACKENDS)('webhook intake on cached pages (%s)', (backend) => {
  let storage: Storage;
  let rt: Runtime;
  const queueSchema = `boss_${hex()}`;
  const db = () => storage.db;

  /** A workspace with a page of its own app secret (as the sandbox's pages and pre-issue-12 pages). */
  const shop = async () => {
    const fbPageId = `cache-${hex()}`;
    const secret = `secret-${hex()}`;
    const { workspaceId, page } = await createWorkspace(rt.ctx, `Shop ${hex()}`, {
      fbPageId,
      name: 'Page',
      accessToken: `EAA-${hex()}`,
      appSecret: secret,
    });
    return { workspaceId, pageId: page.id, fbPageId, secret };
  };
  const message = (fbPageId: string, psid: string, mid: string) =>
    delivery(fbPageId, [
      {
        sender: { id: psid },
        recipient: { id: fbPageId },
        timestamp: rt.clock.now().getTime(),
        message: { mid, text: 'xin chào' },
      },
    ]);
  const post = (body: unknown, secret: string) => {
    const raw = JSON.stringify(body);
    return call(rt.url!, 'POST', '/webhooks/messenger', {}, raw, {
      'x-hub-signature-256': signBody(secret, raw),
    });
  };
  const events = async (psid: string) =>
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_events WHERE psid = ${psid}`.execute(
        db(),
      )
    ).rows[0]!.n;
  // No worker runs: every job the intake enqueued is still in pg-boss's table.
  const jobs = async (psid: string) =>
    (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM ${sql.table(`${queueSchema}.job`)} WHERE data->>'psid' = ${psid}`.execute(
        db(),
      )
    ).rows[0]!.n;
  /** One delivery for a page, first cached by a delivery answered 200 and stored. */
  const cachedShop = async () => {
    const s = await shop();
    const psid = `psid-${hex()}`;
    expect((await post(message(s.fbPageId, psid, `m_${hex()}`), s.secret)).status).toBe(200);
    expect([await events(psid), await jobs(psid)]).toEqual([1, 1]);
    return s;
  };

  beforeAll(async () => {
    storage = await openTestStorage(backend);
    rt = await startRuntime({
      config: { ...loadConfig({}), port: 0, sandboxPort: 0, host: '127.0.0.1' },
      storage,
      queueSchema,
      worker: false,
      security: { apiRatePerMinute: 0 },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await storage?.close();
  });

  it('trust: a page disconnected after it was cached gets 403 and nothing stored (no event, no job)', async () => {
    const s = await cachedShop();
    await disconnectPage(rt.ctx, s.workspaceId, s.pageId);
    const psid = `psid-${hex()}`;
    const res = await post(message(s.fbPageId, psid, `m_${hex()}`), s.secret);
    expect(res.status).toBe(403);
    expect([await events(psid), await jobs(psid)]).toEqual([0, 0]);
  });

  it('trust: a page whose app secret rotated refuses the old secret (nothing stored) and accepts the new one', async () => {
    const s = await cachedShop();
    const rotated = `rotated-${hex()}`;
    await db()
      .updateTable('pages')
      .set({ app_secret: encrypt(rotated) })
      .where('id', '=', s.pageId)
      .execute();
    const old = `psid-${hex()}`;
    expect((await post(message(s.fbPageId, old, `m_${hex()}`), s.secret)).status).toBe(403);
    expect([await events(old), await jobs(old)]).toEqual([0, 0]);
    const fresh = `psid-${hex()}`;
    expect((await post(message(s.fbPageId, fresh, `m_${hex()}`), rotated)).status).toBe(200);
    expect([await events(fresh), await jobs(fresh)]).toEqual([1, 1]);
  });

  it('suspend (issue 12.2): a workspace suspended after its page was cached: 200, nothing stored; resumed: stored', async () => {
    const s = await cachedShop();
    await setShopSuspended(rt.ctx, s.workspaceId, true);
    const during = `psid-${hex()}`;
    expect((await post(message(s.fbPageId, during, `m_${hex()}`), s.secret)).status).toBe(200);
    expect([await events(during), await jobs(during)]).toEqual([0, 0]);
    await setShopSuspended(rt.ctx, s.workspaceId, false);
    const after = `psid-${hex()}`;
    expect((await post(message(s.fbPageId, after, `m_${hex()}`), s.secret)).status).toBe(200);
    expect([await events(after), await jobs(after)]).toEqual([1, 1]);
  });

  it('trust: a stale page in a group of concurrent deliveries fails only its own; every 200 is stored', async () => {
    const good = await cachedShop();
    const gone = await cachedShop();
    await disconnectPage(rt.ctx, gone.workspaceId, gone.pageId);
    const sent = Array.from({ length: 24 }, (_, i) => {
      const s = i % 3 === 0 ? gone : good;
      return { s, psid: `psid-${hex()}` };
    });
    const replies = await Promise.all(
      sent.map(({ s, psid }) => post(message(s.fbPageId, psid, `m_${hex()}`), s.secret)),
    );
    for (const [i, { s, psid }] of sent.entries()) {
      const ok = s === good;
      expect(replies[i]!.status).toBe(ok ? 200 : 403);
      expect([await events(psid), await jobs(psid)]).toEqual(ok ? [1, 1] : [0, 0]);
    }
  });

  it('trust: the guarded store writes nothing for a belief that no longer holds — page moved, disconnected, secret changed, workspace suspended', async () => {
    const s = await shop();
    const [page] = await findPagesByFbIds(db(), [s.fbPageId]);
    const belief: PageBelief = {
      fbPageId: s.fbPageId,
      pageId: page!.id,
      workspaceId: s.workspaceId,
      secretCiphertext: page!.secret_ciphertext,
    };
    const insert = rt.ctx.queue.jobsInsert?.(JOBS.webhookCustomer);
    const store = (beliefs: PageBelief[], psid: string) =>
      storeEventsIfPages(
        db(),
        beliefs,
        [
          {
            fbPageId: s.fbPageId,
            psid,
            kind: 'message',
            idempotencyKey: `k-${psid}`,
            eventAt: rt.clock.now(),
            body: { psid },
          },
        ],
        rt.clock.now(),
        insert && { insert: insert.text, payload: insert.payload([{ fbPageId: s.fbPageId, psid }]) },
      );
    const refused = async (beliefs: PageBelief[]) => {
      const psid = `psid-${hex()}`;
      expect(await store(beliefs, psid)).toBe('stale');
      expect([await events(psid), await jobs(psid)]).toEqual([0, 0]);
    };
    // Holding beliefs store (events and jobs); a repeat of the same key stores nothing new, nor a second
    // job while the customer's first one waits.
    const psid = `psid-${hex()}`;
    expect(await store([belief, belief], psid)).toEqual(new Set([`k-${psid}`]));
    expect(await store([belief], psid)).toEqual(new Set());
    expect([await events(psid), await jobs(psid)]).toEqual([1, insert ? 1 : 0]);
    // Each way the belief can be wrong, or two beliefs of one page that disagree.
    await refused([{ ...belief, secretCiphertext: encrypt('other') }]);
    await refused([{ ...belief, secretCiphertext: null }]);
    await refused([belief, { ...belief, workspaceId: belief.workspaceId + 1 }]);
    await refused([{ ...belief, pageId: belief.pageId + 1 }]);
    await refused([{ ...belief, fbPageId: `nobody-${hex()}` }]);
    const other = await insertWorkspace(db(), 'Other', rt.clock.now());
    await db().updateTable('pages').set({ workspace_id: other }).where('id', '=', s.pageId).execute();
    await refused([belief]);
    await db().updateTable('pages').set({ workspace_id: s.workspaceId }).where('id', '=', s.pageId).execute();
    await setShopSuspended(rt.ctx, s.workspaceId, true);
    await refused([belief]);
    await setShopSuspended(rt.ctx, s.workspaceId, false);
    await disconnectPage(rt.ctx, s.workspaceId, s.pageId);
    await refused([belief]);
  });

  it('memory: the page cache holds at most its bound, only writable pages, and forgets a page found disconnected', async () => {
    const [a, b, c] = [await shop(), await shop(), await shop()];
    const cache = new IntakePages(db(), 2);
    await cache.fresh([a.fbPageId, b.fbPageId, c.fbPageId, `nobody-${hex()}`]);
    expect(cache.size).toBe(2);
    // The oldest went first; a delivery naming it is looked up again.
    expect(cache.cached([a.fbPageId])).toBeUndefined();
    expect([...cache.cached([b.fbPageId, c.fbPageId])!.keys()]).toEqual([b.fbPageId, c.fbPageId]);
    await setShopSuspended(rt.ctx, b.workspaceId, true);
    await disconnectPage(rt.ctx, c.workspaceId, c.pageId);
    const found = await cache.fresh([b.fbPageId, c.fbPageId]);
    expect(found.get(c.fbPageId)?.connection_status).toBe('disconnected');
    expect(cache.size).toBe(0);
    await setShopSuspended(rt.ctx, b.workspaceId, false);
  });
});
