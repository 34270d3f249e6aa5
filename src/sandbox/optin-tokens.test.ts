// Opt-in requests (R2), OTN tokens (R7), recurring tokens (R8), page restriction (R8d, R11b),
// and the token listing with cursor paging.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../clock.ts';
import { errOf, type Harness, startSandbox } from './test-helpers.ts';

let h: Harness;
const PSID = '2000000000000002';
beforeEach(async () => {
  h = await startSandbox({ customers: [{ psid: PSID, name: 'Binh Tran' }] });
});
afterEach(() => h.close());

async function otnToken(title = 'Back in stock'): Promise<string> {
  const r = await h.graph.otnRequest(PSID, title);
  expect(r.status).toBe(200);
  const tap = await h.client.optin(PSID, String(r.body.message_id));
  return tap.token!;
}

async function recurringToken(title = 'Weekly deals', extra: Record<string, unknown> = {}) {
  const r = await h.graph.recurringRequest(PSID, title, extra);
  expect(r.status).toBe(200);
  return h.client.optin(PSID, String(r.body.message_id));
}

const viaOtn = (token: string) =>
  h.graph.send({ recipient: { one_time_notif_token: token }, message: { text: 'Back!' } });
const viaNm = (token: string) =>
  h.graph.send({ recipient: { notification_messages_token: token }, message: { text: 'Deal of the day' } });

describe('R2 opt-in requests', () => {
  it('R2a: an opt-in request outside the 24 h window is 10/2018278, even tagged HUMAN_AGENT', async () => {
    h.sb.clock.advance(25 * HOUR);
    expect(errOf(await h.graph.otnRequest(PSID, 'A'))).toEqual([10, 2018278]);
    expect(errOf(await h.graph.recurringRequest(PSID, 'B'))).toEqual([10, 2018278]);
  });

  it('R2b: with the page feature switched off, opt-in requests fail with code 10 and no state changes', async () => {
    await h.client.config({ optInFeatureEnabled: false });
    const r = await h.graph.otnRequest(PSID, 'A');
    expect(errOf(r)).toEqual([10, undefined]);
    expect(r.body.error?.message).toMatch(/Requested features/);
    expect((await h.client.thread(PSID)).items).toEqual([]);
    expect((await h.graph.text(PSID)).status).toBe(200);
  });

  it('title over 65 characters is code 100; 65 is fine', async () => {
    expect(errOf(await h.graph.otnRequest(PSID, 'x'.repeat(66)))).toEqual([100, undefined]);
    expect(errOf(await h.graph.recurringRequest(PSID, 'y'.repeat(66)))).toEqual([100, undefined]);
    expect((await h.graph.otnRequest(PSID, 'x'.repeat(65))).status).toBe(200);
  });

  it('notification_messages needs a payload and valid frequency / cta / timezone (code 100)', async () => {
    const bad = [
      { payload: '' },
      { notification_messages_frequency: 'HOURLY' },
      { notification_messages_cta_text: 'BUY' },
    ];
    for (const extra of bad)
      expect(errOf(await h.graph.recurringRequest(PSID, 'T', extra))).toEqual([100, undefined]);
    const tz = await h.graph.recurringRequest(PSID, 'T', { notification_messages_timezone: 'Mars/Olympus' });
    expect(errOf(tz)).toEqual([100, undefined]);
  });

  it('R2c: the same title to the same person within 7 days is 613/1893016; after 7 days it goes', async () => {
    expect((await h.graph.recurringRequest(PSID, 'Weekly deals')).status).toBe(200);
    const again = await h.graph.recurringRequest(PSID, 'Weekly deals');
    expect(errOf(again)).toEqual([613, 1893016]);
    expect((await h.graph.recurringRequest(PSID, 'Other topic')).status).toBe(200);
    h.sb.clock.advance(7 * DAY - 1);
    await h.client.message(PSID, 'hi'); // keep the window open
    expect(errOf(await h.graph.recurringRequest(PSID, 'Weekly deals'))).toEqual([613, 1893016]);
    h.sb.clock.advance(1);
    expect((await h.graph.recurringRequest(PSID, 'Weekly deals')).status).toBe(200);
  });

  it('9/2018352: more than 10 opt-in requests to one person in 24 h', async () => {
    for (let i = 0; i < 10; i++) expect((await h.graph.otnRequest(PSID, `Topic ${i}`)).status).toBe(200);
    expect(errOf(await h.graph.otnRequest(PSID, 'Topic 10'))).toEqual([9, 2018352]);
    h.sb.clock.advance(DAY);
    await h.client.message(PSID, 'back');
    expect((await h.graph.otnRequest(PSID, 'Topic 10')).status).toBe(200);
  });

  it('R11b: a restricted page gets 10/1404170 on opt-in requests', async () => {
    await h.client.config({ restricted: true });
    expect(errOf(await h.graph.otnRequest(PSID, 'A'))).toEqual([10, 1404170]);
  });

  it('R8d: "Something\'s wrong" reports reaching the threshold restrict the page (10/1893063, 10/1404170)', async () => {
    await h.client.config({ reportThreshold: 2 });
    const c2 = await h.client.createCustomer({ name: 'Chi' });
    expect((await h.client.report(PSID)).pageRestricted).toBe(false);
    expect((await h.client.report(c2.psid)).pageRestricted).toBe(true);
    expect(errOf(await h.graph.text(PSID))).toEqual([10, 1893063]);
    expect(errOf(await h.graph.otnRequest(PSID, 'A'))).toEqual([10, 1404170]);
    expect((await h.client.info()).restricted).toBe(true);
  });
});

