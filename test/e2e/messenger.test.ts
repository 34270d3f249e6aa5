// Issue 3, "Messenger for real": the real service, worker and Graph API sandbox over loopback HTTP.
// Customers act in the sandbox (signed webhooks to the service), the agent acts through the API, and
// what reached "Meta" is read from the sandbox's received log. Rule ids are in the test names.
import { sql } from 'kysely';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypt } from '../../src/storage/secrets.ts';
import { BACKENDS } from '../support/backends.ts';
import { delivery, type Harness, startHarness, waitFor } from './harness.ts';

const RECURRING_TITLE = 'Ưu đãi mỗi tuần từ Cửa hàng demo';
const OTN_TITLE = 'Báo cho tôi khi có sản phẩm mới';
const HCM_OFFSET_MS = 7 * 3_600_000; // Asia/Ho_Chi_Minh is UTC+7 all year (no DST)

/** Monday 00:00 in Ho Chi Minh City after `at` — computed here independently of src/domain. */
function nextMondayHcm(at: Date): Date {
  const local = new Date(at.getTime() + HCM_OFFSET_MS);
  const dow = local.getUTCDay(); // 0 = Sunday
  const days = (8 - dow) % 7 || 7;
  const midnightLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days);
  return new Date(midnightLocal - HCM_OFFSET_MS);
}

