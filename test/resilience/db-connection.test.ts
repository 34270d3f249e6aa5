// Issue 9.2: a dropped database connection must not end the service or a worker. The real processes
// (src/main.ts and `renotify worker`, live mode against the sandbox in this process) run a campaign on
// PostgreSQL; the test terminates their backends (pg_terminate_backend, only this deployment's
// application_name in this database) twice mid-campaign and once during webhook intake. Both processes
// must stay up, /healthz must answer 200 again, the campaign must complete with every eligible
// recipient exactly once in the sandbox's log (R9d), and no webhook answered 200 may be lost.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/sandbox/index.ts';
import { api, delivery, waitFor } from '../e2e/harness.ts';
import { hasPostgres } from '../support/backends.ts';
import {
  campaignLedger,
  type Deployment,
  deployment,
  killBackends,
  running,
  startOtnCampaign,
  startService,
  startWorker,
} from './deployment.ts';
import { type PgProxy, pgProxy } from './pg-proxy.ts';

const N = 3_000;
const deployments: Deployment[] = [];
const proxies: PgProxy[] = [];
afterAll(async () => {
  for (const d of deployments) await d.close();
  for (const p of proxies) await p.close();
});

/** Posts one signed message delivery from customer `psid`; the HTTP status, or null on a socket error. */
async function postMessage(url: string, d: Deployment, psid: string, mid: string): Promise<number | null> {
  const pageId = d.env.FB_PAGE_ID!;
  const raw = JSON.stringify(
    delivery(pageId, [
      { sender: { id: psid }, recipient: { id: pageId }, timestamp: Date.now(), message: { mid, text: mid } },
    ]),
  );
  const res = await api(url, 'POST', '/webhooks/messenger', raw, {
    'content-type': 'application/json',
    'x-hub-signature-256': signBody(d.env.FB_APP_SECRET!, raw),
  }).catch(() => null);
  return res?.status ?? null;
}

/** Deliveries from `count` new customers, one after the other; resolves with the mids answered 200. */
async function webhookStream(url: string, d: Deployment, count: number, tag: string) {
  const acked: string[] = [];
  for (let i = 0; i < count; i++) {
    const mid = `m_${tag}_${i}`;
    if ((await postMessage(url, d, `wh-${tag}-${i}`, mid)) === 200) acked.push(mid);
  }
  return acked;
}

async function processedMids(d: Deployment, like: string): Promise<Set<string>> {
  const r = await sql<{ mid: string }>`
    SELECT substr(idempotency_key, 9) AS mid FROM webhook_events
    WHERE psid LIKE ${like} AND processed_at IS NOT NULL`.execute(d.storage.db);
  return new Set(r.rows.map((x) => x.mid));
}

describe.skipIf(!hasPostgres())('trust: a dropped database connection kills the service (issue 9.2)', () => {
  it('trust: service and worker ride through terminated PostgreSQL backends; campaign exactly once (R9d), no acknowledged webhook lost', {
    timeout: 300_000,
  }, async () => {
    const d = await deployment(N);
    deployments.push(d);
    // At once, as an orchestrator starts them: both install pg-boss's schema on a fresh database.
    const [service, worker] = await Promise.all([startService(d.env), startWorker(d.env)]);
    const url = service.url!;
    const campaignId = await startOtnCampaign(d);
    const got = () => d.world.sandbox!.state.received.length;

    const up = () => {
      expect(running(service), `service died:\n${service.output()}`).toBe(true);
      expect(running(worker), `worker died:\n${worker.output()}`).toBe(true);
    };
    // Mid-campaign, twice (the wait ends early when a process died, so that the failure says so).
    for (const share of [0.25, 0.6]) {
      await waitFor(() => got() >= N * share || !running(service) || !running(worker), {
        what: `${share * 100}% sent`,
        timeoutMs: 120_000,
      });
      up();
      expect(await killBackends(d)).toBeGreaterThan(0);
    }
    // During webhook intake: deliveries keep coming while the backends go.
    const stream = webhookStream(url, d, 150, 'a');
    await waitFor(
      async () =>
        Number(
          (
            await sql<{
              n: number;
            }>`SELECT count(*)::int AS n FROM webhook_events WHERE psid LIKE 'wh-a-%'`.execute(d.storage.db)
          ).rows[0]!.n,
        ) >= 30,
      { what: '30 deliveries stored', timeoutMs: 60_000 },
    );
    expect(await killBackends(d)).toBeGreaterThan(0);
    const acked = await stream;
    up();
    await waitFor(async () => (await api(url, 'GET', '/healthz')).status === 200, {
      what: '/healthz 200 again',
      timeoutMs: 60_000,
    });

    await waitFor(async () => (await campaignLedger(d, campaignId)).campaign.status === 'completed', {
      what: 'campaign completed',
      timeoutMs: 200_000,
      intervalMs: 250,
    });
    const ledger = await campaignLedger(d, campaignId);
    expect(ledger.twice).toBe(0);
    expect(ledger.missing).toBe(0);
    expect(ledger.received).toBe(ledger.eligible);
    expect(ledger.campaign.sent_count).toBe(ledger.eligible);
    expect(ledger.campaign.skipped_count).toBe(N - ledger.eligible);
    expect(ledger.campaign.failed_count).toBe(0);

    // Every acknowledged delivery is stored and gets applied.
    expect(acked.length).toBeGreaterThan(0);
    await waitFor(
      async () => {
        const processed = await processedMids(d, 'wh-a-%');
        return acked.every((m) => processed.has(m));
      },
      { what: 'every acknowledged webhook applied', timeoutMs: 120_000, intervalMs: 250 },
    );
    up();
  });

  it('trust: /healthz answers 503 with the reason while the database is away, 200 when it is back, and the service carries on', {
    timeout: 180_000,
  }, async () => {
    const d = await deployment(10);
    deployments.push(d);
    const proxy = await pgProxy(process.env.DATABASE_URL!);
    proxies.push(proxy);
    const service = await startService({ ...d.env, DATABASE_URL: proxy.url });
    const url = service.url!;
    expect((await api(url, 'GET', '/healthz')).status).toBe(200);

    await proxy.down();
    const away = await waitFor(
      async () => {
        const r = await api(url, 'GET', '/healthz');
        return r.status === 503 ? r : null;
      },
      { what: '/healthz 503', timeoutMs: 60_000 },
    );
    expect(away.body.status).toBe('unavailable');
    expect(away.body.reason).toMatch(/^database: .*(ECONNREFUSED|connect|terminated|timeout)/i);
    // Not acknowledged while the database is away, so Meta delivers it again later.
    expect(await postMessage(url, d, 'wh-b-0', 'm_b_0')).not.toBe(200);
    // The queue's and the dispatcher's loops have met the outage (and lived).
    await waitFor(() => /\[queue\]/.test(service.output()) && /\[dispatcher\]/.test(service.output()), {
      what: 'queue and dispatcher saw the outage',
      timeoutMs: 60_000,
    });
    expect(running(service), `service died:\n${service.output()}`).toBe(true);

    await proxy.up();
    await waitFor(async () => (await api(url, 'GET', '/healthz')).status === 200, {
      what: '/healthz 200 again',
      timeoutMs: 60_000,
    });
    // Meta's redelivery is taken and applied: intake and the queue worker carry on.
    expect(await postMessage(url, d, 'wh-b-0', 'm_b_0')).toBe(200);
    await waitFor(async () => (await processedMids(d, 'wh-b-%')).has('m_b_0'), {
      what: 'the redelivered webhook applied',
      timeoutMs: 60_000,
    });
    expect(running(service)).toBe(true);
  });
});
