// Paid marketing messages (R14) against the real sandbox on loopback: the ad account's system-user
// token, message campaigns with the activation wait, direct sends on the subscription token with the
// 12 h limit, the conversation gap, budget and spend, the delivery estimate, the four webhooks driven
// by the simulated person, unsubscribe, and Meta's errors 2300000–2300005 and 2300052.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdAccountView, SandboxClient2026 } from './client-2026.ts';
import { errOf, type Harness, type Receiver, startReceiver, startSandbox } from './test-helpers.ts';

let h: Harness;
let rx: Receiver;
let c26: SandboxClient2026;
let acct: AdAccountView;
const PSID = '2000000000000071';
const OTHER = '2000000000000072';

beforeEach(async () => {
  h = await startSandbox({
    page: { profile: '2026', region: 'VN' },
    customers: [
      { psid: PSID, name: 'Lan Tran' },
      { psid: OTHER, name: 'Minh Vo' },
    ],
  });
  rx = await startReceiver(h.appSecret);
  await h.client.config({ webhookUrl: rx.url });
  c26 = new SandboxClient2026(h.url);
  acct = await c26.createAdAccount();
});
afterEach(async () => {
  await h.close();
  await rx.close();
});

type Change = { field: string; value: Record<string, unknown> };
const changes = (): Change[] =>
  rx.hits.flatMap((x) => x.body.entry.flatMap((e) => (e as { changes?: Change[] }).changes ?? []));

/** The 2026 route to a subscriber: the notification_messages card inside 24 h, tapped. */
async function subscribe(psid = PSID): Promise<string> {
  const card = await h.graph.recurringRequest(psid, 'Khuyến mãi');
  expect(card.status).toBe(200);
  const { token } = await h.client.optin(psid, String(card.body.message_id));
  return token!;
}

const asSystem = (method: 'GET' | 'POST' | 'DELETE', path: string, json?: unknown) =>
  h.graph.raw(method, path, { json, headers: { authorization: `Bearer ${acct.systemUserToken}` } });

async function campaign(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await asSystem('POST', `${acct.adAccountId}/message_campaign`, {
    name: 'Tháng 12',
    page_id: h.pageId,
    ...extra,
  });
  expect(r.status).toBe(200);
  return String(r.body.id);
}

const send = (campaignId: string, token: string, extra: Record<string, unknown> = {}) =>
  h.graph.raw('POST', `${acct.adAccountId}/messages?access_token=${h.token}`, {
    json: {
      message_id: campaignId,
      messenger_delivery_data: { subscription_token: token },
      message: { text: 'Giảm 20% hôm nay' },
      ...extra,
    },
  });

