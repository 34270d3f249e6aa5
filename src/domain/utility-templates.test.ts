// R13 utility templates: what a template holds (R13a), when it may be sent (R13b), the route an event
// takes (R12c, R13c) and never marketing (R13d) — the rules of utility-templates.ts and the resolver's use.
import { describe, expect, it } from 'vitest';
import { customer, page } from '../../test/support/domain-fixtures.ts';
import { ago, DAY, H, NOW } from '../../test/support/resolver-fixtures.ts';
import { isDomainError } from './errors.ts';
import {
  assertUtilitySender,
  mappedValues,
  normalizePhone,
  phoneFromQuickReply,
  planOrderEvent,
  validateMapping,
  validateOrderEvent,
} from './order-events.ts';
import { REASON_TEXT } from './reasons.ts';
import { type RouteSender, resolveRoute } from './send-routes.ts';
import {
  allTemplateParams,
  asPlainText,
  checkTemplateValues,
  fillTemplate,
  isSendable,
  libraryDraft,
  statusAfterEvent,
  TEMPLATE_STATUSES,
  type TemplateState,
  templateParams,
  templateSendability,
  validateTemplate,
} from './utility-templates.ts';

const shipped = {
  name: 'order_shipped_vi',
  language: 'vi',
  headerText: 'Cập nhật {{ order_type }}',
  bodyText: 'Đơn #{{order_id}} đã được giao cho đơn vị vận chuyển, {{customer_name}}.',
  buttons: [{ type: 'URL', text: 'Theo dõi đơn', url: 'https://shop.vn/o' }],
  examples: { order_type: 'đơn hàng', order_id: '566701', customer_name: 'Lan' },
};

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isDomainError(e) ? e.code : 'not a DomainError';
  }
  return undefined;
}

describe('utility templates (R13a–b)', () => {
  it('R13a: named parameters from header and body, in order, spaces inside braces tidied', () => {
    const d = validateTemplate(shipped);
    expect(d.parameters).toEqual(['order_type', 'order_id', 'customer_name']);
    expect(d.headerText).toBe('Cập nhật {{order_type}}');
    expect(d.parameterFormat).toBe('NAMED');
  });

  it.each([
    ['positional parameter', { bodyText: 'Đơn {{1}}' }],
    ['four buttons', { buttons: Array(4).fill({ type: 'POSTBACK', text: 'x', payload: 'y' }) }],
    ['a language other than vi/en', { language: 'fr' }],
    ['a name with capitals', { name: 'Order' }],
    ['a missing example', { examples: { order_id: '1' } }],
    ['a URL button without http(s)', { buttons: [{ type: 'URL', text: 'x', url: 'javascript:alert(1)' }] }],
    ['no body', { bodyText: '  ' }],
  ])('R13a: refuses %s', (_label, over) => {
    expect(code(() => validateTemplate({ ...shipped, ...over }))).toBe('invalid_template');
  });

  it("R13a: a clone of Meta's library keeps its positional parameters and examples", () => {
    const d = libraryDraft(
      { body: '{{1}}, your order {{2}} was delivered!', header: null, bodyParams: ['John', '123'] },
      { name: 'shop_delivered', language: 'en', buttons: [] },
    );
    expect(d).toMatchObject({
      parameterFormat: 'POSITIONAL',
      parameters: ['1', '2'],
      examples: { 1: 'John', 2: '123' },
    });
    expect(fillTemplate(d, { 1: 'Lan', 2: '9' })).toMatchObject({
      ok: true,
      body: 'Lan, your order 9 was delivered!',
    });
  });

  it('R13b: only APPROVED is sendable; REINSTATED is approved again', () => {
    expect(isSendable('APPROVED')).toBe(true);
    for (const s of ['PENDING', 'REJECTED', 'DISABLED', 'PAUSED']) expect(isSendable(s)).toBe(false);
    expect(statusAfterEvent('reinstated')).toBe('APPROVED');
    expect(statusAfterEvent('REJECTED')).toBe('REJECTED');
  });

  it('fills every parameter, or names the missing ones', () => {
    const d = validateTemplate(shipped);
    expect(fillTemplate(d, { order_type: 'đơn', order_id: 7, customer_name: 'Lan' })).toMatchObject({
      ok: true,
      header: 'Cập nhật đơn',
      body: 'Đơn #7 đã được giao cho đơn vị vận chuyển, Lan.',
    });
    expect(fillTemplate(d, { order_id: '7', customer_name: ' ' })).toEqual({
      ok: false,
      missing: ['order_type', 'customer_name'],
    });
  });
});