describe.each(BACKENDS)('Messenger end to end on %s', (backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A customer who asked for offers (the bot answered with both cards) and tapped the card titled `title`. */
  async function optedIn(title: string) {
    const c = await h.newCustomer({ say: 'khuyến mãi', locale: 'vi_VN' });
    await waitFor(async () => (await h.sb.thread(c.psid)).items.some((i) => i.optInCard?.title === title), {
      what: `the "${title}" card in the thread`,
    });
    await h.settle();
    const tap = await h.sb.optinLatest(c.psid, title);
    await h.settle();
    return { ...c, token: tap.token! };
  }

  const customer = async (id: number) => {
    const r = await h.api('GET', `/api/customers/${id}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const topicItem = (body: any, topicId: number) =>
    [...body.topics.sent, ...body.topics.notSent].find((t: any) => t.topicId === topicId);
  const notify = (id: number, topicId: number, text: string) =>
    h.api('POST', `/api/customers/${id}/notifications`, { topicId, text });
  const reply = (id: number, text: string) => h.api('POST', `/api/customers/${id}/messages`, { text });
  const invite = (id: number, topicId: number) =>
    h.api('POST', `/api/customers/${id}/invitations`, { topicId });
  const consent = async (customerId: number) =>
    (
      await sql<{ event: string; at: Date; topic_id: number }>`
        SELECT event, at, topic_id FROM consent_history WHERE customer_id = ${customerId} ORDER BY id`.execute(
        h.storage.db,
      )
    ).rows;
  const subscription = async (customerId: number, topicId: number) =>
    h.storage.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('topic_id', '=', topicId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
  /** One-shot faults not yet consumed: each Send API call attempt takes one. */
  const pendingFaults = () => h.rt.sandbox!.faults.pendingOneShots();

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

  describe('platform.md error table → the classified reaction', () => {
    it('10/2018278 outside the window: 502 and no retry (1 call); and renotify itself refuses past 7 days (422, nothing sent)', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 10, subcode: 2018278 }, 3);
      const r = await reply(c.id, 'hello');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_outside_window');
      expect(3 - pendingFaults()).toBe(1);
      await h.sb.resetFaults();

      const old = await h.sb.createCustomer({ lastInteractionAt: new Date(Date.now() - 86_400_000) });
      await h.sb.message(old.psid, 'hi');
      await h.settle();
      const oldId = (await h.customerId(old.psid))!;
      await h.sb.advance('8d');
      const before = (await h.sb.received(old.psid)).length;
      const late = await reply(oldId, 'are you there?');
      expect(late.status).toBe(422);
      expect(late.body.error.code).toBe('outside_7d_window');
      expect((await h.sb.received(old.psid)).length).toBe(before);
    });

    it('10/1893015 stopped: the subscription is marked stopped and later sends are refused', async () => {
      const c = await optedIn(RECURRING_TITLE);
      await h.sb.failNext({ code: 10, subcode: 1893015 });
      const r = await notify(c.id, h.topics.recurring, 'x');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_subscription_stopped');
      expect((await subscription(c.id, h.topics.recurring)).stopped_at).not.toBeNull();
      expect(topicItem(await customer(c.id), h.topics.recurring).state).toBe('stopped');
      expect((await consent(c.id)).map((e) => e.event)).toEqual(['accepted', 'stopped']);
      expect((await notify(c.id, h.topics.recurring, 'x')).body.error.code).toBe('subscription_stopped');
    });

    it('4/2018354 cooldown: not retried, the token is given back (no use recorded) and the next try goes', async () => {
      const c = await optedIn(RECURRING_TITLE);
      await h.sb.failNext({ code: 4, subcode: 2018354 }, 2);
      const r = await notify(c.id, h.topics.recurring, 'x');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_cooldown');
      expect(pendingFaults()).toBe(1);
      await h.sb.resetFaults();
      expect((await subscription(c.id, h.topics.recurring)).last_sent_at).toBeNull();
      expect((await consent(c.id)).map((e) => e.event)).toEqual(['accepted']);
      expect((await notify(c.id, h.topics.recurring, 'x')).status).toBe(201);
    });

    it('100 token invalid: the subscription is no longer valid (back to Not sent), later sends refused', async () => {
      const c = await optedIn(OTN_TITLE);
      await h.sb.failNext({ code: 100, message: '(#100) The one_time_notif_token has expired' });
      const r = await notify(c.id, h.topics.otn, 'x');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_token_invalid');
      expect(topicItem(await customer(c.id), h.topics.otn).list).toBe('not_sent');
      const again = await notify(c.id, h.topics.otn, 'x');
      expect(again.status).toBe(422);
      expect(['subscription_expired', 'no_subscription', 'token_used']).toContain(again.body.error.code);
    });

    it('613/1893016 duplicate opt-in: the invitation is recorded refused and R4 shows it under Sent', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 613, subcode: 1893016 }, 2);
      const r = await invite(c.id, h.topics.recurring);
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_duplicate_optin');
      expect(pendingFaults()).toBe(1); // not retried, although 613 alone would be a rate limit
      await h.sb.resetFaults();
      const inv = await h.storage.db
        .selectFrom('invitations')
        .select(['status'])
        .where('customer_id', '=', c.id)
        .execute();
      expect(inv).toEqual([{ status: 'refused' }]);
      expect(topicItem(await customer(c.id), h.topics.recurring)).toMatchObject({
        list: 'sent',
        state: 'invited',
      });
      const again = await invite(c.id, h.topics.recurring);
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe('invitation_too_soon');
      expect(again.body.error.details.notice).toBeTruthy();
    });

    it('9/2018352 opt-in limit: refused, not retried, nothing recorded as sent', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 9, subcode: 2018352 }, 2);
      const r = await invite(c.id, h.topics.otn);
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_optin_limit');
      expect(pendingFaults()).toBe(1);
      await h.sb.resetFaults();
      expect(await h.count('invitations', `customer_id = ${c.id}`)).toBe(0);
      expect(topicItem(await customer(c.id), h.topics.otn).list).toBe('not_sent');
      // …and renotify backs off for that customer: the next invitation is refused before Graph, with when.
      const calls = (await h.sb.received()).length;
      const again = await invite(c.id, h.topics.recurring);
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe('optin_limit');
      expect(new Date(again.body.error.details.nextAt).getTime()).toBeGreaterThan(Date.now());
      expect((await h.sb.received()).length).toBe(calls);
    });

    it('551/1545041 customer unreachable: unreachableReason set, later sends refused before Graph', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 551, subcode: 1545041 });
      const r = await reply(c.id, 'hello');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_customer_unreachable');
      const view = await customer(c.id);
      expect(view.customer.unreachableReason).toBeTruthy();
      expect(view.composer).toMatchObject({ mode: 'policy_notice', reason: 'customer_unreachable' });
      const before = (await h.sb.received(c.psid)).length;
      const again = await reply(c.id, 'hello?');
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe('customer_unreachable');
      expect((await h.sb.received(c.psid)).length).toBe(before);
    });

    it('4, 613, 32 rate limited: retried, then it goes (3 calls for 2 faults)', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 4 });
      await h.sb.failNext({ code: 613 });
      const r = await reply(c.id, 'after the rate limit');
      expect(r.status).toBe(201);
      expect(pendingFaults()).toBe(0);
      expect(
        (await h.sb.received(c.psid)).filter((s) => s.message.text === 'after the rate limit'),
      ).toHaveLength(1);
      await h.sb.failNext({ code: 32 });
      expect((await reply(c.id, 'after 32')).status).toBe(201);
    });

    it('1200, 2, 5xx transient: retried with backoff, bounded (4 calls, then 502); one fault → retried and sent', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 2, status: 500 }, 10);
      const r = await reply(c.id, 'never');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_transient');
      expect(10 - pendingFaults()).toBe(4); // 1 + 3 retries, then it stops
      await h.sb.resetFaults();
      expect((await h.sb.received(c.psid)).filter((s) => s.message.text === 'never')).toHaveLength(0);

      await h.sb.failNext({ code: 1200 });
      await h.sb.failNext({ code: 1, status: 503 });
      const ok = await reply(c.id, 'eventually');
      expect(ok.status).toBe(201);
      expect(pendingFaults()).toBe(0);
      expect((await h.sb.received(c.psid)).filter((s) => s.message.text === 'eventually')).toHaveLength(1);
    });

    it('10/1893063 page restricted (R11b): the page records why and every further send is refused', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      try {
        await h.sb.failNext({ code: 10, subcode: 1893063 });
        const r = await reply(c.id, 'x');
        expect(r.status).toBe(502);
        expect(r.body.error.code).toBe('graph_page_restricted');
        const page = (await h.api('GET', `/api/pages/${h.pageId}`)).body;
        expect(page.restrictedReason).toMatch(/^page_restricted/);
        const before = (await h.sb.received()).length;
        const again = await reply(c.id, 'y');
        expect(again.status).toBe(422);
        expect(again.body.error.code).toBe('page_restricted');
        expect((await h.sb.received()).length).toBe(before);
      } finally {
        await h.storage.db.updateTable('pages').set({ restricted_reason: null }).execute();
      }
    });

    it('190 page token invalid: the page stops sending and asks to reconnect', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      try {
        await h.sb.failNext({ code: 190, subcode: 460 }, 2);
        const r = await reply(c.id, 'x');
        expect(r.status).toBe(502);
        expect(r.body.error.code).toBe('graph_page_token_invalid');
        expect(pendingFaults()).toBe(1);
        await h.sb.resetFaults();
        const page = (await h.api('GET', `/api/pages/${h.pageId}`)).body;
        expect(page.restrictedReason).toMatch(/^page_token_invalid/);
        expect((await reply(c.id, 'y')).body.error.code).toBe('page_restricted');
      } finally {
        await h.storage.db.updateTable('pages').set({ restricted_reason: null }).execute();
      }
    });
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
