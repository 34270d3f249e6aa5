// Utility templates (R13) against the real sandbox on loopback: library search and clone, create with
// named parameters, list, edit (resubmitted), delete, the approval knobs and the status webhook, and
// template sends with Meta's validation — outside the 24 h window, where they are the only route.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxClient2026 } from './client-2026.ts';
import { errOf, type Harness, type Receiver, startReceiver, startSandbox } from './test-helpers.ts';

let h: Harness;
let rx: Receiver;
let c26: SandboxClient2026;
const PSID = '2000000000000061';
const NINE_DAYS_AGO = new Date(Date.parse('2025-03-03T02:00:00Z') - 9 * 86_400_000).toISOString();

beforeEach(async () => {
  h = await startSandbox({
    page: { profile: '2026', region: 'VN' },
    customers: [{ psid: PSID, name: 'Lan Tran', lastInteractionAt: NINE_DAYS_AGO }],
  });
  rx = await startReceiver(h.appSecret);
  await h.client.config({ webhookUrl: rx.url });
  c26 = new SandboxClient2026(h.url);
});
afterEach(async () => {
  await h.close();
  await rx.close();
});

type Change = { field: string; value: Record<string, unknown> };
const changes = (): Change[] =>
  rx.hits.flatMap((x) => x.body.entry.flatMap((e) => (e as { changes?: Change[] }).changes ?? []));

const SHIPPED = {
  name: 'order_shipped_vi',
  language: 'vi',
  category: 'UTILITY',
  parameter_format: 'NAMED',
  components: [
    {
      type: 'HEADER',
      format: 'TEXT',
      text: 'Cập nhật {{order_type}}',
      example: { header_text_named_params: [{ param_name: 'order_type', example: 'đơn hàng' }] },
    },
    {
      type: 'BODY',
      text: 'Đơn #{{order_id}} đã được giao cho đơn vị vận chuyển, {{customer_name}}.',
      example: {
        body_text_named_params: [
          { param_name: 'order_id', example: '566701' },
          { param_name: 'customer_name', example: 'Lan' },
        ],
      },
    },
    {
      type: 'BUTTONS',
      buttons: [
        {
          type: 'URL',
          text: 'Theo dõi đơn',
          url: 'https://shop.vn/o/{{1}}',
          example: { url_suffix_example: 'https://shop.vn/o/1234' },
        },
      ],
    },
  ],
};

const create = (body: Record<string, unknown> = SHIPPED) =>
  h.graph.raw('POST', `${h.pageId}/message_templates?access_token=${h.token}`, { json: body });

const sendShipped = (params: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) =>
  h.graph.send({
    recipient: { id: PSID },
    messaging_type: 'UTILITY',
    message: {
      template: {
        name: 'order_shipped_vi',
        language: { code: 'vi' },
        components: [
          { type: 'header', parameters: [{ type: 'text', parameter_name: 'order_type', text: 'đơn hàng' }] },
          { type: 'body', parameters: params },
          { type: 'buttons', parameters: [{ type: 'URL', url: '1234' }] },
        ],
      },
    },
    ...extra,
  });
const ALL_PARAMS = [
  { type: 'text', parameter_name: 'order_id', text: '566701' },
  { type: 'text', parameter_name: 'customer_name', text: 'Lan' },
];

