// Order events and utility templates through the use-cases, on PGlite and PostgreSQL. Meta's side is the
// channel's scripted Graph server (src/channel/testing); test/e2e/utility-templates.test.ts drives the same
// paths against the sandbox.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/support/backends.ts';
import { DAY, HOUR, seedCustomer } from '../../test/support/factories.ts';
import { setCustomerPhone } from '../storage/customers.ts';
import { listMappings, listOrderEvents, postOrderEvent, putMapping } from './order-events.ts';
import { applyTemplateStatusChanges, listTemplates } from './templates.ts';
import { expectCode, orderEventSuite } from './testing/order-events-fixture.ts';
import { sendTemplateFromInbox } from './utility-sends.ts';

describe.each(BACKENDS)('order events and utility templates on %s', (backend) => {
  const suite = orderEventSuite(backend);
  const { shop, sends } = suite;

  it('R13a: a written template is submitted to Meta with named parameters and stored with its status', async () => {
    const s = await shop();
    const created = suite.graph.requests.find((r) =>
      r.path.endsWith(`/${s.page.fb_page_id}/message_templates`),
    );
    expect(created?.body).toMatchObject({
      name: 'order_shipped_vi',
      language: 'vi',
      category: 'UTILITY',
      parameter_format: 'NAMED',
      components: [
        {
          type: 'BODY',
          example: {
            body_text_named_params: [
              { param_name: 'order_id', example: '566701' },
              { param_name: 'customer_name', example: 'Lan' },
            ],
          },
        },
      ],
    });
    expect(s.template).toMatchObject({ status: 'APPROVED', parameters: ['order_id', 'customer_name'] });
  });

  it('R12c/R13c: outside 24 h an order event goes as the utility template, with its parameters', async () => {
    const s = await shop();
    const c = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: 3 * DAY },
    );
    const before = sends().length;
    const { event } = await s.post('k1', {
      type: 'order_shipped',
      orderId: '566701',
      customer: { psid: c.psid },
      fields: { name: 'Lan' },
    });
    expect(event).toMatchObject({
      status: 'sent',
      reason: null,
      customer_id: c.id,
      template_id: s.template.id,
    });
    expect(event.text).toBe('Đơn #566701 đã được giao cho đơn vị vận chuyển, Lan.');
    expect(sends().slice(before)).toHaveLength(1);
    expect(sends().at(-1)?.body).toEqual({
      recipient: { id: c.psid },
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'order_shipped_vi',
          language: { code: 'vi' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', parameter_name: 'order_id', text: '566701' },
                { type: 'text', parameter_name: 'customer_name', text: 'Lan' },
              ],
            },
          ],
        },
      },
    });
  });

  it('R12c: inside 24 h the same event goes as ordinary text (RESPONSE), the template body filled in', async () => {
    const s = await shop();
    const c = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: 2 * HOUR },
    );
    const { event } = await s.post('k1', {
      type: 'order_shipped',
      orderId: 9,
      customer: { psid: c.psid },
      fields: { name: 'Lan' },
    });
    expect(event.status).toBe('sent_as_reply');
    expect(sends().at(-1)?.body).toMatchObject({
      messaging_type: 'RESPONSE',
      message: { text: 'Đơn #9 đã được giao cho đơn vị vận chuyển, Lan.' },
    });
  });

  it('idempotency: a retried event is sent once and answers the first result; another body under the key is refused', async () => {
    const s = await shop();
    const c = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: 3 * DAY },
    );
    const body = { type: 'order_shipped', orderId: '1', customer: { psid: c.psid }, fields: { name: 'Lan' } };
    const before = sends().length;
    const [a, b] = await Promise.all([s.post('same', body), s.post('same', body)]);
    const again = await s.post('same', body);
    expect(sends().length - before).toBe(1);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(again).toMatchObject({ replayed: true, event: { id: a.event.id, status: 'sent' } });
    await expectCode(s.post('same', { ...body, orderId: '2' }), 'idempotency_key_reused');
    await expectCode(
      postOrderEvent(s.ctx, s.workspaceId, s.page.id, { idempotencyKey: undefined, body }),
      'idempotency_key_required',
    );
    expect(await listOrderEvents(s.ctx, s.workspaceId, s.page.id)).toHaveLength(1);
  });

  it('R13b: a template Meta rejects (status webhook) is not sendable; REINSTATED makes it sendable again', async () => {
    const s = await shop();
    const c = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: 3 * DAY },
    );
    const change = {
      fbPageId: s.page.fb_page_id,
      fbTemplateId: s.template.fb_template_id,
      name: s.template.name,
      language: 'vi',
      reason: 'INCORRECT_CATEGORY',
    };
    expect(await applyTemplateStatusChanges(s.ctx, [{ ...change, event: 'REJECTED' }])).toBe(1);
    expect((await listTemplates(s.ctx, s.workspaceId, s.page.id))[0]).toMatchObject({
      status: 'REJECTED',
      status_reason: 'INCORRECT_CATEGORY',
    });
    const before = sends().length;
    const body = { type: 'order_shipped', orderId: '1', customer: { psid: c.psid }, fields: { name: 'Lan' } };
    expect((await s.post('r1', body)).event).toMatchObject({
      status: 'refused',
      reason: 'template_not_approved',
    });
    await expectCode(
      sendTemplateFromInbox(s.ctx, s.workspaceId, c.id, {
        templateId: s.template.id,
        values: { order_id: '1', customer_name: 'Lan' },
      }),
      'template_not_approved',
    );
    expect(sends().length).toBe(before);
    await applyTemplateStatusChanges(s.ctx, [{ ...change, event: 'REINSTATED', reason: 'NONE' }]);
    expect((await s.post('r2', body)).event.status).toBe('sent');
  });

  it('R13c: the customer found by a phone number they gave; an unknown one is refused, not dropped', async () => {
    const s = await shop();
    const c = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: 3 * DAY },
    );
    await setCustomerPhone(s.ctx.db, c.id, '84912345678');
    const ok = await s.post('p1', {
      type: 'order_shipped',
      orderId: '1',
      customer: { phone: '0912 345 678' },
      fields: { name: 'Lan' },
    });
    expect(ok.event).toMatchObject({ status: 'sent', customer_id: c.id });
    const unknown = await s.post('p2', {
      type: 'order_shipped',
      orderId: '1',
      customer: { phone: '0900000000' },
    });
    expect(unknown.event).toMatchObject({ status: 'refused', reason: 'customer_unknown' });
    const unmapped = await s.post('p3', { type: 'order_paid', orderId: '1', customer: { psid: c.psid } });
    expect(unmapped.event).toMatchObject({ status: 'refused', reason: 'no_mapping' });
    expect((await listOrderEvents(s.ctx, s.workspaceId, s.page.id, { status: 'refused' })).length).toBe(2);
    expect(
      (await listOrderEvents(s.ctx, s.workspaceId, s.page.id, { q: '0900000000'.replace(/^0/, '84') }))
        .length,
    ).toBe(1);
  });

  it('tenancy: another workspace cannot see or use a template or mapping, nor post events for the page', async () => {
    const a = await shop();
    const b = await shop();
    const c = await seedCustomer(
      a.ctx,
      { workspaceId: a.workspaceId, pageId: a.page.id },
      { ageMs: 3 * DAY },
    );
    await expectCode(listTemplates(b.ctx, b.workspaceId, a.page.id), 'page_not_found');
    await expectCode(listMappings(b.ctx, b.workspaceId, a.page.id), 'page_not_found');
    await expectCode(
      putMapping(b.ctx, b.workspaceId, b.page.id, 'order_paid', { templateId: a.template.id, params: {} }),
      'template_not_found',
    );
    const body = { type: 'order_shipped', orderId: '1', customer: { psid: c.psid }, fields: { name: 'L' } };
    await expectCode(
      postOrderEvent(b.ctx, b.workspaceId, a.page.id, { idempotencyKey: 'x', body }),
      'page_not_found',
    );
    // B's page has no customer with A's PSID: refused, and nothing went to A's customer.
    const before = sends().length;
    expect((await b.post('x', body)).event).toMatchObject({ status: 'refused', reason: 'customer_unknown' });
    expect(sends().length).toBe(before);
    await expectCode(
      sendTemplateFromInbox(b.ctx, b.workspaceId, c.id, { templateId: a.template.id, values: {} }),
      'customer_not_found',
    );
    expect(await listOrderEvents(a.ctx, a.workspaceId, a.page.id)).toHaveLength(0);
  });

  it('agent sends from the inbox: outside 24 h the template, inside the text as a normal reply', async () => {
    const s = await shop();
    const c = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: 30 * HOUR },
    );
    const values = { order_id: '5', customer_name: 'Lan' };
    const out = await sendTemplateFromInbox(s.ctx, s.workspaceId, c.id, {
      templateId: s.template.id,
      values,
    });
    expect(out).toMatchObject({ route: 'utility', text: 'Đơn #5 đã được giao cho đơn vị vận chuyển, Lan.' });
    const fresh = await seedCustomer(
      s.ctx,
      { workspaceId: s.workspaceId, pageId: s.page.id },
      { ageMs: HOUR },
    );
    const reply = await sendTemplateFromInbox(s.ctx, s.workspaceId, fresh.id, {
      templateId: s.template.id,
      values,
    });
    expect(reply.route).toBe('reply');
    expect(sends().at(-1)?.body).toMatchObject({ messaging_type: 'RESPONSE', message: { text: reply.text } });
    await expectCode(
      sendTemplateFromInbox(s.ctx, s.workspaceId, c.id, {
        templateId: s.template.id,
        values: { order_id: '5' },
      }),
      'missing_parameter',
    );
  });
});
