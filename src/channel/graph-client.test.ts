import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendPlan } from '../domain/model.ts';
import { GraphApiError, GraphClient, type GraphClientOptions, type PageCredentials } from './graph-client.ts';
import { appSecretProof } from './graph-wire.ts';
import { otnRequest, textMessage } from './messages.ts';
import { type FakeGraph, graphError, sendSuccess, startFakeGraph } from './testing/fake-graph.ts';

const page: PageCredentials = { pageId: '1001', accessToken: 'PAGE_TOKEN', appSecret: null };
const plan = (over: Partial<SendPlan> = {}): SendPlan => ({
  messagingType: 'RESPONSE',
  tag: null,
  recipient: { id: 'psid-1' },
  subscriptionId: null,
  ...over,
});

let graph: FakeGraph;
let client: GraphClient;
let sleeps: number[];

function makeClient(over: Partial<GraphClientOptions> = {}): GraphClient {
  sleeps = [];
  return new GraphClient({
    baseUrl: graph.baseUrl,
    version: 'v23.0',
    timeoutMs: 2000,
    backoff: { baseMs: 100, maxMs: 1000 },
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...over,
  });
}

beforeEach(async () => {
  graph = await startFakeGraph();
  client = makeClient();
});

afterEach(async () => {
  await client.close();
  await graph.close();
});

