import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendPlan } from '../domain/model.ts';
import { type BatchItem, GraphClient, type PageCredentials } from './graph-client.ts';
import { appSecretProof, decodeBatchItemBody, encodeBatchItemBody } from './graph-wire.ts';
import { textMessage } from './messages.ts';
import { PageRateLimiter } from './rate-limiter.ts';
import { type FakeGraph, graphError, type ScriptedReply, startFakeGraph } from './testing/fake-graph.ts';

const page: PageCredentials = { pageId: '1001', accessToken: 'PAGE_TOKEN', appSecret: 'secret' };

interface BatchRequestBody {
  access_token: string;
  include_headers: boolean;
  batch: Array<{ method: string; relative_url: string; body: string }>;
}

const item = (psid: string, over: Partial<SendPlan> = {}): BatchItem => ({
  plan: { messagingType: 'UPDATE', tag: null, recipient: { id: psid }, subscriptionId: null, ...over },
  message: textMessage(`hello ${psid}`),
});

/** Decodes one batch item's form body back to {recipient, message, ...}. */
function decoded(body: unknown, i: number): Record<string, unknown> {
  return decodeBatchItemBody((body as BatchRequestBody).batch[i]!.body);
}

/** Answers each batch item through `perItem(psid, callIndex)`; the default is success. */
function batchScript(
  perItem: (psid: string, call: number) => ScriptedReply['body'] | null = () => undefined,
) {
  return (req: { body: unknown }, call: number): ScriptedReply => {
    const batch = (req.body as BatchRequestBody).batch;
    return {
      body: batch.map((_, i) => {
        const psid = (decoded(req.body, i).recipient as { id: string }).id;
        const custom = perItem(psid, call);
        if (custom === null) return null;
        return custom ?? { code: 200, body: JSON.stringify({ recipient_id: psid, message_id: `m_${psid}` }) };
      }),
    };
  };
}

class CountingLimiter extends PageRateLimiter {
  readonly calls: Array<[string, number]> = [];
  override acquire(pageId: string, n = 1): Promise<void> {
    this.calls.push([pageId, n]);
    return super.acquire(pageId, n);
  }
}

let graph: FakeGraph;
let client: GraphClient;
let limiter: CountingLimiter;
let sleeps: number[];

beforeEach(async () => {
  graph = await startFakeGraph(batchScript());
  limiter = new CountingLimiter();
  sleeps = [];
  client = new GraphClient({
    baseUrl: graph.baseUrl,
    version: 'v23.0',
    maxRetries: 2,
    backoff: { baseMs: 100, maxMs: 1000 },
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    limiter,
  });
});

afterEach(async () => {
  await client.close();
  await graph.close();
});

describe('batch encoding (notes §7.10)', () => {
  it('item body is a url-encoded form whose object values are JSON strings', () => {
    const body = { recipient: { notification_messages_token: 'NM_TOKEN' }, message: { text: 'Hi' } };
    expect(encodeBatchItemBody(body)).toBe(
      'recipient=%7B%22notification_messages_token%22%3A%22NM_TOKEN%22%7D&message=%7B%22text%22%3A%22Hi%22%7D',
    );
    const tagged = {
      recipient: { id: '1' },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'a b' },
    } as const;
    expect(encodeBatchItemBody(tagged)).toBe(
      'recipient=%7B%22id%22%3A%221%22%7D&messaging_type=MESSAGE_TAG&tag=HUMAN_AGENT&message=%7B%22text%22%3A%22a%20b%22%7D',
    );
    expect(decodeBatchItemBody(encodeBatchItemBody(tagged))).toEqual(tagged);
  });

  it('POSTs /{version}/ with access_token, include_headers and batch; relative_url carries appsecret_proof', async () => {
    const results = await client.sendBatch(page, [item('a'), item('b')]);
    expect(results.map((r) => r.ok && r.messageId)).toEqual(['m_a', 'm_b']);
    const req = graph.requests[0]!;
    const proof = appSecretProof('secret', 'PAGE_TOKEN');
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v23.0/');
    expect(req.query).toMatchObject({ access_token: 'PAGE_TOKEN', appsecret_proof: proof });
    const body = req.body as BatchRequestBody;
    expect(body.access_token).toBe('PAGE_TOKEN');
    expect(body.include_headers).toBe(false);
    expect(body.batch[0]).toEqual({
      method: 'POST',
      relative_url: `me/messages?appsecret_proof=${proof}`,
      body: encodeBatchItemBody({
        recipient: { id: 'a' },
        messaging_type: 'UPDATE',
        message: { text: 'hello a' },
      }),
    });
  });
});