describe('order events (R13c–d, R12c)', () => {
  const t = { ...validateTemplate(shipped), status: 'APPROVED' };
  const now = new Date('2026-11-30T10:00:00Z');
  const ago = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const values = { order_type: 'đơn', order_id: '7', customer_name: 'Lan' };

  it('R12c: inside 24 h the filled template goes as ordinary text', () => {
    const p = planOrderEvent({
      now,
      customer: { lastInteractionAt: ago(23.9), unreachable: false },
      template: t,
      values,
    });
    expect(p).toEqual({
      route: 'reply',
      text: 'Cập nhật đơn\nĐơn #7 đã được giao cho đơn vị vận chuyển, Lan.',
      values,
    });
  });

  it('R12c/R13b: after 24 h (any age) the approved template goes; not approved is refused', () => {
    for (const h of [24, 24 * 8, 24 * 400]) {
      const customer = { lastInteractionAt: ago(h), unreachable: false };
      expect(planOrderEvent({ now, customer, template: t, values }).route).toBe('utility');
      expect(planOrderEvent({ now, customer, template: { ...t, status: 'REJECTED' }, values })).toEqual({
        route: 'refused',
        reason: 'template_not_approved',
      });
    }
  });

  it('R13c: an event for a customer the product cannot reach is refused with a reason, never dropped', () => {
    const base = { now, template: t, values };
    expect(planOrderEvent({ ...base, customer: null })).toMatchObject({ reason: 'customer_unknown' });
    expect(
      planOrderEvent({ ...base, customer: { lastInteractionAt: null, unreachable: false } }),
    ).toMatchObject({
      reason: 'never_interacted',
    });
    expect(
      planOrderEvent({ ...base, customer: { lastInteractionAt: ago(1), unreachable: true } }),
    ).toMatchObject({
      reason: 'customer_unreachable',
    });
    const c = { lastInteractionAt: ago(30), unreachable: false };
    expect(planOrderEvent({ ...base, customer: c, template: null })).toMatchObject({ reason: 'no_mapping' });
    expect(planOrderEvent({ ...base, customer: c, values: { order_id: '7' } })).toMatchObject({
      reason: 'missing_parameter',
      detail: 'order_type,customer_name',
    });
  });

  it('R13d: campaigns and the chat assistant never go through the utility route', () => {
    expect(code(() => assertUtilitySender('campaign'))).toBe('utility_not_for_marketing');
    expect(code(() => assertUtilitySender('bot'))).toBe('utility_not_for_marketing');
    expect(code(() => assertUtilitySender('order_event'))).toBeUndefined();
    expect(code(() => assertUtilitySender('agent'))).toBeUndefined();
  });

  it('R13c: the event types, the customer by PSID or phone, order_id as a field', () => {
    expect(
      validateOrderEvent({ type: 'order_shipped', orderId: 566701, customer: { phone: '091 234 5678' } }),
    ).toEqual({
      type: 'order_shipped',
      orderId: '566701',
      psid: null,
      phone: '84912345678',
      fields: { order_id: '566701' },
    });
    expect(code(() => validateOrderEvent({ type: 'order_lost', customer: { psid: '1' } }))).toBe(
      'invalid_order_event',
    );
    expect(code(() => validateOrderEvent({ type: 'order_paid', customer: {} }))).toBe('invalid_order_event');
    expect(code(() => validateOrderEvent({ type: 'order_paid', customer: { phone: 'call me' } }))).toBe(
      'invalid_order_event',
    );
  });

  it('phone numbers: +84, 0 and 84 forms are one number; the phone quick reply is recognised', () => {
    for (const p of [
      '+84 91 234 5678',
      '0912345678',
      '84912345678',
      '(+84) 091-2345678'.replace('(+84) 0', '+84 '),
    ]) {
      expect(normalizePhone(p)).toBe('84912345678');
    }
    expect(normalizePhone('12')).toBeNull();
    expect(phoneFromQuickReply('+84912345678')).toBe('84912345678');
    expect(phoneFromQuickReply('OFFERS')).toBeNull();
    expect(phoneFromQuickReply('12345678')).toBeNull();
  });

  it('a mapping names an event field for every parameter, and no parameter the template lacks', () => {
    const params = ['order_id', 'customer_name'];
    expect(validateMapping(params, { order_id: 'order_id', customer_name: 'name' })).toEqual({
      order_id: 'order_id',
      customer_name: 'name',
    });
    expect(code(() => validateMapping(params, { order_id: 'order_id' }))).toBe('invalid_mapping');
    expect(code(() => validateMapping(params, { order_id: 'order_id', customer_name: 'n', x: 'y' }))).toBe(
      'invalid_mapping',
    );
    expect(mappedValues({ customer_name: 'name' }, { name: 'Lan', other: 'x' })).toEqual({
      customer_name: 'Lan',
    });
  });
});

