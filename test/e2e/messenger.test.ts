// Issue 3, "Messenger for real": the real service, worker and Graph API sandbox over loopback HTTP.
// Customers act in the sandbox (signed webhooks to the service), the agent acts through the API, and
// what reached "Meta" is read from the sandbox's received log. Rule ids are in the test names.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypt } from '../../src/storage/secrets.ts';
import { BACKENDS } from '../support/backends.ts';
import { delivery, type Harness, startHarness, waitFor } from './harness.ts';
import {
  type HarnessRef,
  HCM_OFFSET_MS,
  messengerSteps,
  nextMondayHcm,
  OTN_TITLE,
  RECURRING_TITLE,
} from './messenger-steps.ts';

describe.each(BACKENDS)('Messenger end to end on %s', (backend) => {
  let h: Harness;
  const ref = {} as HarnessRef;

  beforeAll(async () => {
    h = await startHarness(backend);
    ref.h = h;
  });
  afterAll(async () => {
    await h?.close();
  });

  const { optedIn, customer, topicItem, notify, consent, subscription } = messengerSteps(ref);

  it('R7a/R7b: the customer taps the "+OTNR" card → token stored, one notification on it, a second refused by renotify and by the sandbox', async () => {
    const c = await optedIn(OTN_TITLE);
    expect(c.token).toBeTruthy();

    const view = await customer(c.id);
    const item = topicItem(view, h.topics.otn);
    expect(item).toMatchObject({ list: 'sent', state: 'subscribed' });
    expect(decrypt((await subscription(c.id, h.topics.otn)).token)).toBe(c.token);

    const first = await notify(c.id, h.topics.otn, 'Size M đã có hàng!');
    expect(first.status).toBe(201);
    const got = (await h.sb.received(c.psid)).filter((r) => r.recipient.kind === 'one_time_notif_token');
    expect(got).toHaveLength(1);
    expect(got[0]!.recipient.value).toBe(c.token);
    expect(got[0]!.message).toMatchObject({ text: 'Size M đã có hàng!' });

    const second = await notify(c.id, h.topics.otn, 'again');
    expect(second.status).toBe(422);
    expect(second.body.error.code).toBe('token_used');
    expect(
      (await h.sb.received(c.psid)).filter((r) => r.recipient.kind === 'one_time_notif_token'),
    ).toHaveLength(1);

    // Meta would refuse it too: the sandbox's Graph Send API, called directly with the same token.
    const direct = await request(`${h.sandboxUrl}/v23.0/me/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        access_token: h.accessToken,
        recipient: { one_time_notif_token: c.token },
        message: { text: 'again, straight to Graph' },
      }),
    });
    const directBody = (await direct.body.json()) as { error?: { code?: number } };
    expect(direct.statusCode).toBe(400);
    expect(directBody.error?.code).toBe(100);

    // R3c: accepted, then used; R4d: back to "Not sent".
    expect((await consent(c.id)).filter((e) => e.topic_id === h.topics.otn).map((e) => e.event)).toEqual([
      'accepted',
      'used',
    ]);
    expect(topicItem(await customer(c.id), h.topics.otn)).toMatchObject({ list: 'not_sent', state: 'used' });
  });

  it('R8b: recurring WEEKLY (legacy-2022, Asia/Ho_Chi_Minh) — one notification, the next deferred to Monday 00:00 local, sent after the clock passes it', async () => {
    const c = await optedIn(RECURRING_TITLE);
    expect(topicItem(await customer(c.id), h.topics.recurring)).toMatchObject({
      list: 'sent',
      state: 'subscribed',
    });

    expect((await notify(c.id, h.topics.recurring, 'Tuần này -20%')).status).toBe(201);
    const sentAt = (await subscription(c.id, h.topics.recurring)).last_sent_at!;
    expect(sentAt).toBeTruthy();
    const sent = await h.sb.received(c.psid);
    expect(sent.filter((r) => r.recipient.kind === 'notification_messages_token')).toHaveLength(1);

    const deferred = await notify(c.id, h.topics.recurring, 'Lại -20%');
    expect(deferred.status).toBe(422);
    expect(deferred.body.error.code).toBe('cooldown');
    const nextAt = new Date(deferred.body.error.details.nextAt);
    expect(nextAt.toISOString()).toBe(nextMondayHcm(new Date(sentAt)).toISOString());
    expect(new Date(nextAt.getTime() + HCM_OFFSET_MS).getUTCDay()).toBe(1);
    expect(new Date(nextAt.getTime() + HCM_OFFSET_MS).getUTCHours()).toBe(0);
    expect(
      (await h.sb.received(c.psid)).filter((r) => r.recipient.kind === 'notification_messages_token'),
    ).toHaveLength(1);

    // Move both clocks (sandbox and service share one) just past the boundary.
    const now = await h.sb.now();
    await h.sb.advance(nextAt.getTime() - now.getTime() + 60_000);
    const later = await notify(c.id, h.topics.recurring, 'Tuần mới -30%');
    expect(later.status).toBe(201);
    expect(
      (await h.sb.received(c.psid)).filter((r) => r.recipient.kind === 'notification_messages_token'),
    ).toHaveLength(2);
  });

  it('R8c: the customer stops notifications → renotify refuses and nothing reaches the sandbox; resume → it goes', async () => {
    const c = await optedIn(RECURRING_TITLE);
    await h.sb.stop(c.psid, c.token);
    await h.settle();
    expect(topicItem(await customer(c.id), h.topics.recurring).state).toBe('stopped');

    const refused = await notify(c.id, h.topics.recurring, 'ưu đãi');
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('subscription_stopped');
    expect(
      (await h.sb.received(c.psid)).filter((r) => r.recipient.kind === 'notification_messages_token'),
    ).toHaveLength(0);

    await h.sb.resume(c.psid, c.token);
    await h.settle();
    expect(topicItem(await customer(c.id), h.topics.recurring).state).toBe('subscribed');
    expect((await notify(c.id, h.topics.recurring, 'ưu đãi')).status).toBe(201);
    const got = (await h.sb.received(c.psid)).filter(
      (r) => r.recipient.kind === 'notification_messages_token',
    );
    expect(got.map((r) => r.recipient.value)).toEqual([c.token]);
    expect((await consent(c.id)).map((e) => e.event)).toEqual(['accepted', 'stopped', 'resumed', 'used']);
  });

  it('webhook signatures: a wrong one → 403, a missing one → 401, a malformed one → 403; nothing stored or applied', async () => {
    const psid = `forged-${Date.now()}`;
    const body = delivery(h.fbPageId, [
      {
        sender: { id: psid },
        recipient: { id: h.fbPageId },
        timestamp: (await h.sb.now()).getTime(),
        message: { mid: `m_forged_${psid}`, text: 'khuyến mãi' },
      },
    ]);
    await h.settle();
    const tables = ['webhook_events', 'customers', 'messages', 'subscriptions', 'consent_history'];
    const before = await Promise.all(tables.map((t) => h.count(t)));

    const wrong = await h.deliver(body, { secret: 'not-the-app-secret' });
    expect(wrong.status).toBe(403);
    const missing = await h.deliver(body, { secret: null });
    expect(missing.status).toBe(401);
    const malformed = await h.deliver(body, { signature: 'sha1=abc' });
    expect(malformed.status).toBe(403);
    // The right signature over other bytes (a re-serialisation) is also wrong.
    const raw = JSON.stringify(body);
    const { signBody } = await import('../../src/sandbox/index.ts');
    const shifted = await h.deliver(`${raw} `, { signature: signBody(h.appSecret, raw) });
    expect(shifted.status).toBe(403);

    await h.settle();
    expect(await Promise.all(tables.map((t) => h.count(t)))).toEqual(before);
    expect(await h.customerId(psid)).toBeUndefined();
    expect(await h.sb.received(psid)).toHaveLength(0);

    // The same bytes correctly signed are accepted: the refusals above were about the signature alone.
    expect((await h.deliver(body)).status).toBe(200);
    await h.settle();
    expect(await h.customerId(psid)).toBeDefined();
  });

  it('R3a/R3c + ordering: one webhook delivered three times and out of order (stop at t2 before opt-in at t1) → applied once, in timestamp order', async () => {
    const c = await h.newCustomer({ say: 'khuyến mãi', locale: 'vi_VN' });
    await h.settle();
    const card = (await h.sb.thread(c.psid)).items.find((i) => i.optInCard?.title === RECURRING_TITLE);
    expect(card).toBeDefined();
    const t1 = (await h.sb.now()).getTime();
    const t2 = t1 + 1_000;
    const token = `tok-ooo-${c.psid}`;
    const optin = (at: number, status?: string) => ({
      sender: { id: c.psid },
      recipient: { id: h.fbPageId },
      timestamp: at,
      optin: {
        type: 'notification_messages',
        payload: card!.optInCard!.payload,
        title: RECURRING_TITLE,
        notification_messages_token: token,
        notification_messages_timezone: 'Asia/Ho_Chi_Minh',
        notification_messages_frequency: 'WEEKLY',
        token_expiry_timestamp: at + 270 * 86_400_000,
        user_token_status: 'NOT_REFRESHED',
        ...(status && { notification_messages_status: status }),
      },
    });
    const stopBody = delivery(h.fbPageId, [optin(t2, 'STOP_NOTIFICATIONS')]);
    const optinBody = delivery(h.fbPageId, [optin(t1)]);

    // The stop arrives first, twice, and is processed before the opt-in it refers to arrives.
    expect((await h.deliver(stopBody)).status).toBe(200);
    expect((await h.deliver(stopBody)).status).toBe(200);
    await h.settle();
    // Then the opt-in, three times, and the stop once more.
    for (let i = 0; i < 3; i++) expect((await h.deliver(optinBody)).status).toBe(200);
    expect((await h.deliver(stopBody)).status).toBe(200);
    await h.settle();

    expect(await h.count('webhook_events', `psid = '${c.psid}' AND kind LIKE 'optin%'`)).toBe(2);
    const subs = await h.storage.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('customer_id', '=', c.id)
      .execute();
    expect(subs).toHaveLength(1);
    expect(decrypt(subs[0]!.token)).toBe(token);
    expect(new Date(subs[0]!.opted_in_at).getTime()).toBe(t1);
    expect(subs[0]!.stopped_at && new Date(subs[0]!.stopped_at).getTime()).toBe(t2);
    const history = await consent(c.id);
    expect(history.map((e) => [e.event, new Date(e.at).getTime()])).toEqual([
      ['accepted', t1],
      ['stopped', t2],
    ]);
    expect(topicItem(await customer(c.id), h.topics.recurring).state).toBe('stopped');
    const refused = await notify(c.id, h.topics.recurring, 'x');
    expect(refused.body.error.code).toBe('subscription_stopped');
  });

  it('chat assistant: "Get Started" → the trigger\'s blocks arrive in the sandbox thread in order', async () => {
    // A brand-new person's first action is the Get Started postback.
    const person = await h.sb.createCustomer({ locale: 'vi_VN' });
    await h.sb.postback(person.psid, 'GET_STARTED', 'Get Started');
    await h.settle();
    const items = await waitFor(
      async () => {
        const page = (await h.sb.thread(person.psid)).items.filter((i) => i.from === 'page');
        return page.length >= 3 ? page : null;
      },
      { what: 'three bot blocks' },
    );
    expect(items).toHaveLength(3);
    expect(items[0]!.text).toBe('Chào bạn! Cửa hàng có thể báo cho bạn về ưu đãi và sản phẩm mới 👇');
    expect(items[1]!.optInCard).toMatchObject({ kind: 'notification_messages', title: RECURRING_TITLE });
    expect(items[2]!.optInCard).toMatchObject({ kind: 'one_time_notif_req', title: OTN_TITLE });
    for (let i = 1; i < items.length; i++) expect(items[i]!.at >= items[i - 1]!.at).toBe(true);
  });

  it("R4f: an opt-in to a topic the customer already holds → the page's notice text arrives in the thread", async () => {
    const notice = (await h.api('GET', `/api/pages/${h.pageId}/notice`)).body as { vi: string; en: string };
    expect(notice.vi).toBeTruthy();
    const c = await optedIn(RECURRING_TITLE);
    const before = (await h.sb.thread(c.psid)).items.filter((i) => i.text === notice.vi).length;
    expect(before).toBe(0);
    await h.sb.optinLatest(c.psid, RECURRING_TITLE); // taps the same card again
    await h.settle();
    const texts = await waitFor(
      async () => {
        const t = (await h.sb.thread(c.psid)).items.filter((i) => i.from === 'page' && i.text === notice.vi);
        return t.length ? t : null;
      },
      { what: 'the R4f notice in the thread' },
    );
    expect(texts).toHaveLength(1);
    expect(decrypt((await subscription(c.id, h.topics.recurring)).token)).toBe(c.token);
  });

  it('R6a: POST /sandbox/clock {advance:"8d"} turns the service\'s composer into the notification frame', async () => {
    const c = await optedIn(RECURRING_TITLE);
    const plain = await h.newCustomer({ say: 'xin chào' });
    await h.settle();
    expect((await customer(c.id)).composer.mode).toBe('normal');
    const moved = await request(`${h.sandboxUrl}/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance: '8d' }),
    });
    expect(moved.statusCode).toBe(200);
    await moved.body.dump();
    const view = await customer(c.id);
    expect(view.window).toBe('closed');
    expect(view.composer.mode).toBe('notification');
    expect(view.composer.topics.map((t: any) => t.topicId)).toEqual([h.topics.recurring]);
    expect((await customer(plain.id)).composer.mode).toBe('policy_notice');
  });

  it('/healthz answers 200 and /metrics counts webhooks and sends', async () => {
    const health = await h.api('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const m = await h.api('GET', '/metrics');
    expect(m.status).toBe(200);
    const value = (line: string) => {
      const hit = m.text.split('\n').find((l) => l.startsWith(line));
      return hit ? Number(hit.slice(line.length).trim()) : 0;
    };
    expect(value('renotify_webhooks_received_total')).toBeGreaterThan(10);
    expect(value('renotify_webhooks_rejected_total{reason="bad_signature"}')).toBeGreaterThanOrEqual(2);
    expect(value('renotify_webhooks_rejected_total{reason="unsigned"}')).toBeGreaterThanOrEqual(1);
    expect(value('renotify_webhook_events_total{stage="stored"}')).toBeGreaterThan(10);
    expect(value('renotify_webhook_events_total{stage="duplicate"}')).toBeGreaterThanOrEqual(3);
    expect(value('renotify_webhook_events_total{stage="processed"}')).toBeGreaterThan(10);
    expect(value('renotify_sends_total{kind="bot",outcome="sent"}')).toBeGreaterThan(5);
  });
});
