// Issue 14 item 2, end to end: the real service, worker and Graph API sandbox over loopback HTTP, the
// page on the `2026` profile, region VN. What runs today: an order event inside 24 h reaches the customer
// as plain text (R12c) through the sandbox, idempotently; Meta's template status webhook (signed,
// entry.changes) is stored and obeyed (R13b). The template itself is stored directly here, because the
// sandbox's template endpoints (library, clone, create, template sends with validation) are h6's branch:
// the tests that need them are `it.todo` below, with the reason, until that lands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.ts';
import { api, type Harness, startHarness } from './harness.ts';

describe.each(BACKENDS)('utility templates and order events end to end on %s', (backend) => {
  let h: Harness;
  let templateId: number;
  const post = (key: string | null, body: unknown) =>
    api(h.url, 'POST', `/api/pages/${h.pageId}/order-events`, body, {
      authorization: `Bearer ${h.apiKey}`,
      ...(key !== null && { 'idempotency-key': key }),
    });

  beforeAll(async () => {
    h = await startHarness(backend);
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

  it.todo(
    'R12c/R13c: outside 24 h an order event goes as the utility template (messaging_type UTILITY) — needs the sandbox template sends (h6)',
  );
  it.todo(
    "R13a: search Meta's library in the sandbox and clone; write a template — needs the sandbox template endpoints (h6)",
  );
  it.todo(
    'R13b: a template the sandbox rejects (its reject knob, then the status webhook it sends) is not sendable — needs h6',
  );
});
