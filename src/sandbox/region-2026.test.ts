// Profile and region fidelity of the sandbox as of 2026: the notification_messages card still collects
// subscribers everywhere, recurring-token sends are refused outside AU/EU/JP/KR/UK (the error is a
// knob, Meta has not published it), and the knob that makes Meta answer "unavailable" to OTN.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxClient2026 } from './client-2026.ts';
import { errOf, type Harness, startSandbox } from './test-helpers.ts';

let h: Harness;
let c26: SandboxClient2026;
const PSID = '2000000000000081';
beforeEach(async () => {
  h = await startSandbox({
    page: { profile: '2026', region: 'VN' },
    customers: [{ psid: PSID, name: 'Hoa Le' }],
  });
  c26 = new SandboxClient2026(h.url);
});
afterEach(() => h.close());

const viaToken = (token: string) =>
  h.graph.send({ recipient: { notification_messages_token: token }, message: { text: 'Sale' } });

describe('2026 profile × region (R12d, R12f, R14b)', () => {
  it('VN: the opt-in card is accepted and tapped (a subscription token); sends on it are refused with code 10', async () => {
    const card = await h.graph.recurringRequest(PSID, 'Khuyến mãi');
    expect(card.status).toBe(200);
    const { token } = await h.client.optin(PSID, String(card.body.message_id));
    expect(token).toBeTruthy();
    await h.client.advance('2d');
    expect(errOf(await viaToken(token!))).toEqual([10, undefined]);
  });

  it('the refusal is a knob: another code/subcode/message answers when set; null goes back to the guess', async () => {
    const card = await h.graph.recurringRequest(PSID, 'Khuyến mãi');
    const { token } = await h.client.optin(PSID, String(card.body.message_id));
    await c26.policy({
      recurringRegionError: { code: 100, subcode: 2018999, message: '(#100) Invalid parameter' },
    });
    const r = await viaToken(token!);
    expect(errOf(r)).toEqual([100, 2018999]);
    expect(r.body.error?.message).toBe('(#100) Invalid parameter');
    await c26.policy({ recurringRegionError: null });
    expect(errOf(await viaToken(token!))).toEqual([10, undefined]);
  });

  it.each(['FR', 'JP', 'KR', 'AU', 'UK'])('%s: the same token is sent on', async (region) => {
    const card = await h.graph.recurringRequest(PSID, 'Khuyến mãi');
    const { token } = await h.client.optin(PSID, String(card.body.message_id));
    await h.client.config({ region });
    expect((await viaToken(token!)).status).toBe(200);
  });

  it('OTN: works by default; with otnUnavailable both the request and a token send answer the knob error', async () => {
    const card = await h.graph.otnRequest(PSID, 'Có hàng lại');
    expect(card.status).toBe(200);
    const { token } = await h.client.optin(PSID, String(card.body.message_id));
    await c26.policy({ otnUnavailable: true });
    expect(errOf(await h.graph.otnRequest(PSID, 'Khác'))).toEqual([10, undefined]);
    const send = await h.graph.send({
      recipient: { one_time_notif_token: token },
      message: { text: 'Back!' },
    });
    expect(errOf(send)).toEqual([10, undefined]);
    await c26.policy({ otnUnavailableError: { code: 200, message: '(#200) unavailable' } });
    expect(errOf(await h.graph.otnRequest(PSID, 'Khác nữa'))).toEqual([200, undefined]);
    await c26.policy({ otnUnavailable: false });
    expect(
      (await h.graph.send({ recipient: { one_time_notif_token: token }, message: { text: 'Back!' } })).status,
    ).toBe(200);
  });

  it('a bad knob patch is refused with 400 and changes nothing', async () => {
    const before = await c26.policy();
    const res = await fetch(`${h.url}/sandbox/policy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deliveryRate: 0.5, readRate: 7 }),
    });
    expect(res.status).toBe(400);
    expect(await c26.policy()).toEqual(before);
  });
});