describe('chunking and per-item results', () => {
  it('splits 120 items into batches of ≤ 50 and returns results in input order', async () => {
    const items = Array.from({ length: 120 }, (_, i) => item(`p${i}`));
    const results = await client.sendBatch(page, items);
    expect(graph.requests.map((r) => (r.body as BatchRequestBody).batch.length)).toEqual([50, 50, 20]);
    expect(results.map((r) => r.ok && r.messageId)).toEqual(items.map((_, i) => `m_p${i}`));
    // Meta counts each call in a batch separately: the limiter is charged per item.
    expect(limiter.calls).toEqual([
      ['1001', 50],
      ['1001', 50],
      ['1001', 20],
    ]);
  });

  it('retries only the retryable items, as a smaller batch, with backoff', async () => {
    graph.script(
      batchScript((psid, call) => {
        if (psid === 'win') return { code: 400, body: JSON.stringify(graphError(10, 2018278)) };
        if (psid === 'flaky' && call === 0)
          return { code: 500, body: JSON.stringify(graphError(1200, 2018024)) };
        if (psid === 'slow' && call === 0) return { code: 400, body: JSON.stringify(graphError(613)) };
        return undefined;
      }),
    );
    const results = await client.sendBatch(page, [item('ok'), item('win'), item('flaky'), item('slow')]);
    expect(results).toEqual([
      { ok: true, messageId: 'm_ok', recipientId: 'ok', attempts: 1 },
      {
        ok: false,
        attempts: 1,
        error: expect.objectContaining({
          class: 'outside_window',
          code: 10,
          subcode: 2018278,
          httpStatus: 400,
        }),
      },
      { ok: true, messageId: 'm_flaky', recipientId: 'flaky', attempts: 2 },
      { ok: true, messageId: 'm_slow', recipientId: 'slow', attempts: 2 },
    ]);
    expect(graph.requests).toHaveLength(2);
    expect(
      (graph.requests[1]!.body as BatchRequestBody).batch.map(
        (_, i) => decoded(graph.requests[1]!.body, i).recipient,
      ),
    ).toEqual([{ id: 'flaky' }, { id: 'slow' }]);
    expect(sleeps).toEqual([100]);
    expect(client.limiter.currentRate('1001')).toBe(150); // a 613 in the batch slowed the page
  });

  it('per-item retries are bounded by maxRetries', async () => {
    graph.script(batchScript((psid) => (psid === 'bad' ? { code: 500, body: '' } : undefined)));
    const results = await client.sendBatch(page, [item('good'), item('bad')]);
    expect(results[0]).toMatchObject({ ok: true, attempts: 1 });
    expect(results[1]).toMatchObject({
      ok: false,
      attempts: 3,
      error: { class: 'transient', httpStatus: 500 },
    });
    expect(graph.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('a null item (not executed) is transient and retried', async () => {
    graph.script(batchScript((psid, call) => (psid === 'b' && call === 0 ? null : undefined)));
    const results = await client.sendBatch(page, [item('a'), item('b')]);
    expect(results.map((r) => r.attempts)).toEqual([1, 2]);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('a whole-batch 5xx resends the whole chunk', async () => {
    const ok = batchScript();
    graph.script((req, call) => (call === 0 ? { status: 502, raw: 'Bad Gateway' } : ok(req, call)));
    const results = await client.sendBatch(page, [item('a'), item('b')]);
    expect(results.map((r) => [r.ok, r.attempts])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    expect(graph.requests).toHaveLength(2);
  });

  it('a whole-batch timeout is transient and bounded', async () => {
    await client.close();
    client = new GraphClient({
      baseUrl: graph.baseUrl,
      version: 'v23.0',
      timeoutMs: 100,
      maxRetries: 1,
      sleep: async () => {},
    });
    graph.script(() => ({ delayMs: 400, body: [] }));
    const results = await client.sendBatch(page, [item('a')]);
    expect(results[0]).toMatchObject({ ok: false, attempts: 2, error: { class: 'transient' } });
  });

  it('a whole-batch non-retryable error (190) fails every item once', async () => {
    graph.script(() => ({ status: 400, body: graphError(190) }));
    const results = await client.sendBatch(page, [item('a'), item('b')]);
    expect(results.map((r) => !r.ok && [r.error.class, r.attempts])).toEqual([
      ['page_token_invalid', 1],
      ['page_token_invalid', 1],
    ]);
    expect(graph.requests).toHaveLength(1);
  });

  it('R11a: an item with a non-HUMAN_AGENT tag is refused locally; the others go out in order', async () => {
    const bad = item('x', { messagingType: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' as 'HUMAN_AGENT' });
    const results = await client.sendBatch(page, [item('a'), bad, item('b')]);
    expect(results[0]).toMatchObject({ ok: true, messageId: 'm_a' });
    expect(results[1]).toMatchObject({ ok: false, attempts: 0, error: { class: 'unknown', refused: true } });
    expect(results[2]).toMatchObject({ ok: true, messageId: 'm_b' });
    expect((graph.requests[0]!.body as BatchRequestBody).batch).toHaveLength(2);
  });

  it('an empty batch makes no call', async () => {
    expect(await client.sendBatch(page, [])).toEqual([]);
    expect(graph.requests).toHaveLength(0);
  });
});
