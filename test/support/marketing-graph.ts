// A scripted stand-in for Meta's Marketing Message API at the HTTP boundary (channel/testing/fake-graph
// on loopback), for the app tests of R14 until the sandbox speaks act_{id}/… (issue 14 item 4, h6).
// It answers with the wire shapes of messenger-2026-notes §2.1–2.4 and records every call; the rules
// under test are the product's, not this script's. Errors are injected per path with `failNext`.
import { GraphClient, MarketingApi } from '../../src/channel/index.ts';
import {
  type FakeGraph,
  graphError,
  type RecordedRequest,
  startFakeGraph,
} from '../../src/channel/testing/fake-graph.ts';

export interface MarketingGraph {
  graph: FakeGraph;
  client: GraphClient;
  marketing: MarketingApi;
  /** Meta's subscriber token list of every page (GET /{page}/notification_message_tokens). */
  tokens: Array<{
    notification_messages_token: string;
    recipient_id: string;
    notification_messages_status?: string;
  }>;
  /** The estimate Meta gives (per request). */
  estimate: { lower: number; upper: number; costLower: number; costUpper: number };
  /** Answer the next call whose path ends with `suffix` with this Graph error. */
  failNext(suffix: string, code: number, subcode?: number): void;
  calls(suffix: string): RecordedRequest[];
  close(): Promise<void>;
}

export async function startMarketingGraph(opts: { accountStatus?: number } = {}): Promise<MarketingGraph> {
  const failures: Array<{ suffix: string; code: number; subcode: number | undefined }> = [];
  let campaigns = 0;
  let tracking = 0;
  const tokens: MarketingGraph['tokens'] = [];
  const world: Pick<MarketingGraph, 'estimate'> = {
    estimate: { lower: 1, upper: 1, costLower: 800, costUpper: 1000 },
  };
  const graph = await startFakeGraph((req) => {
    const i = failures.findIndex((f) => req.path.endsWith(f.suffix));
    if (i >= 0) {
      const [f] = failures.splice(i, 1);
      return { status: 400, body: graphError(f!.code, f!.subcode) };
    }
    if (req.query.access_token === 'revoked-token-000') return { status: 400, body: graphError(190) };
    if (req.method === 'GET' && /\/act_\d+$/.test(req.path)) {
      return {
        body: {
          id: req.path.split('/').pop(),
          name: 'Shop ads',
          currency: 'VND',
          account_status: opts.accountStatus ?? 1,
        },
      };
    }
    if (req.path.endsWith('/message_delivery_estimate')) {
      const e = world.estimate;
      return {
        body: {
          data: [
            {
              estimate_delivery_lower_bound: e.lower,
              estimate_delivery_upper_bound: e.upper,
              estimate_cost_lower_bound: e.costLower,
              estimate_cost_upper_bound: e.costUpper,
            },
          ],
        },
      };
    }
    if (req.path.endsWith('/message_campaign')) return { body: { id: `9000${++campaigns}` } };
    if (req.path.endsWith('/messages')) {
      return { body: { success: true, marketing_message_tracking_id: `trk-${++tracking}` } };
    }
    if (req.path.endsWith('/notification_message_tokens')) return { body: { data: tokens } };
    if (req.path.endsWith('/messaging_customer_base/unsubscribe')) return { body: { invalid_rows_count: 0 } };
    return { status: 404, body: graphError(100) };
  });
  const client = new GraphClient({ baseUrl: graph.baseUrl, version: 'v24.0', maxRetries: 0 });
  return {
    graph,
    client,
    marketing: new MarketingApi(client),
    tokens,
    get estimate() {
      return world.estimate;
    },
    set estimate(e) {
      world.estimate = e;
    },
    failNext(suffix, code, subcode) {
      failures.push({ suffix, code, subcode });
    },
    calls: (suffix) => graph.requests.filter((r) => r.path.endsWith(suffix)),
    async close() {
      await client.close();
      await graph.close();
    },
  };
}
