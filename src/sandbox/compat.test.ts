// Third-party compatibility: the sandbox must answer a real Messenger client library
// (messaging-api-messenger, bottender's client: axios, appsecret_proof on every call, snake_case
// bodies, form-encoded batch items) exactly as graph.facebook.com would.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../clock.ts';
import { type Harness, startSandbox } from './test-helpers.ts';

// The library is a devDependency; it is loaded through a variable specifier and typed locally so
// that a checkout without it still type-checks (the suite is then reported as skipped, not passed).
type Recipient = string | { oneTimeNotifToken: string };
type BatchItem = { method: string; relativeUrl: string; body?: unknown };
interface MessengerClientLike {
  sendText(
    to: Recipient,
    text: string,
    options?: { tag?: string },
  ): Promise<{ recipientId: string; messageId: string }>;
  sendOneTimeNotifReqTemplate(
    to: Recipient,
    attrs: { title: string; payload: string },
  ): Promise<{ messageId: string }>;
  sendBatch(
    items: BatchItem[],
  ): Promise<Array<{ code: number; body: Record<string, unknown> & { error?: unknown } }>>;
  getUserProfile(psid: string): Promise<Record<string, unknown>>;
  typingOn(psid: string): Promise<unknown>;
  markSeen(psid: string): Promise<unknown>;
}
interface MessengerLib {
  MessengerClient: new (config: {
    accessToken: string;
    appSecret: string;
    origin: string;
    version: string;
  }) => MessengerClientLike;
  MessengerBatch: { sendText(to: string, text: string): BatchItem };
}
const LIB_NAME = 'messaging-api-messenger';
const lib = await import(LIB_NAME)
  .then((m: { default?: MessengerLib } & MessengerLib) => m.default ?? m)
  .catch(() => null);

let h: Harness;
let client: MessengerClientLike;
const PSID = '2000000000000006';
beforeEach(async () => {
  if (!lib) return;
  h = await startSandbox({ customers: [{ psid: PSID, name: 'Khanh Do' }] });
  client = new lib.MessengerClient({
    accessToken: h.token,
    appSecret: h.appSecret,
    origin: h.url,
    version: '23.0',
  });
});
afterEach(() => h?.close());

interface LibError {
  response?: { status: number; data: { error: { code: number; errorSubcode?: number; message: string } } };
}
const libError = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return (err as LibError).response;
  }
  throw new Error('expected the library call to fail');
};

describe.skipIf(!lib)('messaging-api-messenger against the sandbox', () => {
  it('sendText (UPDATE, appsecret_proof in the query) returns {recipientId, messageId}', async () => {
    const r = await client.sendText(PSID, 'Hello from the library');
    expect(r.recipientId).toBe(PSID);
    expect(r.messageId).toMatch(/^m_/);
    expect((await h.client.received(PSID))[0]).toMatchObject({
      messaging_type: 'UPDATE',
      message: { text: 'Hello from the library' },
    });
  });

  it('R1b: a HUMAN_AGENT tag (messagingType MESSAGE_TAG) passes after 24 h; untagged gets 10/2018278', async () => {
    h.sb.clock.advance(2 * DAY);
    const res = await libError(client.sendText(PSID, 'late'));
    expect(res?.status).toBe(400);
    // The library camelCases response bodies, errors included.
    expect(res?.data.error).toMatchObject({ code: 10, errorSubcode: 2018278 });
    const ok = await client.sendText(PSID, 'agent here', { tag: 'HUMAN_AGENT' });
    expect(ok.recipientId).toBe(PSID);
  });

  it('R7a: OTN request template, opt-in, send on the token (camelCase → snake_case), second use is 100', async () => {
    const req = await client.sendOneTimeNotifReqTemplate(PSID, {
      title: 'Restock alert',
      payload: 'topic:restock',
    });
    const tap = await h.client.optin(PSID, req.messageId);
    h.sb.clock.advance(10 * DAY);
    const sent = await client.sendText({ oneTimeNotifToken: tap.token! }, 'It is back!');
    expect(sent.recipientId).toBe(PSID);
    const again = await libError(client.sendText({ oneTimeNotifToken: tap.token! }, 'twice'));
    expect(again?.data.error.code).toBe(100);
  });

  it('sendBatch: form-encoded items, per-request proof, results parsed per item', async () => {
    const results = await client.sendBatch([
      lib!.MessengerBatch.sendText(PSID, 'one'),
      lib!.MessengerBatch.sendText(PSID, 'two'),
      lib!.MessengerBatch.sendText('999', 'nobody'),
    ]);
    expect(results.map((r) => r.code)).toEqual([200, 200, 400]);
    expect(results[0]!.body.recipientId).toBe(PSID);
    expect(results[2]!.body.error).toMatchObject({ code: 100, errorSubcode: 2018001 });
    expect((await h.client.receivedCounts())[PSID]).toBe(2);
  });

  it('getUserProfile reads the simulated profile', async () => {
    const p = await client.getUserProfile(PSID);
    expect(p).toMatchObject({ id: PSID, name: 'Khanh Do', firstName: 'Khanh', lastName: 'Do' });
  });

  it('a client with the wrong app secret gets "Invalid appsecret_proof" (100); a wrong token gets 190', async () => {
    const wrongSecret = new lib!.MessengerClient({
      accessToken: h.token,
      appSecret: 'nope',
      origin: h.url,
      version: '23.0',
    });
    const r = await libError(wrongSecret.sendText(PSID, 'x'));
    expect(r?.data.error).toMatchObject({
      code: 100,
      message: 'Invalid appsecret_proof provided in the API argument',
    });
    const wrongToken = new lib!.MessengerClient({
      accessToken: 'bad',
      appSecret: h.appSecret,
      origin: h.url,
      version: '23.0',
    });
    expect((await libError(wrongToken.sendText(PSID, 'x')))?.data.error.code).toBe(190);
  });

  it('sender actions (typingOn, markSeen) answer like Meta', async () => {
    expect(await client.typingOn(PSID)).toEqual({ recipientId: PSID });
    expect(await client.markSeen(PSID)).toEqual({ recipientId: PSID });
  });
});