describe('utility template library and management (R13a)', () => {
  it('searches the library by name or content and language, with Meta fields', async () => {
    const r = await h.graph.get('message_template_library', { name_or_content: 'order', language: 'en' });
    expect(r.status).toBe(200);
    const data = r.body.data as Array<Record<string, unknown>>;
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((t) => t.language === 'en' && t.category === 'UTILITY')).toBe(true);
    expect(data[0]).toEqual(
      expect.objectContaining({
        name: expect.any(String),
        topic: expect.any(String),
        usecase: expect.any(String),
        industry: ['E_COMMERCE'],
        body_params: expect.any(Array),
        body_param_types: expect.any(Array),
        buttons: expect.any(Array),
        id: expect.stringMatching(/^\d+$/),
      }),
    );
    const vi = await h.graph.get('message_template_library', { name_or_content: 'giao', language: 'vi' });
    expect((vi.body.data as unknown[]).length).toBeGreaterThan(0);
  });

  it('R13b: creates a named vi template: instantly APPROVED, and the status webhook reaches the app', async () => {
    const r = await create();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: expect.stringMatching(/^\d+$/), status: 'APPROVED', category: 'UTILITY' });
    await h.client.flushWebhooks();
    expect(changes()).toEqual([
      {
        field: 'message_template_status_update',
        value: {
          event: 'APPROVED',
          message_template_id: Number(r.body.id),
          message_template_name: 'order_shipped_vi',
          message_template_language: 'vi',
          message_template_category: 'UTILITY',
          reason: 'NONE',
        },
      },
    ]);
    const list = await h.graph.get(`${h.pageId}/message_templates`, { name: 'order_shipped_vi' });
    expect(list.body.data).toEqual([
      expect.objectContaining({
        id: r.body.id,
        status: 'APPROVED',
        language: 'vi',
        parameter_format: 'NAMED',
      }),
    ]);
  });

  it('refuses bad templates with code 100 and stores nothing', async () => {
    const bad = [
      { ...SHIPPED, category: 'MARKETING' },
      { ...SHIPPED, language: 'xx' },
      { ...SHIPPED, name: 'Has Spaces' },
      { ...SHIPPED, components: [{ type: 'BODY', text: 'Hi {{customer_name}}' }] }, // no example
      {
        ...SHIPPED,
        components: [
          { type: 'BODY', text: 'Hi' },
          {
            type: 'BUTTONS',
            buttons: [1, 2, 3, 4].map((i) => ({ type: 'POSTBACK', text: `B${i}`, payload: `p${i}` })),
          },
        ],
      },
    ];
    for (const b of bad) expect(errOf(await create(b))[0]).toBe(100);
    expect(await c26.templates()).toEqual([]);
    await create();
    expect(errOf(await create())).toEqual([100, 2388024]); // same name and language
  });

  it('clones a library template with its button input, and lists it', async () => {
    const r = await create({
      name: 'shop_order_confirmation_1',
      category: 'UTILITY',
      language: 'en',
      library_template_name: 'order_confirmation_1',
      library_template_button_inputs: [
        { type: 'URL', text: 'Manage your order', url: { base_url: 'https://shop.vn/' } },
      ],
    });
    expect(r.body).toMatchObject({ status: 'APPROVED', category: 'UTILITY' });
    const [t] = await c26.templates();
    expect(t).toMatchObject({
      libraryTemplateName: 'order_confirmation_1',
      parameterFormat: 'POSITIONAL',
      buttons: [{ type: 'URL', text: 'Manage your order', url: 'https://shop.vn/' }],
    });
    const send = await h.graph.send({
      recipient: { id: PSID },
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'shop_order_confirmation_1',
          language: { code: 'en' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Lan' },
                { type: 'text', text: '#9' },
              ],
            },
          ],
        },
      },
    });
    expect(send.status).toBe(200);
  });

  it('R13b: an edit is resubmitted; with the reject knob it ends REJECTED (reason in the webhook) and cannot be sent', async () => {
    const { body } = await create();
    await c26.policy({ templateApproval: 'REJECTED', templateRejectReason: 'INVALID_FORMAT' });
    const edit = await h.graph.raw('POST', `${String(body.id)}?access_token=${h.token}`, {
      json: {
        components: [
          {
            type: 'BODY',
            text: 'Đơn {{order_id}} đã gửi',
            example: { body_text_named_params: [{ param_name: 'order_id', example: '1' }] },
          },
        ],
      },
    });
    expect(edit.body).toMatchObject({ success: true, status: 'REJECTED' });
    await h.client.flushWebhooks();
    expect(changes().at(-1)?.value).toMatchObject({ event: 'REJECTED', reason: 'INVALID_FORMAT' });
    const got = await h.graph.get(String(body.id));
    expect(got.body).toMatchObject({ status: 'REJECTED', rejected_reason: 'INVALID_FORMAT' });
    expect(errOf(await sendShipped(ALL_PARAMS))).toEqual([132015, undefined]);
  });

  it('R13b: review can later disable an approved template (webhook DISABLED); deletion by name removes it', async () => {
    const { body } = await create();
    await c26.setTemplateStatus(String(body.id), 'DISABLED', 'Low quality');
    await h.client.flushWebhooks();
    expect(changes().at(-1)?.value).toMatchObject({ event: 'DISABLED', reason: 'Low quality' });
    expect(errOf(await sendShipped(ALL_PARAMS))[0]).toBe(132015);
    const del = await h.graph.raw(
      'DELETE',
      `${h.pageId}/message_templates?name=order_shipped_vi&access_token=${h.token}`,
    );
    expect(del.body).toEqual({ success: true });
    expect((await h.graph.get(`${h.pageId}/message_templates`)).body.data).toEqual([]);
    expect(errOf(await sendShipped(ALL_PARAMS))[0]).toBe(132001);
  });

  it("another page's token can neither list nor send this page's templates", async () => {
    await create();
    await h.client.config({});
    const other = await fetch(`${h.url}/sandbox/pages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '555000111', profile: '2026' }),
    }).then((r) => r.json() as Promise<{ pageAccessToken: string }>);
    const asOther = await h.graph.raw(
      'GET',
      `${h.pageId}/message_templates?access_token=${other.pageAccessToken}`,
    );
    expect(errOf(asOther)).toEqual([100, 33]);
    const mine = await h.graph.raw('GET', `me/message_templates?access_token=${other.pageAccessToken}`);
    expect(mine.body.data).toEqual([]);
  });
});

describe('utility template sends (R12c, R13b)', () => {
  it('goes 9 days after the last message, renders the named parameters, and echoes as a card', async () => {
    await create();
    const r = await sendShipped(ALL_PARAMS);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ recipient_id: PSID, message_id: expect.stringMatching(/^m_/) });
    const thread = await h.client.thread(PSID);
    const item = thread.items.at(-1)!;
    expect(item.utility).toEqual({
      templateId: expect.any(String),
      name: 'order_shipped_vi',
      language: 'vi',
      header: 'Cập nhật đơn hàng',
      body: 'Đơn #566701 đã được giao cho đơn vị vận chuyển, Lan.',
      buttons: [{ type: 'URL', text: 'Theo dõi đơn', url: 'https://shop.vn/o/1234' }],
    });
    expect(item.messagingType).toBe('UTILITY');
    await h.client.flushWebhooks();
    const echo = rx.events().find((e) => (e.message as { is_echo?: boolean } | undefined)?.is_echo);
    expect(echo?.message).toMatchObject({
      attachments: [
        {
          type: 'template',
          payload: {
            template_type: 'generic',
            elements: [
              {
                title: 'Cập nhật đơn hàng',
                subtitle: 'Đơn #566701 đã được giao cho đơn vị vận chuyển, Lan.',
              },
            ],
          },
        },
      ],
    });
    // Plain text at the same moment is still outside the window.
    expect(errOf(await h.graph.text(PSID))).toEqual([10, 2018278]);
  });

  it("refuses an unknown template, an unknown parameter and a missing one with Meta's codes; nothing is sent", async () => {
    await create();
    const unknown = await h.graph.send({
      recipient: { id: PSID },
      messaging_type: 'UTILITY',
      message: { template: { name: 'nope', language: { code: 'vi' }, components: [] } },
    });
    expect(errOf(unknown)).toEqual([132001, undefined]);
    const extra = [...ALL_PARAMS, { type: 'text', parameter_name: 'coupon', text: 'X' }];
    expect(errOf(await sendShipped(extra))).toEqual([132012, undefined]);
    expect(errOf(await sendShipped(ALL_PARAMS.slice(0, 1)))).toEqual([132000, undefined]);
    expect(await h.client.received(PSID)).toEqual([]);
  });

  it('the error codes are knobs; a pending template (approval knob) is refused until review approves it', async () => {
    await c26.policy({
      templateApproval: 'PENDING',
      templateErrors: {
        notApproved: { code: 100, subcode: 2388055, message: '(#100) Template not approved' },
      },
    });
    const { body } = await create();
    expect(body.status).toBe('PENDING');
    expect(errOf(await sendShipped(ALL_PARAMS))).toEqual([100, 2388055]);
    await c26.setTemplateStatus(String(body.id), 'APPROVED');
    expect((await sendShipped(ALL_PARAMS)).status).toBe(200);
  });

  it('tolerates the doc quirk with template at the top level, and refuses UTILITY without a template', async () => {
    await create({ ...SHIPPED, components: [SHIPPED.components[1]!] });
    const quirk = await h.graph.send({
      recipient: { id: PSID },
      template: {
        name: 'order_shipped_vi',
        language: { code: 'vi' },
        components: [{ type: 'body', parameters: ALL_PARAMS }],
      },
    });
    expect(quirk.status).toBe(200);
    const item = (await h.client.thread(PSID)).items.at(-1)!;
    expect(item.utility?.body).toBe('Đơn #566701 đã được giao cho đơn vị vận chuyển, Lan.');
    expect(errOf(await h.graph.text(PSID, 'hi', { messaging_type: 'UTILITY' }))[0]).toBe(100);
    // appsecret_proof is checked on the template paths as on the Send API.
    const badProof = await h.graph.raw(
      'GET',
      `me/message_templates?access_token=${h.token}&appsecret_proof=00`,
    );
    expect(errOf(badProof)).toEqual([100, undefined]);
    const goodProof = await h.graph.raw(
      'GET',
      `me/message_templates?access_token=${h.token}&appsecret_proof=${h.graph.proof()}`,
    );
    expect(goodProof.status).toBe(200);
  });
});