const t = (o: Partial<TemplateState> = {}): TemplateState => ({
  id: 3,
  name: 'order_shipped_vi',
  language: 'vi',
  category: 'UTILITY',
  status: 'APPROVED',
  header: 'Cập nhật {{order_type}}',
  body: 'Đơn #{{order_id}} đã được giao, {{customer_name}}. Mã: {{order_id}}',
  ...o,
});

describe('R13a named parameters (the resolver’s view)', () => {
  it('R13a: the named parameters in order of first appearance, each once; positional ones too', () => {
    expect(templateParams(t().body)).toEqual(['order_id', 'customer_name']);
    expect(templateParams('{{1}}, your order {{ 2 }} shipped')).toEqual(['1', '2']);
    expect(templateParams('no parameters')).toEqual([]);
    expect(allTemplateParams(t())).toEqual(['order_type', 'order_id', 'customer_name']);
  });
  it('R13a: values are checked: missing (or blank) and unknown names are reported', () => {
    expect(
      checkTemplateValues(t(), { order_type: 'đơn hàng', order_id: '566701', customer_name: 'Lan' }),
    ).toEqual({
      missing: [],
      unknown: [],
    });
    expect(checkTemplateValues(t(), { order_id: ' ', coupon: 'X' })).toEqual({
      missing: ['order_type', 'order_id', 'customer_name'],
      unknown: ['coupon'],
    });
  });
  it('R13a / R12c: filled text is header and body with the values; a missing value is named, never sent as {{…}}', () => {
    const draft = (s: TemplateState) => ({
      headerText: s.header,
      bodyText: s.body,
      parameters: allTemplateParams(s),
    });
    const filled = fillTemplate(draft(t()), {
      order_type: 'đơn hàng',
      order_id: '566701',
      customer_name: 'Lan',
    });
    expect(filled.ok && asPlainText(filled)).toBe(
      'Cập nhật đơn hàng\nĐơn #566701 đã được giao, Lan. Mã: 566701',
    );
    expect(fillTemplate(draft(t({ header: null })), { order_id: '1' })).toEqual({
      ok: false,
      missing: ['customer_name'],
    });
  });
});

describe('R13b sendable only while APPROVED', () => {
  it.each(TEMPLATE_STATUSES)('R13b: status %s', (status) => {
    const r = templateSendability(t({ status }));
    if (status === 'APPROVED') expect(r).toEqual({ ok: true });
    else
      expect(r).toEqual({
        ok: false,
        reason: 'template_not_approved',
        text: REASON_TEXT.template_not_approved,
        nextAt: null,
      });
  });
  it('R13b: a non-UTILITY category is never sent on the utility route; no template at all is template_missing', () => {
    expect(templateSendability(t({ category: 'MARKETING' }))).toMatchObject({
      reason: 'template_not_approved',
    });
    expect(templateSendability(null)).toMatchObject({ reason: 'template_missing' });
  });
  it('R13b: through the resolver, a REJECTED template outside 24 h is refused on the utility route', () => {
    const r = resolveRoute({
      page: page({ profile: '2026' }),
      customer: customer(ago(3 * DAY)),
      sender: 'order_event',
      intent: { kind: 'utility_event', template: t({ status: 'REJECTED' }) },
      now: NOW,
    });
    expect(r).toMatchObject({ ok: false, route: 'utility', reason: 'template_not_approved' });
  });
  it('R13b: inside 24 h the text goes as a reply even while the template waits for approval (R12c)', () => {
    const r = resolveRoute({
      page: page({ profile: '2026' }),
      customer: customer(ago(H)),
      sender: 'order_event',
      intent: { kind: 'utility_event', template: t({ status: 'PENDING' }) },
      now: NOW,
    });
    expect(r).toMatchObject({ ok: true, route: 'response' });
  });
});

describe('R13c triggers and R13d no marketing', () => {
  const send = (sender: RouteSender, marketing = false, age = 3 * DAY) =>
    resolveRoute({
      page: page({ profile: '2026' }),
      customer: customer(ago(age)),
      sender,
      intent: { kind: 'utility_event', template: t(), marketing },
      now: NOW,
    });
  it('R13c: an agent picking a template and the shop’s order event both take the utility route', () => {
    expect(send('agent')).toMatchObject({ ok: true, route: 'utility' });
    expect(send('order_event')).toMatchObject({ ok: true, route: 'utility' });
  });
  it('R13d: a campaign never goes through the utility route, inside or outside 24 h', () => {
    for (const age of [H, 3 * DAY, 30 * DAY]) {
      expect(send('campaign', false, age)).toMatchObject({
        ok: false,
        route: 'utility',
        reason: 'marketing_on_utility',
      });
    }
  });
  it('R13d: content marked as marketing is refused on the utility route whoever sends it', () => {
    for (const sender of ['agent', 'order_event', 'bot'] as const) {
      expect(send(sender, true)).toMatchObject({ ok: false, reason: 'marketing_on_utility' });
    }
  });
});