describe('message campaigns and direct sends (R14a, R14c)', () => {
  it('a campaign needs the system-user token; sends wait for activation (2300003), then go', async () => {
    const token = await subscribe();
    const byPage = await h.graph.raw('POST', `${acct.adAccountId}/message_campaign?access_token=${h.token}`, {
      json: { name: 'x', page_id: h.pageId },
    });
    expect(errOf(byPage)[0]).toBe(100);
    const id = await campaign({ lifetime_budget: 3_000_000 });
    expect(errOf(await send(id, token))).toEqual([2300003, undefined]);
    await h.client.advance('5s');
    const ok = await send(id, token);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      success: true,
      marketing_message_tracking_id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
    });
    const thread = await h.client.thread(PSID);
    expect(thread.items.at(-1)).toMatchObject({
      from: 'page',
      text: 'Giảm 20% hôm nay',
      marketing: { trackingId: ok.body.marketing_message_tracking_id, campaignId: id, token },
    });
    const view = await asSystem('GET', id);
    expect(view.body).toMatchObject({ id, status: 'ACTIVE', spend: 250, lifetime_budget: 3_000_000 });
  });

  it("errors 2300001 (unknown or deleted message id), 2300000 (paused), 2300004 (bad token), 2300005 (another page's token)", async () => {
    const token = await subscribe();
    const id = await campaign();
    await h.client.advance('10s');
    expect(errOf(await send('123', token))).toEqual([2300001, undefined]);
    expect(errOf(await send(id, 'not-a-token'))).toEqual([2300004, undefined]);
    await asSystem('POST', id, { status: 'PAUSED' });
    expect(errOf(await send(id, token))).toEqual([2300000, undefined]);
    await asSystem('POST', id, { status: 'ACTIVE' });
    expect((await send(id, token)).status).toBe(200);
    expect((await asSystem('DELETE', id)).body).toEqual({ success: true });
    expect(errOf(await send(id, token))).toEqual([2300001, undefined]);

    // A second page on the same ad account: its subscriber's token does not fit this campaign.
    await fetch(`${h.url}/sandbox/pages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '777000111', profile: '2026' }),
    });
    const other = await c26.forPage('777000111').createCustomer({ psid: '2000000000000079' });
    const two = await new SandboxClient2026(h.url).createAdAccount({ pageIds: [h.pageId, '777000111'] });
    const otherCard = await h.graph.raw('POST', `me/messages?access_token=EAAsandbox-777000111`, {
      json: {
        recipient: { id: other.psid },
        message: {
          attachment: {
            type: 'template',
            payload: { template_type: 'notification_messages', title: 'X', payload: 'x' },
          },
        },
      },
    });
    const otherToken = (await h.client.optin(other.psid, String(otherCard.body.message_id))).token!;
    const c = await h.graph.raw('POST', `${two.adAccountId}/message_campaign`, {
      json: { name: 'two', page_id: h.pageId },
      headers: { authorization: `Bearer ${two.systemUserToken}` },
    });
    await h.client.advance('10s');
    const mismatch = await h.graph.raw('POST', `${two.adAccountId}/messages?access_token=${h.token}`, {
      json: {
        message_id: c.body.id,
        messenger_delivery_data: { subscription_token: otherToken },
        message: { text: 'x' },
      },
    });
    expect(errOf(mismatch)).toEqual([2300005, undefined]);
    // The first ad account's token cannot touch the second's campaign.
    expect(errOf(await asSystem('GET', String(c.body.id)))).toEqual([100, 33]);
  });

  it('one paid message per token per 12 h (knob error), and min_conversation_gap_seconds gives 2300052', async () => {
    const token = await subscribe();
    const id = await campaign();
    await h.client.advance('1m');
    // The person wrote 1 minute ago (the opt-in tap): a 1-hour gap refuses.
    expect(errOf(await send(id, token, { min_conversation_gap_seconds: 3600 }))).toEqual([
      2300052,
      undefined,
    ]);
    expect((await send(id, token, { min_conversation_gap_seconds: 30 })).status).toBe(200);
    expect(errOf(await send(id, token))).toEqual([4, 2018354]);
    await h.client.advance('11h59m');
    expect(errOf(await send(id, token))).toEqual([4, 2018354]);
    await h.client.advance('1m');
    expect((await send(id, token)).status).toBe(200);
    expect(await c26.marketingSends({ psid: PSID })).toHaveLength(2);
  });

  it('R14d: the budget is never exceeded: spend counts delivered messages at the price knob; then 2300000', async () => {
    await c26.policy({ pricePerMessage: 400 });
    const a = await subscribe(PSID);
    const b = await subscribe(OTHER);
    const id = await campaign({ lifetime_budget: 700 });
    await h.client.advance('10s');
    expect((await send(id, a)).status).toBe(200);
    expect(errOf(await send(id, b))).toEqual([2300000, undefined]);
    expect((await c26.adAccount(acct.id)).spend).toBe(400);
    const daily = await campaign({ daily_budget: 400 });
    await h.client.advance('12h');
    expect((await send(daily, b)).status).toBe(200);
    expect(errOf(await send(daily, a))).toEqual([2300000, undefined]);
    await h.client.advance('1d');
    expect((await send(daily, a)).status).toBe(200);
  });
});

describe('faults (R14c)', () => {
  it('an injected fault answers a paid send like a Send API call; the retry goes and is charged once', async () => {
    const token = await subscribe();
    const id = await campaign();
    await h.client.advance('10s');
    await h.client.failNext({ code: 2, status: 500 });
    const failed = await send(id, token);
    expect(failed.status).toBe(500);
    expect(errOf(failed)[0]).toBe(2);
    expect((await send(id, token)).status).toBe(200);
    expect((await c26.adAccount(acct.id)).spend).toBe(250);
  });
});

describe('delivery behaviour and webhooks (R14d)', () => {
  it('delivered, read and clicked arrive as marketing_message_* changes with Meta fields', async () => {
    await c26.policy({ deliveryRate: 1, readRate: 1, clickRate: 1 });
    const token = await subscribe();
    const id = await campaign();
    await h.client.advance('10s');
    const { body } = await send(id, token);
    await h.client.flushWebhooks();
    const got = changes();
    expect(got.map((c) => c.field)).toEqual([
      'marketing_message_echoes',
      'marketing_message_deliveries',
      'marketing_message_reads',
      'marketing_message_clicks',
    ]);
    const [, delivered, read, clicked] = got;
    expect(delivered!.value).toEqual({
      recipient_id: PSID,
      page_id: h.pageId,
      app_id: '1517776481860111',
      timestamp: expect.any(Number),
      mid: expect.stringMatching(/^m_/),
      marketing_message_tracking_id: body.marketing_message_tracking_id,
      messenger_subscription_token: token,
      message_id: id,
    });
    expect(read!.value).not.toHaveProperty('mid');
    expect(read!.value).not.toHaveProperty('app_id');
    expect(clicked!.value).not.toHaveProperty('marketing_message_tracking_id');
    // No classic echo/delivery for a paid message.
    const paidMid = delivered!.value.mid;
    expect(JSON.stringify(rx.events())).not.toContain(String(paidMid));
  });

  it('an undelivered message (rate knob, or a person who blocked the page) fails with a webhook and costs nothing', async () => {
    const token = await subscribe();
    const other = await subscribe(OTHER);
    const id = await campaign();
    await h.client.advance('10s');
    await c26.policy({ deliveryRate: 0 });
    expect((await send(id, token)).status).toBe(200);
    await c26.policy({ deliveryRate: 1 });
    await h.client.block(OTHER);
    expect((await send(id, other)).status).toBe(200);
    await h.client.flushWebhooks();
    const failed = changes().filter((c) => c.field === 'marketing_message_delivery_failed');
    expect(failed.map((f) => f.value.error_message)).toEqual([
      'Unknown Error',
      "This person isn't available right now.",
    ]);
    expect(failed[0]!.value).toMatchObject({
      messenger_subscription_token: token,
      message_id: id,
      page_id: h.pageId,
    });
    expect((await c26.adAccount(acct.id)).spend).toBe(0);
  });

  it('read and click can also come from the phone; the "Stop these messages" link ends the subscription', async () => {
    const token = await subscribe();
    const id = await campaign();
    await h.client.advance('10s');
    await send(id, token);
    const [s] = await c26.marketingSends({ psid: PSID });
    expect(s).toMatchObject({ outcome: 'DELIVERED', read: false, clicked: false });
    expect(await c26.marketingClick(PSID, s!.mid)).toMatchObject({ read: true, clicked: true });
    await c26.marketingStop(PSID, s!.mid);
    await h.client.advance('13h');
    expect(errOf(await send(id, token))).toEqual([2300004, undefined]);
    const list = await h.graph.get(`${h.pageId}/notification_message_tokens`);
    expect(list.body.data).toEqual([]);
  });

  it('R14b: Meta subscribes a person from an ad: the token is only in the list (no webhook), and paid sends use it', async () => {
    const { token } = await c26.subscribeFromAd(OTHER);
    expect((await c26.subscribeFromAd(OTHER)).token).toBe(token); // one token per person and page
    await h.client.flushWebhooks();
    expect(JSON.stringify(rx.hits.map((x) => x.body))).not.toContain(token);
    const list = await h.graph.get(`${h.pageId}/notification_message_tokens`);
    expect(list.body.data).toEqual([
      expect.objectContaining({ notification_messages_token: token, recipient_id: OTHER }),
    ]);
    const id = await campaign();
    await h.client.advance('10s');
    expect((await send(id, token)).status).toBe(200);
  });

  it('R14b: the token list pages by 100 by default under 2026 (Meta: up to 1000)', async () => {
    for (let i = 0; i < 101; i++) {
      const c = await h.client.createCustomer({ name: `S${i}` });
      await subscribe(c.psid);
    }
    await subscribe(PSID);
    const first = await h.graph.get(`${h.pageId}/notification_message_tokens`);
    expect(first.body.data).toHaveLength(100);
    expect((first.body.paging as { next?: string }).next).toContain('limit=100');
    const big = await h.graph.get(`${h.pageId}/notification_message_tokens`, { limit: '1000' });
    expect(big.body.data).toHaveLength(102);
  });
});

describe('estimate and unsubscribe (R14d, R14e)', () => {
  it('message_delivery_estimate: bounds from live subscribers, the rate and price knobs, capped by budget', async () => {
    await subscribe(PSID);
    await subscribe(OTHER);
    const q = new URLSearchParams({
      fields:
        'estimate_delivery_upper_bound,estimate_delivery_lower_bound,estimate_cost_upper_bound,estimate_cost_lower_bound',
      targeting_spec: JSON.stringify({
        messenger_positions: ['marketing_messages'],
        publisher_platforms: ['messenger'],
      }),
      promoted_object: JSON.stringify({ page_id: h.pageId }),
      pacing_type: 'no_pacing',
      is_direct_send_campaign: 'true',
    });
    const r = await asSystem('GET', `${acct.adAccountId}/message_delivery_estimate?${q}`);
    expect(r.body).toEqual({
      data: [
        {
          estimate_delivery_upper_bound: 2,
          estimate_delivery_lower_bound: 1,
          estimate_cost_upper_bound: 500,
          estimate_cost_lower_bound: 250,
        },
      ],
    });
    q.set('lifetime_budget', '250');
    const capped = await asSystem('GET', `${acct.adAccountId}/message_delivery_estimate?${q}`);
    expect(capped.body.data).toEqual([
      expect.objectContaining({ estimate_delivery_upper_bound: 1, estimate_cost_upper_bound: 250 }),
    ]);
  });

  it('unsubscribe by psid or subscriber_token stops the token; unknown rows are counted invalid; bad input changes nothing', async () => {
    const a = await subscribe(PSID);
    const b = await subscribe(OTHER);
    const url = `${h.pageId}/messaging_customer_base/unsubscribe?access_token=${h.token}`;
    expect(errOf(await h.graph.raw('POST', url, { json: { data: 'x' } }))[0]).toBe(100);
    const r = await h.graph.raw('POST', url, {
      json: { data: [{ psid: PSID }, { subscriber_token: b }, { phone: '+84912345678' }] },
    });
    expect(r.body).toEqual({ invalid_rows_count: 1 });
    const id = await campaign();
    await h.client.advance('10s');
    expect(errOf(await send(id, a))).toEqual([2300004, undefined]);
    expect(errOf(await send(id, b))).toEqual([2300004, undefined]);
  });

  it('R14a: a page in a region Meta does not serve (FR) cannot create message campaigns', async () => {
    await h.client.config({ region: 'FR' });
    const r = await asSystem('POST', `${acct.adAccountId}/message_campaign`, {
      name: 'x',
      page_id: h.pageId,
    });
    expect(errOf(r)[0]).toBe(10);
  });
});
