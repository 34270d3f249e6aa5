// The webhook queue under real deliveries and across an upgrade. The intake keeps one waiting job per
// customer (JOBS.webhookCustomer, pg-boss's `short` policy keyed by customer: a job applies every event
// of its customer pending when it runs). An installation of an earlier version has its own queue
// (LEGACY_JOBS.webhookCustomer, standard policy, pg-boss cannot change it) and may have jobs waiting in it
// when it upgrades: the worker still applies them. Real service and worker, PGlite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { JOBS, LEGACY_JOBS, type WebhookCustomerJob } from '../../src/jobs/queue.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { signBody } from '../../src/sandbox/index.ts';
import type { Storage } from '../../src/storage/db.ts';
import { storeEvents } from '../../src/storage/webhook-events.ts';
import { delivery, waitFor } from '../e2e/harness.ts';
import { call } from '../security/harness.ts';
import { BACKENDS, openTestStorage } from '../support/backends.ts';

const APP_SECRET = 'sandbox-app-secret'; // the sandbox page's default (docs/SANDBOX.md)
const hex = () => randomBytes(4).toString('hex');

describe.each(BACKENDS)('the webhook queue (%s)', (backend) => {
  const runtimes: Runtime[] = [];
  const storages: Storage[] = [];
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
    for (const s of storages.splice(0)) await s.close();
  });
  const start = async (storage: Storage, queueSchema: string, worker: boolean) => {
    const rt = await startRuntime({
      config: { ...loadConfig({}), port: 0, sandboxPort: 0, host: '127.0.0.1' },
      storage,
      queueSchema,
      worker,
      security: { apiRatePerMinute: 0 },
    });
    runtimes.push(rt);
    return rt;
  };
  const pendingOf = async (storage: Storage, psids: string[]) =>
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_events
        WHERE psid = ANY(${psids}) AND processed_at IS NULL`.execute(storage.db)
    ).rows[0]!.n;

  it('trust: four deliveries of one customer, each stored by its own group commit, leave four events and one waiting job', async () => {
    const storage = await openTestStorage(backend);
    storages.push(storage);
    const rt = await start(storage, `boss_q_${hex()}`, false);
    const page = rt.page.fb_page_id;
    const psid = `one-${hex()}`;
    for (let i = 0; i < 4; i++) {
      const raw = JSON.stringify(
        delivery(page, [
          {
            sender: { id: psid },
            recipient: { id: page },
            timestamp: rt.clock.now().getTime() + i,
            message: { mid: `m_${hex()}`, text: `tin nhắn ${i}` },
          },
        ]),
      );
      const r = await call(rt.url!, 'POST', '/webhooks/messenger', {}, raw, {
        'x-hub-signature-256': signBody(APP_SECRET, raw),
      });
      expect(r.status).toBe(200);
    }
    expect(await pendingOf(storage, [psid])).toBe(4);
    const jobs = (await rt.queue.boss.findJobs<WebhookCustomerJob>(JOBS.webhookCustomer)).filter(
      (j) => j.data.psid === psid,
    );
    expect(jobs.map((j) => j.state)).toEqual(['created']);
  });

  it('trust: upgraded with jobs waiting in the earlier versions’ standard-policy queue: the worker applies them and they end completed', async () => {
    const storage = await openTestStorage(backend);
    storages.push(storage);
    const queueSchema = `boss_up_${hex()}`;
    // The earlier version's state: its queue (standard policy, the name and options it created it
    // with), a job per customer waiting in it, their events stored and not applied.
    const before = await start(storage, queueSchema, false);
    const page = before.page.fb_page_id;
    const psids = [1, 2, 3].map((i) => `legacy-${i}-${hex()}`);
    const at = before.clock.now();
    await storeEvents(
      storage.db,
      psids.map((psid, i) => ({
        fbPageId: page,
        psid,
        kind: 'message',
        idempotencyKey: `legacy-${psid}`,
        eventAt: new Date(at.getTime() + i),
        body: {
          sender: { id: psid },
          recipient: { id: page },
          timestamp: at.getTime() + i,
          message: { mid: `m_${psid}`, text: 'xin chào' },
        },
      })),
      at,
    );
    await before.queue.boss.insert(
      LEGACY_JOBS.webhookCustomer,
      psids.map((psid) => ({ data: { fbPageId: page, psid } })),
    );
    expect((await before.queue.boss.getQueue(LEGACY_JOBS.webhookCustomer))?.policy).toBe('standard');
    await before.close();
    runtimes.splice(runtimes.indexOf(before), 1);

    const after = await start(storage, queueSchema, true);
    const legacy = async () =>
      (await after.queue.boss.findJobs<WebhookCustomerJob>(LEGACY_JOBS.webhookCustomer)).filter((j) =>
        psids.includes(j.data.psid),
      );
    await waitFor(
      async () => {
        const jobs = await legacy();
        return jobs.length === 3 && jobs.every((j) => j.state === 'completed');
      },
      { what: 'the three jobs waiting in the earlier queue completed', timeoutMs: 30_000 },
    );
    expect(await pendingOf(storage, psids)).toBe(0);
  });
});