describe('R7 one-time notifications', () => {
  it('R7a: an OTN token is single use (second use is code 100)', async () => {
    const token = await otnToken();
    h.sb.clock.advance(30 * DAY); // far outside the window: the token bypasses it
    const first = await viaOtn(token);
    expect(first.status).toBe(200);
    expect(first.body.recipient_id).toBe(PSID);
    const second = await viaOtn(token);
    expect(errOf(second)).toEqual([100, undefined]);
    expect(second.body.error?.message).toMatch(/one_time_notif_token/);
  });

  it('R7a: an OTN token expires one year after creation (code 100)', async () => {
    const token = await otnToken();
    h.sb.clock.advance(365 * DAY);
    const r = await viaOtn(token);
    expect(errOf(r)).toEqual([100, undefined]);
    expect(r.body.error?.message).toMatch(/expired/);
  });

  it('R7d: several acceptances stack, each good for one message', async () => {
    const r = await h.graph.otnRequest(PSID, 'Restock');
    const a = await h.client.optin(PSID, String(r.body.message_id));
    const b = await h.client.optin(PSID, String(r.body.message_id));
    expect(a.token).not.toBe(b.token);
    expect((await viaOtn(a.token!)).status).toBe(200);
    expect((await viaOtn(b.token!)).status).toBe(200);
    const holdings = (await h.client.thread(PSID)).holdings.oneTimeNotif;
    expect(holdings.every((t) => t.usedAt !== null)).toBe(true);
  });

  it('an unknown token is code 100; opt-in webhooks carry type one_time_notif_req and the payload', async () => {
    expect(errOf(await viaOtn('otn_nope'))).toEqual([100, undefined]);
    const r = await h.graph.otnRequest(PSID, 'Restock', 'topic:restock:sku1');
    const tap = await h.client.optin(PSID, String(r.body.message_id));
    expect(tap.event?.optin).toEqual({
      type: 'one_time_notif_req',
      payload: 'topic:restock:sku1',
      one_time_notif_token: tap.token,
    });
  });

  it('a blocked person cannot be reached even with a token (551)', async () => {
    const token = await otnToken();
    await h.client.block(PSID);
    expect(errOf(await viaOtn(token))).toEqual([551, 1545041]);
  });
});

