// Signed webhooks to a real loopback receiver: envelope and event shapes (platform notes §7),
// signatures over raw bytes, retries, duplicates, reordering, batching, subscriptions, handshake.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, type Receiver, startReceiver, startSandbox, T0 } from './test-helpers.ts';

let h: Harness;
let rx: Receiver;
const PSID = '2000000000000004';
beforeEach(async () => {
  h = await startSandbox({ customers: [{ psid: PSID, name: 'Giang Pham' }] });
  rx = await startReceiver(h.appSecret);
  await h.client.config({ webhookUrl: rx.url });
});
afterEach(async () => {
  await h.close();
  await rx.close();
});

const flush = () => h.client.flushWebhooks();

describe('signed deliveries', () => {
  it("a customer message arrives as Meta's envelope, signed with HMAC-SHA256 of the raw body", async () => {
    const { mid } = await h.client.message(PSID, 'hello');
    await flush();
    expect(rx.hits).toHaveLength(1);
    const hit = rx.hits[0]!;
    expect(hit.signatureOk).toBe(true);
    expect(hit.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(hit.body).toEqual({
      object: 'page',
      entry: [
        {
          id: h.pageId,
          time: T0.getTime(),
          messaging: [
            {
              sender: { id: PSID },
              recipient: { id: h.pageId },
              timestamp: T0.getTime(),
              message: { mid, text: 'hello' },
            },
          ],
        },
      ],
    });
  });

  it('escapes non-ASCII as \\uXXXX like Meta, and the signature covers those exact bytes', async () => {
    await h.client.message(PSID, 'Xin chào 👋');
    await flush();
    const hit = rx.hits[0]!;
    expect(hit.raw.toString('utf8')).toContain('Xin ch\\u00e0o \\ud83d\\udc4b');
    expect(hit.signatureOk).toBe(true);
    expect((hit.body.entry[0]!.messaging[0]!.message as { text: string }).text).toBe('Xin chào 👋');
  });

  it('every customer action has its §7 event shape; timestamps follow the sandbox clock', async () => {
    await h.client.quickReply(PSID, 'YES', 'Yes');
    h.sb.clock.advance(1000);
    await h.client.postback(PSID, 'GET_STARTED', 'Get Started');
    const req = await h.graph.otnRequest(PSID, 'Restock', 'topic:restock');
    await h.client.optin(PSID, String(req.body.message_id));
    await h.client.read(PSID);
    await flush();
    const events = rx.events();
    const kinds = events.map((e) =>
      Object.keys(e).find((k) => !['sender', 'recipient', 'timestamp'].includes(k)),
    );
    expect(kinds).toEqual(['message', 'postback', 'message', 'delivery', 'optin', 'read']);
    expect(events[0]!.message).toMatchObject({ text: 'Yes', quick_reply: { payload: 'YES' } });
    expect(events[1]).toMatchObject({
      timestamp: T0.getTime() + 1000,
      postback: { title: 'Get Started', payload: 'GET_STARTED' },
    });
    expect(events[2]!.message).toMatchObject({
      is_echo: true,
      app_id: 1517776481860111,
      mid: req.body.message_id,
    });
    expect(events[3]).toMatchObject({
      sender: { id: PSID },
      delivery: { mids: [req.body.message_id], watermark: T0.getTime() + 1000 },
    });
    expect(events[4]!.optin).toMatchObject({ type: 'one_time_notif_req', payload: 'topic:restock' });
    expect(events[5]).toMatchObject({ read: { watermark: T0.getTime() + 1000 } });
    expect(rx.hits.every((x) => x.signatureOk)).toBe(true);
  });

  it('an accepted send is echoed with app_id, metadata, mid and text, then delivered; the echo knob turns echoes off', async () => {
    const r = await h.graph.text(PSID, 'hi', { message: { text: 'hi', metadata: 'broadcast:42' } });
    await flush();
    expect(rx.events()[0]).toEqual({
      sender: { id: h.pageId },
      recipient: { id: PSID },
      timestamp: T0.getTime(),
      message: {
        is_echo: true,
        app_id: 1517776481860111,
        metadata: 'broadcast:42',
        mid: r.body.message_id,
        text: 'hi',
      },
    });
    await h.client.config({ echoes: false });
    await h.graph.text(PSID, 'again');
    await flush();
    expect(Object.keys(rx.events()[2]!)).toContain('delivery');
    expect(rx.events()).toHaveLength(3);
  });

  it('mute sends no webhook; messages still arrive and are marked muted in the thread (R8d)', async () => {
    await h.client.mute(PSID, 8);
    await h.graph.text(PSID, 'while muted');
    h.sb.clock.advance(9 * 3_600_000);
    await h.client.message(PSID, 'hi');
    await h.graph.text(PSID, 'after');
    await flush();
    const items = (await h.client.thread(PSID)).items.filter((i) => i.from === 'page');
    expect(items.map((i) => [i.text, i.muted])).toEqual([
      ['while muted', true],
      ['after', false],
    ]);
    expect(rx.events().some((e) => 'mute' in e)).toBe(false);
  });

  it('only subscribed fields are delivered once subscribed_apps was set', async () => {
    await h.graph.raw('POST', `${h.pageId}/subscribed_apps?access_token=${h.token}`, {
      json: { subscribed_fields: 'messaging_optins' },
    });
    await h.client.message(PSID, 'not delivered');
    const req = await h.graph.otnRequest(PSID, 'T');
    await h.client.optin(PSID, String(req.body.message_id));
    await flush();
    expect(rx.events().map((e) => Object.keys(e).at(-1))).toEqual(['optin']);
  });
});

describe('retries and faults', () => {
  it('retries a 500 from the receiver with backoff and logs every attempt', async () => {
    rx.plan.push(500, 503);
    await h.client.message(PSID, 'retry me');
    await flush();
    expect(rx.hits).toHaveLength(3);
    expect(new Set(rx.hits.map((x) => x.raw.toString()))).toHaveProperty('size', 1);
    const log = await h.client.webhookLog();
    expect(log.map((l) => [l.attempt, l.status, l.ok])).toEqual([
      [1, 500, false],
      [2, 503, false],
      [3, 200, true],
    ]);
  });

  it('gives up after the bounded number of attempts', async () => {
    rx.plan.push(500, 500, 500, 500, 500);
    await h.client.message(PSID, 'lost');
    await flush();
    expect(rx.hits).toHaveLength(4);
    expect((await h.client.webhookLog()).every((l) => !l.ok)).toBe(true);
  });

  it('treats a receiver slower than the timeout as failed and retries', async () => {
    rx.plan.push(0);
    await h.client.message(PSID, 'slow');
    await flush();
    const log = await h.client.webhookLog();
    expect(log[0]!.error).toMatch(/timeout/);
    expect(log.at(-1)!.ok).toBe(true);
  });

  it('duplicateRate 1 delivers every delivery twice with identical bytes and signature', async () => {
    await h.client.faults({ duplicateRate: 1 });
    await h.client.message(PSID, 'twice');
    await flush();
    expect(rx.hits).toHaveLength(2);
    expect(rx.hits[0]!.raw.equals(rx.hits[1]!.raw)).toBe(true);
    expect(rx.hits[1]!.signature).toBe(rx.hits[0]!.signature);
    expect((await h.client.webhookLog()).map((l) => l.duplicate)).toEqual([false, true]);
  });

  it('webhookBatchWindowMs coalesces events into one delivery with several entries; reorder shuffles them', async () => {
    await h.client.faults({ webhookBatchWindowMs: 100, reorder: true, reorderWindowMs: 10 });
    const mids: string[] = [];
    for (let i = 0; i < 10; i++) {
      h.sb.clock.advance(1);
      mids.push(h.sb.customers.message(PSID, `m${i}`).mid!); // in-process: all inside one window
    }
    await flush();
    expect(rx.hits).toHaveLength(1);
    const got = rx.hits[0]!.body.entry.map((e) => (e.messaging[0]!.message as { mid: string }).mid);
    expect([...got].sort()).toEqual([...mids].sort());
    expect(got).not.toEqual(mids);
    // Receivers restore order by timestamp.
    const byTs = rx.events().sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
    expect(byTs.map((e) => (e.message as { mid: string }).mid)).toEqual(mids);
  });

  it('webhookLatencyMs delays deliveries', async () => {
    await h.client.faults({ webhookLatencyMs: 150 });
    const t = Date.now();
    await h.client.message(PSID, 'late');
    await flush();
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
  });

  it('without a webhook URL deliveries are logged as undelivered', async () => {
    await h.client.config({ webhookUrl: null });
    await h.client.message(PSID, 'nowhere');
    await flush();
    expect((await h.client.webhookLog())[0]).toMatchObject({ ok: false, error: 'no webhook URL configured' });
  });
});

describe('verification handshake', () => {
  it('GETs hub.mode/verify_token/challenge and expects the challenge echoed', async () => {
    const ok = await h.client.verifyWebhook();
    expect(ok).toMatchObject({ ok: true, status: 200 });
    expect(ok.body).toBe(ok.challenge);
    const other = await startReceiver(h.appSecret, 'different-token');
    await h.client.config({ webhookUrl: other.url });
    expect(await h.client.verifyWebhook()).toMatchObject({ ok: false, status: 403 });
    await other.close();
  });
});
