// The sandbox answers Meta's 2026 products per the page's profile and region (issue 14 item 4/5): a
// legacy page gets Meta's refusal for utility templates and paid messages, a 2026 page the route; paid
// messages never go to people in AU/EU/JP/KR/UK; utility regions are a knob (every region by default,
// Meta's 2026 list being unpublished). The error codes are knobs with documented defaults.
import { afterEach, describe, expect, it } from 'vitest';
import type { Profile } from '../domain/platform.ts';
import { SandboxClient2026 } from './client-2026.ts';
import { errOf, type Harness, startSandbox } from './test-helpers.ts';

let h: Harness;
let c26: SandboxClient2026;
const PSID = '2000000000000091';
afterEach(() => h?.close());

async function sandbox(profile: Profile, region: string) {
  h = await startSandbox({ page: { profile, region }, customers: [{ psid: PSID, name: 'Mai Pham' }] });
  c26 = new SandboxClient2026(h.url);
}

const TEMPLATE = {
  name: 'order_paid_vi',
  language: 'vi',
  category: 'UTILITY',
  parameter_format: 'NAMED',
  components: [
    {
      type: 'BODY',
      text: 'Đơn #{{order_id}} đã thanh toán.',
      example: { body_text_named_params: [{ param_name: 'order_id', example: '1' }] },
    },
  ],
};
const createTemplate = () =>
  h.graph.raw('POST', `${h.pageId}/message_templates?access_token=${h.token}`, { json: TEMPLATE });
const sendTemplate = () =>
  h.graph.send({
    recipient: { id: PSID },
    messaging_type: 'UTILITY',
    message: {
      template: {
        name: 'order_paid_vi',
        language: { code: 'vi' },
        components: [{ type: 'body', parameters: [{ type: 'text', parameter_name: 'order_id', text: '7' }] }],
      },
    },
  });

async function paidCampaign() {
  const acct = await c26.createAdAccount();
  const asSystem = (method: 'GET' | 'POST', path: string, json?: unknown) =>
    h.graph.raw(method, path, { json, headers: { authorization: `Bearer ${acct.systemUserToken}` } });
  return {
    acct,
    made: await asSystem('POST', `${acct.adAccountId}/message_campaign`, { name: 'T12', page_id: h.pageId }),
  };
}

describe('Meta 2026 products per profile and region (R13, R14)', () => {
  it.each(['legacy-2022', '2023', '2025'] as const)(
    '%s page: utility templates and paid messages get Meta’s refusal (10)',
    async (profile) => {
      await sandbox(profile, 'VN');
      const made = await createTemplate();
      expect(errOf(made)).toEqual([10, undefined]);
      expect(made.body.error?.message).toBe('(#10) Utility messages are not available for this Page');
      expect(errOf(await h.graph.get(`${h.pageId}/message_templates`, {}))).toEqual([10, undefined]);
      const { made: campaign } = await paidCampaign();
      expect(errOf(campaign)).toEqual([10, undefined]);
      expect(campaign.body.error?.message).toBe('(#10) Marketing messages are not available for this Page');
    },
  );

  it('2026 page in VN: the same calls take the route', async () => {
    await sandbox('2026', 'VN');
    expect((await createTemplate()).status).toBe(200);
    expect((await sendTemplate()).status).toBe(200);
    expect((await paidCampaign()).made.status).toBe(200);
  });

  it('utility regions are a knob: outside the list a 2026 page is refused with the knob’s error; null is every region', async () => {
    await sandbox('2026', 'VN');
    expect((await createTemplate()).status).toBe(200);
    await c26.policy({
      utilityRegions: ['us', 'TH'],
      utilityUnavailableError: { code: 200, message: '(#200) Requires page_utility_messaging permission' },
    });
    const refused = await sendTemplate();
    expect(errOf(refused)).toEqual([200, undefined]);
    expect(refused.body.error?.message).toBe('(#200) Requires page_utility_messaging permission');
    await c26.policy({ utilityRegions: null });
    expect((await sendTemplate()).status).toBe(200);
  });

  it('2026 page in AU (a business Meta lists): a paid message to its people is refused (AU/EU/JP/KR/UK get none)', async () => {
    await sandbox('2026', 'AU');
    const card = await h.graph.recurringRequest(PSID, 'Khuyến mãi');
    const { token } = await h.client.optin(PSID, String(card.body.message_id));
    const { acct, made } = await paidCampaign();
    expect(made.status).toBe(200);
    await h.client.advance('2h');
    const sent = await h.graph.raw('POST', `${acct.adAccountId}/messages?access_token=${h.token}`, {
      json: {
        message_id: String(made.body.id),
        messenger_delivery_data: { subscription_token: token },
        message: { text: 'Sale' },
      },
    });
    expect(errOf(sent)).toEqual([10, undefined]);
    expect(sent.body.error?.message).toBe(
      "(#10) Marketing messages can't be delivered to people in this region",
    );
    expect(await c26.marketingSends({ psid: PSID })).toEqual([]);
  });

  it('a bad utilityRegions patch is refused with 400', async () => {
    await sandbox('2026', 'VN');
    const res = await fetch(`${h.url}/sandbox/policy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ utilityRegions: ['Vietnam'] }),
    });
    expect(res.status).toBe(400);
  });
});
