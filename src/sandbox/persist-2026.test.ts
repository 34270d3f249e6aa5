// The 2026 state in the state directory: templates, ad accounts (their system-user token), campaigns
// with their spend, paid sends (the 12 h limit) and the policy knobs come back after a kill.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { SandboxClient2026 } from './client-2026.ts';
import { errOf, type Harness, startSandbox } from './test-helpers.ts';

const PSID = '2000000000000097';
let dir: string;
const open: Harness[] = [];
const start = async () => {
  const h = await startSandbox({
    stateDir: dir,
    clock: new ManualClock(),
    page: { profile: '2026', region: 'VN' },
    customers: [{ psid: PSID, name: 'Quyen Ha' }],
  });
  open.push(h);
  return h;
};
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'renotify-sb2026-'));
});
afterEach(async () => {
  for (const h of open.splice(0).reverse()) await h.close();
  await rm(dir, { recursive: true, force: true });
});

it('templates, ad account, campaign spend, the 12 h limit and knobs survive a kill (no close)', async () => {
  const a = await start();
  const c26 = new SandboxClient2026(a.url);
  await c26.policy({ pricePerMessage: 300, activationWaitMs: 0 });
  const tpl = await a.graph.raw('POST', `${a.pageId}/message_templates?access_token=${a.token}`, {
    json: {
      name: 'paid_ok',
      language: 'vi',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Đã thanh toán {{1}}' }],
    },
  });
  expect(tpl.body.status).toBe('APPROVED');
  const acct = await c26.createAdAccount();
  const card = await a.graph.recurringRequest(PSID, 'Deals');
  const { token } = await a.client.optin(PSID, String(card.body.message_id));
  const camp = await a.graph.raw('POST', `${acct.adAccountId}/message_campaign`, {
    json: { name: 'Sale', page_id: a.pageId, lifetime_budget: 10_000 },
    headers: { authorization: `Bearer ${acct.systemUserToken}` },
  });
  const paid = (h: Harness) =>
    h.graph.raw('POST', `${acct.adAccountId}/messages?access_token=${h.token}`, {
      json: {
        message_id: camp.body.id,
        messenger_delivery_data: { subscription_token: token },
        message: { text: 'Sale' },
      },
    });
  expect((await paid(a)).status).toBe(200);

  const b = await start();
  expect(b.sb.restored).toBe(true);
  const c26b = new SandboxClient2026(b.url);
  expect((await c26b.policy()).pricePerMessage).toBe(300);
  expect(await c26b.adAccount(acct.id)).toMatchObject({ systemUserToken: acct.systemUserToken, spend: 300 });
  expect(errOf(await paid(b))).toEqual([4, 2018354]);
  const list = await b.graph.get(`${b.pageId}/message_templates`);
  expect(list.body.data).toEqual([expect.objectContaining({ name: 'paid_ok', status: 'APPROVED' })]);
  const send = await b.graph.send({
    recipient: { id: PSID },
    messaging_type: 'UTILITY',
    message: {
      template: {
        name: 'paid_ok',
        language: { code: 'vi' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: '1' }] }],
      },
    },
  });
  expect(send.status).toBe(200);
});
