// Send API: auth, body formats, windows (R1), tags, message limits, page/person states, rate limit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../clock.ts';
import { errOf, type Harness, startSandbox } from './test-helpers.ts';

let h: Harness;
const PSID = '2000000000000001';
beforeEach(async () => {
  h = await startSandbox({ customers: [{ psid: PSID, name: 'An Nguyen' }] });
});
afterEach(() => h.close());

describe('auth', () => {
  it('accepts the page token in the query, the JSON body, the form body and a Bearer header', async () => {
    const msg = { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'hi' } };
    const q = await h.graph.send(msg);
    expect(q.status).toBe(200);
    expect(q.body.recipient_id).toBe(PSID);
    expect(String(q.body.message_id)).toMatch(/^m_/);
    const j = await h.graph.raw('POST', 'me/messages', { json: { ...msg, access_token: h.token } });
    expect(j.status).toBe(200);
    const f = await h.graph.raw('POST', `${h.pageId}/messages`, {
      form: {
        access_token: h.token,
        recipient: JSON.stringify(msg.recipient),
        messaging_type: 'RESPONSE',
        message: JSON.stringify(msg.message),
      },
    });
    expect(f.status).toBe(200);
    const b = await h.graph.raw('POST', 'me/messages', {
      json: msg,
      headers: { authorization: `Bearer ${h.token}` },
    });
    expect(b.status).toBe(200);
    expect((await h.client.received()).length).toBe(4);
  });

  it('190: a missing or wrong token is an OAuthException with HTTP 400 and WWW-Authenticate', async () => {
    const wrong = await h.graph.send({ recipient: { id: PSID }, message: { text: 'x' } }, 'nope');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(wrong.body.error).toHaveProperty('fbtrace_id');
    expect(wrong.headers['www-authenticate']).toContain('invalid_token');
    const none = await h.graph.raw('POST', 'me/messages', {
      json: { recipient: { id: PSID }, message: { text: 'x' } },
    });
    expect(errOf(none)).toEqual([190, undefined]);
  });

  it("appsecret_proof: a correct proof passes, a wrong one is code 100 with Meta's message", async () => {
    const ok = await h.graph.raw(
      'POST',
      `me/messages?access_token=${h.token}&appsecret_proof=${h.graph.proof()}`,
      {
        json: { recipient: { id: PSID }, message: { text: 'hi' } },
      },
    );
    expect(ok.status).toBe(200);
    const bad = await h.graph.raw('POST', `me/messages?access_token=${h.token}&appsecret_proof=deadbeef`, {
      json: { recipient: { id: PSID }, message: { text: 'hi' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 100,
      message: 'Invalid appsecret_proof provided in the API argument',
    });
  });

  it('appsecret_proof is required once the page turns on "Require App Secret"', async () => {
    await h.client.config({ requireAppSecretProof: true });
    expect(errOf(await h.graph.text(PSID))).toEqual([100, undefined]);
  });

  it('100/33: posting to another page id with this page token fails', async () => {
    const r = await h.graph.raw('POST', `999/messages?access_token=${h.token}`, {
      json: { recipient: { id: PSID }, message: { text: 'x' } },
    });
    expect(errOf(r)).toEqual([100, 33]);
  });
});

describe('R1 windows', () => {
  it('R1a: under 24 h since the last interaction, RESPONSE and UPDATE go', async () => {
    await h.sb.clock.advance(23 * HOUR);
    expect((await h.graph.text(PSID)).status).toBe(200);
    expect((await h.graph.text(PSID, 'u', { messaging_type: 'UPDATE' })).status).toBe(200);
  });

  it('R1b: from 24 h to 7 d only MESSAGE_TAG + HUMAN_AGENT goes; others get 10/2018278', async () => {
    h.sb.clock.advance(DAY);
    const r = await h.graph.text(PSID);
    expect(errOf(r)).toEqual([10, 2018278]);
    expect(r.body.error?.message).toBe('(#10) This message is sent outside of allowed window.');
    const other = await h.graph.text(PSID, 'x', { messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' });
    expect(errOf(other)).toEqual([10, 2018278]);
    const agent = await h.graph.text(PSID, 'agent', { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(agent.status).toBe(200);
    expect((await h.client.received(PSID))[0]).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
  });

  it('R1c: from 7 days on, even HUMAN_AGENT is refused with 10/2018278', async () => {
    h.sb.clock.advance(7 * DAY);
    const r = await h.graph.text(PSID, 'x', { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(errOf(r)).toEqual([10, 2018278]);
  });

  it('R1: a message from the customer reopens the window (clock advance then customer action)', async () => {
    await h.client.advance('8d');
    expect(errOf(await h.graph.text(PSID))).toEqual([10, 2018278]);
    await h.client.message(PSID, 'hello again');
    expect((await h.graph.text(PSID)).status).toBe(200);
  });

  it('R1: a customer created without interaction is outside the window', async () => {
    const c = await h.client.createCustomer({ name: 'Cold', lastInteractionAt: null });
    expect(errOf(await h.graph.text(c.psid))).toEqual([10, 2018278]);
  });

  it('postbacks, quick replies and reactions also count as interactions', async () => {
    for (const act of [
      () => h.client.postback(PSID, 'GET_STARTED'),
      () => h.client.quickReply(PSID, 'YES', 'Yes'),
      () => h.client.react(PSID, 'm_x', 'love'),
    ]) {
      h.sb.clock.advance(2 * DAY);
      expect(errOf(await h.graph.text(PSID))).toEqual([10, 2018278]);
      await act();
      expect((await h.graph.text(PSID)).status).toBe(200);
    }
  });
});

describe('messaging_type and tags', () => {
  it('MESSAGE_TAG without tag, unknown tags and unknown types are code 100', async () => {
    expect(errOf(await h.graph.text(PSID, 'x', { messaging_type: 'MESSAGE_TAG' }))).toEqual([100, undefined]);
    expect(errOf(await h.graph.text(PSID, 'x', { messaging_type: 'MESSAGE_TAG', tag: 'PROMO' }))).toEqual([
      100,
      undefined,
    ]);
    expect(errOf(await h.graph.text(PSID, 'x', { messaging_type: 'BROADCAST' }))).toEqual([100, undefined]);
  });

  it('profile 2026: tags other than HUMAN_AGENT are code 100, even inside the window; HUMAN_AGENT still goes', async () => {
    await h.client.config({ profile: '2026' });
    for (const tag of ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE']) {
      const r = await h.graph.text(PSID, 'x', { messaging_type: 'MESSAGE_TAG', tag });
      expect(errOf(r)).toEqual([100, undefined]);
    }
    expect(
      (await h.graph.text(PSID, 'x', { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' })).status,
    ).toBe(200);
  });
});

describe('message limits (code 100)', () => {
  const button = (text: string, buttons: unknown[]) => ({
    recipient: { id: PSID },
    messaging_type: 'RESPONSE',
    message: { attachment: { type: 'template', payload: { template_type: 'button', text, buttons } } },
  });
  const b = (title: string) => ({ type: 'postback', title, payload: 'P' });
  it.each([
    ['text of 2001 characters', { message: { text: 'a'.repeat(2001) } }],
    [
      '14 quick replies',
      {
        message: {
          text: 'q',
          quick_replies: Array(14).fill({ content_type: 'text', title: 'a', payload: 'a' }),
        },
      },
    ],
    ['an empty message', { message: {} }],
    ['no recipient', { recipient: undefined }],
  ])('refuses %s', async (_name, patch) => {
    const r = await h.graph.send({ recipient: { id: PSID }, messaging_type: 'RESPONSE', ...patch });
    expect(errOf(r)).toEqual([100, undefined]);
  });

  it('accepts exactly 2000 characters, 13 quick replies, 640-char button text with 3 buttons of 20', async () => {
    expect((await h.graph.text(PSID, 'é'.repeat(2000))).status).toBe(200);
    const qr = Array(13).fill({ content_type: 'text', title: 'a', payload: 'a' });
    expect((await h.graph.text(PSID, 'q', { message: { text: 'q', quick_replies: qr } })).status).toBe(200);
    expect((await h.graph.send(button('a'.repeat(640), [b('x'.repeat(20)), b('y'), b('z')]))).status).toBe(
      200,
    );
  });

  it.each([
    ['button text of 641', button('a'.repeat(641), [b('ok')])],
    ['no buttons', button('t', [])],
    ['4 buttons', button('t', [b('1'), b('2'), b('3'), b('4')])],
    ['a button title of 21', button('t', [b('x'.repeat(21))])],
  ])('refuses a button template with %s', async (_n, body) => {
    expect(errOf(await h.graph.send(body))).toEqual([100, undefined]);
  });
});

describe('page and person', () => {
  it('100/2018001: an unknown PSID', async () => {
    expect(errOf(await h.graph.text('999'))).toEqual([100, 2018001]);
  });

  it('R11b: a restricted page gets 10/1893063 on sends', async () => {
    await h.client.config({ restricted: true });
    expect(errOf(await h.graph.text(PSID))).toEqual([10, 1893063]);
    await h.client.config({ restricted: false });
    expect((await h.graph.text(PSID)).status).toBe(200);
  });

  it('551: a person who blocked the page cannot be reached; unblock restores', async () => {
    await h.client.block(PSID);
    expect(errOf(await h.graph.text(PSID))).toEqual([551, 1545041]);
    await h.client.unblock(PSID);
    expect((await h.graph.text(PSID)).status).toBe(200);
  });

  it('613: more than rateLimitPerSecond Send API calls per page in one wall second', async () => {
    await h.client.config({ rateLimitPerSecond: 5 });
    const results = await Promise.all(Array.from({ length: 8 }, () => h.graph.text(PSID)));
    const limited = results.filter((r) => r.body.error?.code === 613);
    expect(limited.length).toBe(3);
    expect(limited[0]?.body.error?.message).toBe('(#613) Calls to this api have exceeded the rate limit.');
    // The sandbox clock does not refill the bucket: only wall time does.
    h.sb.clock.advance(10_000);
    expect((await h.graph.text(PSID)).body.error?.code).toBe(613);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await h.graph.text(PSID)).status).toBe(200);
  });

  it('rate limit 0 means unlimited', async () => {
    await h.client.config({ rateLimitPerSecond: 0 });
    const results = await Promise.all(Array.from({ length: 40 }, () => h.graph.text(PSID)));
    expect(results.every((r) => r.status === 200)).toBe(true);
  });

  it('sender actions answer {recipient_id} and are not logged as messages', async () => {
    const r = await h.graph.send({ recipient: { id: PSID }, sender_action: 'typing_on' });
    expect(r.body).toEqual({ recipient_id: PSID });
    expect(await h.client.received()).toEqual([]);
  });
});

describe('other Graph endpoints', () => {
  it('GET /:psid returns the requested profile fields', async () => {
    const r = await h.graph.get(PSID, {
      fields: 'first_name,last_name,profile_pic,locale,timezone,gender,name',
    });
    expect(r.body).toMatchObject({
      id: PSID,
      first_name: 'An',
      last_name: 'Nguyen',
      name: 'An Nguyen',
      locale: 'vi_VN',
      timezone: 7,
      gender: 'female',
    });
    expect(String(r.body.profile_pic)).toMatch(/^https:/);
    expect(errOf(await h.graph.get(PSID, { fields: 'email' }))).toEqual([100, undefined]);
    expect(errOf(await h.graph.get('123'))).toEqual([100, 33]);
    expect((await h.graph.get('me')).body).toEqual({ id: h.pageId, name: 'Sandbox Shop' });
  });

  it('subscribed_apps: POST sets the fields, GET lists them', async () => {
    const p = await h.graph.raw('POST', `${h.pageId}/subscribed_apps?access_token=${h.token}`, {
      form: { subscribed_fields: 'messages,messaging_optins' },
    });
    expect(p.body).toEqual({ success: true });
    const g = await h.graph.get(`${h.pageId}/subscribed_apps`);
    expect(g.body.data).toEqual([
      { id: '1517776481860111', name: 'Sandbox app', subscribed_fields: ['messages', 'messaging_optins'] },
    ]);
  });

  it('unknown paths and versions are Graph errors', async () => {
    expect((await h.graph.get(`${h.pageId}/feed`)).body.error?.code).toBe(2500);
    const r = await h.graph.raw('GET', '../nope');
    expect(r.status).toBe(404);
  });
});
