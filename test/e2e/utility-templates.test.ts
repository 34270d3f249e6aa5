// Issue 14 item 2, end to end: the real service, worker and Graph API sandbox over loopback HTTP, the
// page on the `2026` profile, region VN. What runs today: an order event inside 24 h reaches the customer
// as plain text (R12c) through the sandbox, idempotently, and outside 24 h as the utility template the
// sandbox validates and renders; Meta's template status webhook (signed, entry.changes) is stored and
// obeyed (R13b), whether posted here or sent by the sandbox's review knob; library search and clone go
// through the sandbox's Graph API. The first template is stored directly, as if synced earlier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient2026 } from '../../src/sandbox/client-2026.ts';
import { BACKENDS } from '../support/backends.ts';
import { api, type Harness, startHarness, waitFor } from './harness.ts';

describe.each(BACKENDS)('utility templates and order events end to end on %s', (backend) => {
  let h: Harness;
  let sb: SandboxClient2026;
  let templateId: number;
  const post = (key: string | null, body: unknown) =>
    api(h.url, 'POST', `/api/pages/${h.pageId}/order-events`, body, {
      authorization: `Bearer ${h.apiKey}`,
      ...(key !== null && { 'idempotency-key': key }),
    });

  beforeAll(async () => {
    h = await startHarness(backend, { env: { PAGE_PROFILE: '2026', PAGE_REGION: 'VN' } });
    sb = new SandboxClient2026(h.sandboxUrl);
    const page = await h.api('PATCH', `/api/pages/${h.pageId}`, { profile: '2026', region: 'VN' });
    expect(page.status, page.text).toBe(200);
    const now = new Date();
    const row = await h.storage.db
      .insertInto('message_templates')
      .values({
        workspace_id: h.rt.workspaceId,
        page_id: h.pageId,
        name: 'order_shipped_vi',
        language: 'vi',
        header_text: null,
        body_text: 'Đơn #{{order_id}} đã được giao cho đơn vị vận chuyển, {{customer_name}}.',
        buttons: '[]',
        parameter_format: 'NAMED',
        parameters: ['order_id', 'customer_name'],
        examples: '{"order_id":"566701","customer_name":"Lan"}',
        library_template_name: null,
        fb_template_id: 'tpl-e2e-1',
        status: 'APPROVED',
        status_reason: null,
        status_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    templateId = row.id;
    const mapped = await h.api('PUT', `/api/pages/${h.pageId}/order-event-mappings/order_shipped`, {
      templateId,
      params: { order_id: 'order_id', customer_name: 'name' },
    });
    expect(mapped.status, mapped.text).toBe(200);
  });
  afterAll(async () => h?.close());

  it('R12c: inside 24 h an order event reaches the customer as plain text; a retried post sends nothing more', async () => {
    const c = await h.newCustomer({ say: 'đơn của mình sao rồi?' });
    await h.settle();
    const body = {
      type: 'order_shipped',
      orderId: '566701',
      customer: { psid: c.psid },
      fields: { name: 'Lan' },
    };
    const first = await post('evt-1', body);
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ status: 'sent_as_reply', reason: null, customer: { id: c.id } });
    const again = await post('evt-1', body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const received = (await h.sb.received(c.psid)).filter(
      (r) => r.message.text === 'Đơn #566701 đã được giao cho đơn vị vận chuyển, Lan.',
    );
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ messaging_type: 'RESPONSE', tag: null });
    const log = await h.api('GET', `/api/pages/${h.pageId}/order-events?q=566701`);
    expect(log.body.events.map((e: { id: number }) => e.id)).toEqual([first.body.id]);
  });

  it('R13c: bad input changes nothing — no Idempotency-Key, an unknown type, no customer', async () => {
    const before = (await h.api('GET', `/api/pages/${h.pageId}/order-events`)).body.events.length;
    const cases = [
      [null, { type: 'order_shipped', customer: { psid: '1' } }, 'idempotency_key_required'],
      ['k-bad-1', { type: 'order_lost', customer: { psid: '1' } }, 'validation_failed'],
      ['k-bad-2', { type: 'order_paid', customer: {} }, 'invalid_order_event'],
    ] as const;
    for (const [key, body, code] of cases) {
      const r = await post(key, body);
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
    expect((await h.api('GET', `/api/pages/${h.pageId}/order-events`)).body.events.length).toBe(before);
  });

  it("R13b: Meta's status webhook (entry.changes) rejecting the template is stored and obeyed after 24 h", async () => {
    const c = await h.newCustomer({ say: 'cảm ơn shop' });
    await h.settle();
    const res = await h.deliver({
      object: 'page',
      entry: [
        {
          id: h.fbPageId,
          time: Date.now(),
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'REJECTED',
                message_template_id: 'tpl-e2e-1',
                message_template_name: 'order_shipped_vi',
                message_template_language: 'vi',
                reason: 'INCORRECT_CATEGORY',
              },
            },
          ],
        },
      ],
    });
    expect(res.status, res.text).toBe(200);
    const list = await h.api('GET', `/api/pages/${h.pageId}/templates`);
    expect(list.body.templates.find((t: { id: number }) => t.id === templateId)).toMatchObject({
      status: 'REJECTED',
      statusReason: 'INCORRECT_CATEGORY',
      sendable: false,
    });
    await h.sb.advance('25h'); // the sandbox's clock moves the service's too
    const before = (await h.sb.received(c.psid)).length;
    const r = await post('evt-rejected', {
      type: 'order_shipped',
      orderId: '7',
      customer: { psid: c.psid },
      fields: { name: 'Minh' },
    });
    expect(r.body).toMatchObject({ status: 'refused', reason: 'template_not_approved' });
    expect(r.body.reasonText.vi).toMatch(/chưa được Meta phê duyệt/);
    expect((await h.sb.received(c.psid)).length).toBe(before);
  });

  /** Writes a template through the API (the sandbox's Meta reviews it) and maps `type` to it. */
  async function writeAndMap(name: string, type: string) {
    const made = await h.api('POST', `/api/pages/${h.pageId}/templates`, {
      name,
      language: 'vi',
      bodyText: 'Cảm ơn {{customer_name}}, đơn #{{order_id}} đã được thanh toán.',
      examples: { customer_name: 'Lan', order_id: '1001' },
    });
    expect(made.status, made.text).toBe(201);
    const mapped = await h.api('PUT', `/api/pages/${h.pageId}/order-event-mappings/${type}`, {
      templateId: made.body.id,
      params: { order_id: 'order_id', customer_name: 'name' },
    });
    expect(mapped.status, mapped.text).toBe(200);
    return made.body;
  }

  it('R12c/R13c: outside 24 h an order event goes as the utility template (messaging_type UTILITY)', async () => {
    const made = await writeAndMap('order_paid_vi', 'order_paid');
    expect(made).toMatchObject({ status: 'APPROVED', sendable: true, parameterFormat: 'NAMED' });
    const c = await h.newCustomer({ say: 'mình chuyển khoản rồi nhé' });
    await h.settle();
    await h.sb.advance('25h');
    const r = await post('evt-paid-1', {
      type: 'order_paid',
      orderId: 'A-77',
      customer: { psid: c.psid },
      fields: { name: 'Hoa' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ status: 'sent', reason: null });
    const sent = (await h.sb.received(c.psid)).filter((x) => x.messaging_type === 'UTILITY');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.message).toMatchObject({ template: { name: 'order_paid_vi', language: { code: 'vi' } } });
    // The sandbox's Meta validated the named parameters and rendered what the phone shows.
    const shown = (await h.sb.thread(c.psid)).items.filter((m) => m.utility);
    expect(shown.at(-1)?.utility?.body).toBe('Cảm ơn Hoa, đơn #A-77 đã được thanh toán.');
  });

  it("R13a: search Meta's library through the sandbox and clone it; the clone is approved and listed", async () => {
    const found = await h.api(
      'GET',
      `/api/pages/${h.pageId}/template-library?q=order_confirmation&language=vi`,
    );
    expect(found.status, found.text).toBe(200);
    const lib = found.body.templates.find((t: { name: string }) => t.name === 'order_confirmation_1');
    expect(lib).toMatchObject({ language: 'vi', category: 'UTILITY' });
    const none = await h.api('GET', `/api/pages/${h.pageId}/template-library?q=zzz-no-such-template`);
    expect(none.body.templates).toEqual([]);
    const clone = await h.api('POST', `/api/pages/${h.pageId}/templates/clone`, {
      libraryTemplateName: 'order_confirmation_1',
      name: 'xac_nhan_don',
      language: 'vi',
      buttons: [{ type: 'URL', text: 'Xem đơn', url: 'https://shop.example/orders' }],
    });
    expect(clone.status, clone.text).toBe(201);
    expect(clone.body).toMatchObject({
      name: 'xac_nhan_don',
      libraryTemplateName: 'order_confirmation_1',
      status: 'APPROVED',
      sendable: true,
    });
    const atMeta = (await sb.templates()).filter((t) => t.name === 'xac_nhan_don');
    expect(atMeta).toHaveLength(1);
    expect(atMeta[0]).toMatchObject({ pageId: h.fbPageId, status: 'APPROVED' });
  });

  it('R13b: a template the sandbox rejects (its review knob and status webhook) is not sendable', async () => {
    const made = await writeAndMap('order_cancel_vi', 'order_cancelled');
    const atMeta = (await sb.templates()).find((t) => t.name === 'order_cancel_vi')!;
    await sb.setTemplateStatus(atMeta.id, 'REJECTED', 'INCORRECT_CATEGORY');
    await h.settle();
    const view = await waitFor(
      async () => {
        const t = (await h.api('GET', `/api/templates/${made.id}`)).body;
        return t.status === 'REJECTED' && t;
      },
      { what: 'the status webhook applied' },
    );
    expect(view).toMatchObject({ statusReason: 'INCORRECT_CATEGORY', sendable: false });
    const c = await h.newCustomer({ say: 'huỷ đơn giúp mình' });
    await h.settle();
    await h.sb.advance('25h');
    const before = (await h.sb.received(c.psid)).length;
    const r = await post('evt-cancel-1', {
      type: 'order_cancelled',
      orderId: '9',
      customer: { psid: c.psid },
      fields: { name: 'Tú' },
    });
    expect(r.body).toMatchObject({ status: 'refused', reason: 'template_not_approved' });
    expect((await h.sb.received(c.psid)).length).toBe(before);
  });

  it('R13b: with the review knob set to reject, a new template comes back REJECTED with the reason', async () => {
    await sb.policy({ templateApproval: 'REJECTED', templateRejectReason: 'INVALID_FORMAT' });
    try {
      const made = await h.api('POST', `/api/pages/${h.pageId}/templates`, {
        name: 'delivered_vi',
        language: 'vi',
        bodyText: 'Đơn #{{order_id}} đã giao thành công.',
        examples: { order_id: '1' },
      });
      expect(made.status, made.text).toBe(201);
      await h.settle();
      const view = await waitFor(
        async () => {
          const t = (await h.api('GET', `/api/templates/${made.body.id}`)).body;
          return t.status === 'REJECTED' && t;
        },
        { what: 'rejected template' },
      );
      expect(view).toMatchObject({ sendable: false });
    } finally {
      await sb.resetPolicy();
    }
  });
});