describe('R8 recurring notifications', () => {
  it('R8a legacy-2022: the opt-in webhook carries frequency and token_expiry_timestamp in ms (6/9/12 months)', async () => {
    const daily = await recurringToken('Daily', { notification_messages_frequency: 'DAILY' });
    const weekly = await recurringToken('Weekly', { notification_messages_frequency: 'WEEKLY' });
    const monthly = await recurringToken('Monthly', { notification_messages_frequency: 'MONTHLY' });
    const now = h.sb.clock.now().getTime();
    const exp = (r: typeof daily) =>
      (r.event!.optin as Record<string, unknown>).token_expiry_timestamp as number;
    expect(exp(daily)).toBe(Date.parse('2025-09-03T02:00:00Z'));
    expect(exp(weekly)).toBe(Date.parse('2025-12-03T02:00:00Z'));
    expect(exp(monthly)).toBe(Date.parse('2026-03-03T02:00:00Z'));
    expect(exp(daily)).toBeGreaterThan(now);
    expect(weekly.event?.optin).toMatchObject({
      type: 'notification_messages',
      title: 'Weekly',
      payload: 'topic:Weekly',
      notification_messages_frequency: 'WEEKLY',
      notification_messages_timezone: 'UTC',
      user_token_status: 'NOT_REFRESHED',
    });
  });

  it('R8a legacy-2022: a DAILY token expires after 6 months (code 100)', async () => {
    const { token } = await recurringToken('Daily');
    await h.client.advance('6mo');
    const r = await viaNm(token!);
    expect(errOf(r)).toEqual([100, undefined]);
    expect(r.body.error?.message).toMatch(/notification_messages_token has expired/);
  });

  it('R8a 2023+: no expiry and no frequency in the webhook; the token still works after a year', async () => {
    await h.client.config({ profile: '2023' });
    const r = await recurringToken('Deals', { notification_messages_frequency: 'MONTHLY' });
    expect(r.event?.optin).not.toHaveProperty('token_expiry_timestamp');
    expect(r.event?.optin).not.toHaveProperty('notification_messages_frequency');
    await h.client.advance('400d');
    expect((await viaNm(r.token!)).status).toBe(200);
  });

  it('R8b: cooldown per token is 24 h under legacy/2023 (4/2018354), then it goes again', async () => {
    const { token } = await recurringToken();
    expect((await viaNm(token!)).status).toBe(200);
    h.sb.clock.advance(DAY - 1);
    expect(errOf(await viaNm(token!))).toEqual([4, 2018354]);
    h.sb.clock.advance(1);
    expect((await viaNm(token!)).status).toBe(200);
  });

  it('R8b: cooldown is 48 h under the 2025 profile', async () => {
    await h.client.config({ profile: '2025' });
    const { token } = await recurringToken();
    expect((await viaNm(token!)).status).toBe(200);
    h.sb.clock.advance(47 * HOUR);
    expect(errOf(await viaNm(token!))).toEqual([4, 2018354]);
    h.sb.clock.advance(HOUR);
    expect((await viaNm(token!)).status).toBe(200);
  });

  it('R8b: a legacy WEEKLY token allows one message per calendar week in the page time zone', async () => {
    const { token } = await recurringToken('W', { notification_messages_frequency: 'WEEKLY' });
    expect((await viaNm(token!)).status).toBe(200); // Monday 09:00 Asia/Ho_Chi_Minh
    h.sb.clock.advance(6 * DAY + 14 * HOUR); // Sunday 23:00 local
    expect(errOf(await viaNm(token!))).toEqual([4, 2018354]);
    h.sb.clock.advance(HOUR); // Monday 00:00 local
    expect((await viaNm(token!)).status).toBe(200);
  });

  it('R8c: a stopped token is 10/1893015; resume makes it valid again; stop/resume webhooks carry the status', async () => {
    const { token } = await recurringToken();
    const stop = await h.client.stop(PSID, token!);
    expect(stop.event?.optin).toMatchObject({
      type: 'notification_messages',
      notification_messages_token: token,
      notification_messages_status: 'STOP_NOTIFICATIONS',
    });
    expect(errOf(await viaNm(token!))).toEqual([10, 1893015]);
    const resume = await h.client.resume(PSID, token!);
    expect(resume.event?.optin).toMatchObject({ notification_messages_status: 'RESUME_NOTIFICATIONS' });
    expect((await viaNm(token!)).status).toBe(200);
  });

  it('2026 profile: recurring sends are refused outside AU/EU/JP/KR/UK (code 10), the opt-in card is not (it collects marketing-message subscribers); OTN unchanged', async () => {
    const { token } = await recurringToken();
    await h.client.config({ profile: '2026', region: 'VN' });
    expect(errOf(await viaNm(token!))).toEqual([10, undefined]);
    expect((await h.graph.recurringRequest(PSID, 'New')).status).toBe(200);
    expect((await h.graph.otnRequest(PSID, 'Still fine')).status).toBe(200);
    await h.client.config({ region: 'FR' });
    expect((await viaNm(token!)).status).toBe(200);
  });

  it('re-tapping a live recurring opt-in keeps the same token; after expiry a new one is REFRESHED', async () => {
    const r = await h.graph.recurringRequest(PSID, 'Deals');
    const a = await h.client.optin(PSID, String(r.body.message_id));
    const b = await h.client.optin(PSID, String(r.body.message_id));
    expect(b.token).toBe(a.token);
    await h.client.advance('7mo');
    const c = await h.client.optin(PSID, String(r.body.message_id));
    expect(c.token).not.toBe(a.token);
    expect(c.event?.optin).toMatchObject({ user_token_status: 'REFRESHED' });
  });
});