describe('send: request shape', () => {
  it('POSTs JSON to /{version}/me/messages with the page token as access_token', async () => {
    const r = await client.send(page, plan(), textMessage('hi'));
    expect(r).toMatchObject({ ok: true, recipientId: 'psid-1', attempts: 1 });
    const req = graph.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v23.0/me/messages');
    expect(req.query.access_token).toBe('PAGE_TOKEN');
    expect(req.query).not.toHaveProperty('appsecret_proof');
    expect(req.body).toEqual({
      recipient: { id: 'psid-1' },
      messaging_type: 'RESPONSE',
      message: { text: 'hi' },
    });
  });

  it.each([
    [{ id: 'psid-9' }],
    [{ one_time_notif_token: 'otn-tok' }],
    [{ notification_messages_token: 'nm-tok' }],
  ])('sends recipient form %j as given', async (recipient) => {
    await client.send(page, plan({ recipient, messagingType: null }), textMessage('x'));
    expect(graph.requests[0]!.body).toEqual({ recipient, message: { text: 'x' } });
  });

  it('R1a/R1b: messaging_type UPDATE, and MESSAGE_TAG with HUMAN_AGENT, go out as planned', async () => {
    await client.send(page, plan({ messagingType: 'UPDATE' }), textMessage('a'));
    await client.send(page, plan({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }), textMessage('b'));
    expect(graph.requests[0]!.body).toMatchObject({ messaging_type: 'UPDATE' });
    expect(graph.requests[0]!.body).not.toHaveProperty('tag');
    expect(graph.requests[1]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it.each([
    ['R11a: a non-HUMAN_AGENT tag', { messagingType: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' }],
    ['R11a: HUMAN_AGENT without MESSAGE_TAG', { messagingType: 'RESPONSE', tag: 'HUMAN_AGENT' }],
    ['MESSAGE_TAG without a tag', { messagingType: 'MESSAGE_TAG', tag: null }],
    ['two recipient forms', { recipient: { id: 'a', one_time_notif_token: 'b' } }],
    ['an empty recipient id', { recipient: { id: '' } }],
  ])('%s is refused locally and never sent', async (_name, over) => {
    const r = await client.send(page, plan(over as Partial<SendPlan>), textMessage('x'));
    expect(r).toMatchObject({ ok: false, attempts: 0, error: { class: 'unknown', refused: true } });
    expect(graph.requests).toHaveLength(0);
  });

  it('a message that breaks the limits is refused locally', async () => {
    const r = await client.send(page, plan(), { text: 'x'.repeat(2001) });
    expect(r).toMatchObject({ ok: false, attempts: 0, error: { refused: true } });
    expect(!r.ok && r.error.message).toContain('text_too_long');
    expect(graph.requests).toHaveLength(0);
  });

  it('opt-in template sends read the odd documented success shape {recipient:{id,message_id}}', async () => {
    graph.script(() => ({ body: { recipient: { id: 'psid-1', message_id: 'm_odd' } } }));
    const r = await client.send(page, plan(), otnRequest({ title: 'Back in stock', payload: 'p' }));
    expect(r).toEqual({ ok: true, messageId: 'm_odd', recipientId: 'psid-1', attempts: 1 });
  });
});

describe('appsecret_proof', () => {
  it('is hex HMAC-SHA256(key = app secret, msg = access token): RFC 4231 test case 2', () => {
    expect(appSecretProof('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('goes on every call as a query parameter when the page has an app secret', async () => {
    const p = { ...page, appSecret: 'Jefe', accessToken: 'what do ya want for nothing?' };
    const proof = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    graph.script((req) => {
      if (req.path.endsWith('/notification_message_tokens')) return { body: { data: [] } };
      if (req.path.endsWith('/subscribed_apps')) return { body: { success: true } };
      if (req.method === 'GET') return { body: { id: 'psid-1' } };
      return sendSuccess(req, 0);
    });
    await client.send(p, plan(), textMessage('x'));
    await client.getProfile(p, 'psid-1', ['first_name']);
    await client.listNotificationTokens(p);
    await client.subscribeApp(p, ['messages']);
    expect(graph.requests).toHaveLength(4);
    for (const req of graph.requests) expect(req.query.appsecret_proof).toBe(proof);
  });
});

describe('retries and classification', () => {
  it('retries transient errors with full-jitter exponential backoff, at most maxRetries times', async () => {
    graph.script(() => ({ status: 500, body: graphError(2, undefined, 'unexpected') }));
    const delays = [0.9, 0.1, 0.5];
    let i = 0;
    await client.close();
    client = makeClient({ maxRetries: 3, random: () => delays[i++]! });
    const r = await client.send(page, plan(), textMessage('x'));
    expect(r).toMatchObject({
      ok: false,
      attempts: 4,
      error: { class: 'transient', code: 2, httpStatus: 500 },
    });
    expect(graph.requests).toHaveLength(4);
    // full jitter: random × min(maxMs, baseMs × 2^retry) = 0.9×100, 0.1×200, 0.5×400
    expect(sleeps).toEqual([90, 20, 200]);
  });

  it('the backoff cap holds: delays never exceed maxMs', () => {
    const c = makeClient({ random: () => 0.999999, backoff: { baseMs: 100, maxMs: 1000 } });
    for (let n = 0; n < 20; n++) expect(c.backoffDelay(n)).toBeLessThan(1000);
    void c.close();
  });

  it('succeeds after a retry and reports the attempts it took', async () => {
    graph.script((req, n) => (n < 2 ? { status: 503, raw: '<html>busy</html>' } : sendSuccess(req, n)));
    const r = await client.send(page, plan(), textMessage('x'));
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toHaveLength(2);
  });

  it('rate_limited (code 613) is retried and halves the page rate', async () => {
    graph.script((req, n) => (n === 0 ? { status: 400, body: graphError(613) } : sendSuccess(req, n)));
    const r = await client.send(page, plan(), textMessage('x'));
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(client.limiter.currentRate(page.pageId)).toBe(150);
  });

  it.each([
    ['outside_window', 10, 2018278],
    ['subscription_stopped', 10, 1893015],
    ['cooldown', 4, 2018354],
    ['token_invalid', 100, undefined],
    ['duplicate_optin', 613, 1893016],
    ['optin_limit', 9, 2018352],
    ['page_restricted', 10, 1893063],
    ['customer_unreachable', 551, undefined],
    ['page_token_invalid', 190, undefined],
    ['unknown', 1, 99],
  ] as const)('%s (%i/%s) is final: one attempt, no retry', async (cls, code, sub) => {
    graph.script(() => ({ status: 400, body: graphError(code, sub, `(#${code}) scripted`) }));
    const r = await client.send(page, plan(), textMessage('x'));
    expect(r).toEqual({
      ok: false,
      attempts: 1,
      error: {
        class: cls,
        code,
        ...(sub !== undefined ? { subcode: sub } : {}),
        message: `(#${code}) scripted`,
        httpStatus: 400,
        fbtraceId: 'TRACE',
      },
    });
    expect(graph.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a timeout is transient and retried', async () => {
    await client.close();
    client = makeClient({ timeoutMs: 100, maxRetries: 1 });
    graph.script(() => ({ delayMs: 400, body: { message_id: 'late' } }));
    const r = await client.send(page, plan(), textMessage('x'));
    expect(r).toMatchObject({ ok: false, attempts: 2, error: { class: 'transient' } });
    expect(!r.ok && r.error.message).toMatch(/timeout/);
  });

  it('a refused connection is transient', async () => {
    const url = graph.baseUrl;
    await graph.close();
    await client.close();
    client = new GraphClient({ baseUrl: url, version: 'v23.0', maxRetries: 0 });
    const r = await client.send(page, plan(), textMessage('x'));
    expect(r).toMatchObject({ ok: false, attempts: 1, error: { class: 'transient' } });
    expect(!r.ok && r.error.message).toMatch(/connection error/);
    graph = await startFakeGraph(); // for afterEach
  });

  it('a 2xx without message_id is unknown and not retried (it may have been delivered)', async () => {
    graph.script(() => ({ body: { ok: true } }));
    const r = await client.send(page, plan(), textMessage('x'));
    expect(r).toMatchObject({ ok: false, attempts: 1, error: { class: 'unknown' } });
  });
});

describe('profile, token list and subscription', () => {
  it('getProfile GETs /{version}/{psid}?fields=…', async () => {
    graph.script(() => ({ body: { id: 'psid-1', first_name: 'Lan' } }));
    const p = await client.getProfile(page, 'psid-1', ['first_name', 'last_name']);
    expect(p).toEqual({ id: 'psid-1', first_name: 'Lan' });
    expect(graph.requests[0]).toMatchObject({ method: 'GET', path: '/v23.0/psid-1' });
    expect(graph.requests[0]!.query.fields).toBe('first_name,last_name');
  });

  it('a failing read throws GraphApiError with the classified failure', async () => {
    graph.script(() => ({ status: 400, body: graphError(190) }));
    const err = await client.getProfile(page, 'psid-1', ['name']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphApiError);
    expect((err as GraphApiError).failure.class).toBe('page_token_invalid');
  });

  it('allNotificationTokens follows paging.cursors.after while paging.next is present (§7.7)', async () => {
    const row = (n: number) => ({
      notification_messages_token: `t${n}`,
      recipient_id: `p${n}`,
      creation_timestamp: 1700000000,
    });
    graph.script((req) => {
      const after = req.query.after;
      if (!after)
        return {
          body: {
            data: [row(1), row(2)],
            paging: { cursors: { before: 'B', after: 'C1' }, next: 'https://graph.facebook.com/x?after=C1' },
          },
        };
      if (after === 'C1')
        return { body: { data: [row(3)], paging: { cursors: { before: 'C1', after: 'C2' } } } };
      return { status: 500 };
    });
    const tokens: string[] = [];
    for await (const t of client.allNotificationTokens(page, { limit: 2 }))
      tokens.push(t.notification_messages_token);
    expect(tokens).toEqual(['t1', 't2', 't3']);
    expect(graph.requests.map((r) => [r.path, r.query.limit, r.query.after])).toEqual([
      ['/v23.0/1001/notification_message_tokens', '2', undefined],
      ['/v23.0/1001/notification_message_tokens', '2', 'C1'],
    ]);
  });

  it('subscribeApp POSTs /{page-id}/subscribed_apps with subscribed_fields', async () => {
    graph.script(() => ({ body: { success: true } }));
    const r = await client.subscribeApp(page, ['messages', 'messaging_optins']);
    expect(r).toEqual({ success: true });
    expect(graph.requests[0]).toMatchObject({ method: 'POST', path: '/v23.0/1001/subscribed_apps' });
    expect(graph.requests[0]!.query.subscribed_fields).toBe('messages,messaging_optins');
  });

  it('keeps a path prefix of baseUrl (a sandbox mounted under /graph)', async () => {
    await client.close();
    client = makeClient({ baseUrl: `${graph.baseUrl}/graph/` });
    await client.send(page, plan(), textMessage('x'));
    expect(graph.requests[0]!.path).toBe('/graph/v23.0/me/messages');
  });
});
