// The /sandbox API itself through SandboxClient: info, config, clock, customers, threads, the log
// of accepted sends, and several pages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../clock.ts';
import { parseDuration } from './duration.ts';
import { type Harness, startSandbox, T0 } from './test-helpers.ts';

let h: Harness;
const PSID = '2000000000000007';
beforeEach(async () => {
  h = await startSandbox({
    customers: [{ psid: PSID, name: 'Lan Ho' }],
    webhookUrl: 'http://127.0.0.1:9/none',
  });
});
afterEach(() => h.close());

describe('info and config', () => {
  it('GET /sandbox/info has everything the product needs to connect', async () => {
    const info = await h.client.info();
    expect(info).toMatchObject({
      pageId: h.pageId,
      pageName: 'Sandbox Shop',
      pageAccessToken: h.token,
      appSecret: h.appSecret,
      verifyToken: 'sandbox-verify-token',
      graphBaseUrl: h.url,
      graphVersion: 'v23.0',
      webhookUrl: 'http://127.0.0.1:9/none',
      profile: 'legacy-2022',
      region: 'VN',
      timeZone: 'Asia/Ho_Chi_Minh',
      now: T0.toISOString(),
      customers: [{ psid: PSID, name: 'Lan Ho', lastInteractionAt: T0.toISOString() }],
    });
    expect(h.sb.info()).toEqual(info);
  });

  it('PUT /sandbox/config validates and applies every knob', async () => {
    const info = await h.client.config({
      profile: '2025',
      region: 'jp',
      timeZone: 'Asia/Tokyo',
      optInFeatureEnabled: false,
      reportThreshold: 5,
      rateLimitPerSecond: 10,
      echoes: false,
    });
    expect(info).toMatchObject({
      profile: '2025',
      region: 'JP',
      timeZone: 'Asia/Tokyo',
      optInFeatureEnabled: false,
    });
    expect(info).toMatchObject({ reportThreshold: 5, rateLimitPerSecond: 10, echoes: false });
    await expect(h.client.config({ profile: '2030' as never })).rejects.toMatchObject({ status: 400 });
    await expect(h.client.config({ timeZone: 'Nowhere/City' })).rejects.toMatchObject({ status: 400 });
    await expect(h.client.config({ webhookUrl: 'not a url' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('clock', () => {
  it('advances by ms, by "8d" / "3h" / "2mo" / "1d12h", and sets an instant', async () => {
    expect(await h.client.now()).toEqual(T0);
    expect(await h.client.advance(1000)).toEqual(new Date(T0.getTime() + 1000));
    expect((await h.client.advance('3h')).toISOString()).toBe('2025-03-03T05:00:01.000Z');
    expect((await h.client.advance('8d')).toISOString()).toBe('2025-03-11T05:00:01.000Z');
    expect((await h.client.advance('2mo')).toISOString()).toBe('2025-05-11T05:00:01.000Z');
    expect((await h.client.advance('1d12h')).toISOString()).toBe('2025-05-12T17:00:01.000Z');
    expect((await h.client.setNow('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(h.sb.clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    await expect(h.client.advance('soon')).rejects.toMatchObject({ status: 400 });
  });

  it('parseDuration reads compound durations and refuses junk', () => {
    expect(parseDuration('1w2d3h4m5s6ms')).toEqual({
      weeks: 1,
      days: 2,
      hours: 3,
      minutes: 4,
      seconds: 5,
      milliseconds: 6,
    });
    expect(parseDuration('6mo')).toEqual({ months: 6 });
    expect(() => parseDuration('3 days')).toThrow();
    expect(() => parseDuration('')).toThrow();
  });
});

describe('customers and threads', () => {
  it('creates customers (generated or given PSID) and lists them; duplicates are 409', async () => {
    const c = await h.client.createCustomer({
      name: 'Minh Quan Vu',
      lastInteractionAt: '2025-03-01T00:00:00Z',
    });
    expect(c.psid).toMatch(/^[1-9]\d{15}$/);
    expect(c).toMatchObject({
      firstName: 'Minh',
      lastName: 'Quan Vu',
      lastInteractionAt: '2025-03-01T00:00:00.000Z',
    });
    expect((await h.client.customers()).map((x) => x.psid)).toEqual([PSID, c.psid]);
    await expect(h.client.createCustomer({ psid: PSID })).rejects.toMatchObject({ status: 409 });
    await expect(h.client.message('nobody', 'hi')).rejects.toMatchObject({ status: 404 });
  });

  it('the thread shows both directions and renders opt-in cards and the tokens held', async () => {
    await h.client.message(PSID, 'Do you have size M?');
    await h.graph.text(PSID, 'Not yet');
    const otn = await h.graph.otnRequest(PSID, 'Tell me when size M is back', 'restock:m');
    const rec = await h.graph.recurringRequest(PSID, 'Weekly deals', {
      image_url: 'https://example.com/d.png',
      notification_messages_cta_text: 'SIGN_UP',
      notification_messages_frequency: 'WEEKLY',
      notification_messages_timezone: 'Asia/Ho_Chi_Minh',
    });
    const otnTap = await h.client.optin(PSID, String(otn.body.message_id));
    const recTap = await h.client.optinLatest(PSID, 'Weekly deals');
    const t = await h.client.thread(PSID);
    expect(t.items.map((i) => [i.from, i.kind])).toEqual([
      ['customer', 'text'],
      ['page', 'message'],
      ['page', 'message'],
      ['page', 'message'],
      ['customer', 'optin'],
      ['customer', 'optin'],
    ]);
    expect(t.items[2]!.optInCard).toEqual({
      kind: 'one_time_notif_req',
      title: 'Tell me when size M is back',
      payload: 'restock:m',
      buttonText: 'Notify Me',
      taps: 1,
    });
    expect(t.items[3]!.optInCard).toMatchObject({
      kind: 'notification_messages',
      imageUrl: 'https://example.com/d.png',
      buttonText: 'Sign up for messages',
      frequency: 'WEEKLY',
      timezone: 'Asia/Ho_Chi_Minh',
    });
    expect(t.items[3]!.mid).toBe(rec.body.message_id);
    expect(t.holdings.oneTimeNotif).toEqual([
      expect.objectContaining({ token: otnTap.token, usedAt: null, expiresAt: '2026-03-03T02:00:00.000Z' }),
    ]);
    expect(t.holdings.recurring).toEqual([
      expect.objectContaining({
        token: recTap.token,
        frequency: 'WEEKLY',
        stoppedAt: null,
        userTokenStatus: 'NOT_REFRESHED',
      }),
    ]);
    await expect(h.client.optin(PSID, String(t.items[1]!.mid))).rejects.toMatchObject({ status: 404 });
  });

  it('a card is tapped by {latest, kind, title} with no message id; the tap waits for a card on its way', async () => {
    await h.client.message(PSID, 'offers?');
    await h.graph.otnRequest(PSID, 'Back in stock');
    await h.graph.recurringRequest(PSID, 'Weekly deals');
    const thread = async () => (await h.client.thread(PSID)).items;
    const latest = await h.client.tapLatest(PSID);
    const otn = await h.client.tapLatest(PSID, { kind: 'otn' });
    const byTitle = await h.client.tapLatest(PSID, { title: 'Back in stock' });
    const [recCard, otnCard] = [(await thread())[2]!, (await thread())[1]!];
    expect(latest.event?.optin).toMatchObject({ type: 'notification_messages', title: 'Weekly deals' });
    expect(otn.event?.optin).toMatchObject({ type: 'one_time_notif_req' });
    expect(byTitle.event?.optin).toMatchObject({ type: 'one_time_notif_req' });
    expect([recCard.optInCard?.taps, otnCard.optInCard?.taps]).toEqual([1, 2]);

    await expect(h.client.tapLatest(PSID, { title: 'Nope', waitMs: 0 })).rejects.toMatchObject({
      status: 404,
    });
    await expect(h.client.tapLatest(PSID, { kind: 'daily' as never })).rejects.toMatchObject({ status: 400 });
    await expect(h.client.tapLatest(PSID, { waitMs: -1 })).rejects.toMatchObject({ status: 400 });

    // No card titled "Flash sale" yet: the tap waits, and the card the page sends next is the one tapped.
    const pending = h.sb.customers.optinLatest(PSID, { title: 'Flash sale' }, 30_000);
    const sent = await h.graph.recurringRequest(PSID, 'Flash sale');
    const tapped = await pending;
    expect(tapped.event?.optin).toMatchObject({ title: 'Flash sale' });
    expect((await thread()).find((i) => i.mid === sent.body.message_id)?.optInCard?.taps).toBe(1);
  });

  it('a blocked person cannot act until unblocked; read marks page messages read', async () => {
    await h.graph.text(PSID, 'x');
    await h.client.block(PSID);
    await expect(h.client.message(PSID, 'hi')).rejects.toMatchObject({ status: 409 });
    await h.client.unblock(PSID);
    const r = await h.client.read(PSID);
    expect(r.event).toMatchObject({ read: { watermark: T0.getTime() } });
    expect((await h.client.thread(PSID)).items[0]!.read).toBe(true);
  });
});

describe('received log', () => {
  it('records every accepted send with recipient kind, psid, message, type, tag and id; counts; clears', async () => {
    const c2 = await h.client.createCustomer({ name: 'Nam' });
    const a = await h.graph.text(PSID, 'one');
    await h.graph.text(PSID, 'two', { messaging_type: 'UPDATE' });
    await h.graph.text(c2.psid, 'three');
    h.sb.clock.advance(2 * DAY);
    await h.graph.text(PSID, 'refused'); // outside the window: not recorded
    const log = await h.client.received(PSID);
    expect(log).toHaveLength(2);
    expect(log[0]).toEqual({
      pageId: h.pageId,
      recipient: { kind: 'id', value: PSID },
      psid: PSID,
      message: { text: 'one' },
      messaging_type: 'RESPONSE',
      tag: null,
      notification_type: null,
      message_id: a.body.message_id,
      at: T0.toISOString(),
    });
    expect(await h.client.receivedCounts()).toEqual({ [PSID]: 2, [c2.psid]: 1 });
    expect(await h.client.clearReceived()).toEqual({ cleared: 3 });
    expect(await h.client.received()).toEqual([]);
  });
});

describe('several pages', () => {
  it('keys state by page: tokens and customers of one page are unknown to another', async () => {
    const res = await fetch(`${h.url}/sandbox/pages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '555', profile: '2026', region: 'JP' }),
    });
    expect(res.status).toBe(201);
    const info2 = (await res.json()) as { pageAccessToken: string; profile: string };
    expect(info2.profile).toBe('2026');
    const other = h.client.forPage('555');
    const c = await other.createCustomer({ name: 'Page Two Person' });
    expect((await other.info()).customers.map((x) => x.psid)).toEqual([c.psid]);
    expect(h.sb.state.customer(c.psid)?.pageId).toBe('555');
    // The first page's token cannot reach the second page's customer.
    expect((await h.graph.text(c.psid)).body.error).toMatchObject({ code: 100, error_subcode: 2018001 });
    const r = await h.graph.send(
      { recipient: { id: c.psid }, messaging_type: 'RESPONSE', message: { text: 'hi' } },
      info2.pageAccessToken,
    );
    expect(r.status).toBe(200);
  });
});
