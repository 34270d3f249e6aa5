// Issue 14 item 4: the sandbox phone shows a utility template as Messenger draws it (header, body,
// buttons) and a paid marketing message with the "Stop these messages" link, which ends the
// subscription (the next paid send answers 2300004). Sandbox only: no service is needed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient2026 } from '../../src/sandbox/client-2026.ts';
import { errOf, type Harness, startSandbox } from '../../src/sandbox/test-helpers.ts';
import { browserSkipReason, ensureWebBuilt, launchContext, shot } from './harness.ts';

const PSID = '2000000000000095';
let h: Harness;
let c26: SandboxClient2026;

describe.skipIf(browserSkipReason !== null)('sandbox phone, 2026 messages (browser)', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    h = await startSandbox({
      page: { profile: '2026', region: 'VN' },
      customers: [{ psid: PSID, name: 'Mai Anh', locale: 'en_US' }],
    });
    c26 = new SandboxClient2026(h.url);
  }, 180_000);
  afterAll(() => h?.close());

  it('draws the utility card and the paid message; "Stop these messages" unsubscribes', async () => {
    await h.graph.raw('POST', `${h.pageId}/message_templates?access_token=${h.token}`, {
      json: {
        name: 'order_shipped',
        language: 'en',
        category: 'UTILITY',
        parameter_format: 'NAMED',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Order update' },
          {
            type: 'BODY',
            text: 'Order {{order_id}} has shipped.',
            example: { body_text_named_params: [{ param_name: 'order_id', example: '1' }] },
          },
          { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.vn/t' }] },
        ],
      },
    });
    const card = await h.graph.recurringRequest(PSID, 'Deals');
    const { token } = await h.client.optin(PSID, String(card.body.message_id));
    await h.client.advance('3d');
    const tpl = await h.graph.send({
      recipient: { id: PSID },
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'order_shipped',
          language: { code: 'en' },
          components: [
            { type: 'body', parameters: [{ type: 'text', parameter_name: 'order_id', text: '#42' }] },
          ],
        },
      },
    });
    expect(tpl.status).toBe(200);
    const acct = await c26.createAdAccount();
    const camp = await h.graph.raw('POST', `${acct.adAccountId}/message_campaign`, {
      json: { name: 'Sale', page_id: h.pageId },
      headers: { authorization: `Bearer ${acct.systemUserToken}` },
    });
    await h.client.advance('10s');
    const paid = () =>
      h.graph.raw('POST', `${acct.adAccountId}/messages?access_token=${h.token}`, {
        json: {
          message_id: camp.body.id,
          messenger_delivery_data: { subscription_token: token },
          message: { text: 'Sale: -30% today' },
        },
      });
    expect((await paid()).status).toBe(200);

    const { context, close } = await launchContext(420);
    try {
      const phone = await context.newPage();
      await phone.goto(`${h.url}/phone?psid=${PSID}`);
      await phone.getByText('Order #42 has shipped.').waitFor();
      await phone.getByText('Order update').waitFor();
      await phone.getByRole('link', { name: 'Track' }).waitFor();
      await phone.getByText('Utility message').waitFor();
      await phone.getByText('Sale: -30% today').waitFor();
      await phone.getByText('Marketing message').waitFor();
      await shot(phone, 'phone-utility-and-paid');
      await phone.getByRole('button', { name: 'Stop these messages' }).click();
      await phone.getByText(/You stopped notifications/).waitFor();
    } finally {
      await close();
    }
    await h.client.advance('13h');
    expect(errOf(await paid())).toEqual([2300004, undefined]);
  }, 120_000);
});