describe('GET /{page-id}/notification_message_tokens', () => {
  it('lists live tokens with Meta fields and pages with limit/after cursors', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await h.client.createCustomer({ name: `P${i}` });
      const r = await h.graph.recurringRequest(c.psid, 'Deals');
      tokens.push((await h.client.optin(c.psid, String(r.body.message_id))).token!);
    }
    await viaNm(tokens[0]!);
    const seen: string[] = [];
    let page = await h.graph.get(`${h.pageId}/notification_message_tokens`, { limit: '2' });
    const first = (page.body.data as Array<Record<string, unknown>>)[0]!;
    expect(first).toMatchObject({
      notification_messages_token: tokens[0],
      topic_title: 'Deals',
      user_token_status: 'NOT_REFRESHED',
    });
    expect(first.next_eligible_time).toBe(Math.floor(h.sb.clock.now().getTime() / 1000) + 86_400);
    expect(first.token_expiry_timestamp).toBe(Math.floor(Date.parse('2025-09-03T02:00:00Z') / 1000));
    for (;;) {
      seen.push(
        ...(page.body.data as Array<{ notification_messages_token: string }>).map(
          (d) => d.notification_messages_token,
        ),
      );
      const paging = page.body.paging as { cursors: { after: string }; next?: string };
      if (!paging.next) break;
      expect(paging.next).toContain(`after=${paging.cursors.after}`);
      page = await h.graph.get(`${h.pageId}/notification_message_tokens`, {
        limit: '2',
        after: paging.cursors.after,
      });
    }
    expect(seen).toEqual(tokens);
  });

  it('GET /notification_messages_{TOKEN} returns one token; reoptin is echoed when the template set it', async () => {
    const { token } = await recurringToken('Deals', { notification_messages_reoptin: 'ENABLED' });
    const r = await h.graph.get(`notification_messages_${token}`);
    expect(r.body).toMatchObject({
      notification_messages_token: token,
      topic_title: 'Deals',
      notification_messages_reoptin: 'ENABLED',
    });
    expect(errOf(await h.graph.get('notification_messages_nope'))).toEqual([100, undefined]);
  });

  it('leaves out stopped and expired tokens', async () => {
    const a = await recurringToken('A');
    await recurringToken('B');
    await h.client.stop(PSID, a.token!);
    const r = await h.graph.get(`${h.pageId}/notification_message_tokens`);
    expect((r.body.data as unknown[]).length).toBe(1);
    await h.client.advance('6mo');
    expect((await h.graph.get(`${h.pageId}/notification_message_tokens`)).body).toEqual({ data: [] });
  });
});
