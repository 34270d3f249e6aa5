// Issue 9.4: Meta's Send API limit is per page (300 calls/s, platform.md), not per process. With the
// service and two `renotify worker` processes on one PostgreSQL database sending one campaign, the page
// once received 810–870 calls/s. The sandbox (in this process, no limit of its own) counts every call
// per page; the most it sees in any one second must stay within the page's limit, and the campaign must
// still reach every eligible recipient exactly once (R9d).
import { afterAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/platform.ts';
import { DEFAULT_PAGE } from '../../src/sandbox/index.ts';
import { waitFor } from '../e2e/harness.ts';
import { hasPostgres } from '../support/backends.ts';
import {
  campaignLedger,
  type Deployment,
  deployment,
  running,
  startOtnCampaign,
  startService,
  startWorker,
} from './deployment.ts';

const N = 4_000;
let d: Deployment | null = null;
afterAll(async () => {
  await d?.close();
});

describe.skipIf(!hasPostgres())(
  'trust: the per-page Graph rate limit is per process (issue 9, "Also")',
  () => {
    it('trust: service + two workers together never exceed the page limit in any second (sandbox counter), campaign exactly once', {
      timeout: 300_000,
    }, async () => {
      d = await deployment(N, { sandboxRate: 0 });
      const env = { ...d.env, GRAPH_RATE_LIMIT: String(LIMITS.callsPerSecond) };
      // At once, as an orchestrator starts them: all install pg-boss's schema on a fresh database.
      const procs = await Promise.all([startService(env), startWorker(env), startWorker(env)]);
      const campaignId = await startOtnCampaign(d);
      await waitFor(
        async () =>
          (await campaignLedger(d!, campaignId)).campaign.status === 'completed' || !procs.every(running),
        { what: 'campaign completed', timeoutMs: 240_000, intervalMs: 250 },
      );
      expect(procs.every(running)).toBe(true);
      const peak = d.world.sandbox!.core.limiter.peak(DEFAULT_PAGE.id);
      console.log(`[shared rate] ${N} recipients, 3 processes: peak ${peak} calls in one second`);
      expect(peak).toBeLessThanOrEqual(LIMITS.callsPerSecond);
      const ledger = await campaignLedger(d, campaignId);
      expect(ledger.twice).toBe(0);
      expect(ledger.missing).toBe(0);
      expect(ledger.campaign.sent_count).toBe(ledger.eligible);
    });
  },
);
