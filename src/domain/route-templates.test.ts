// R13: utility templates — parameters (R13a), sendability (R13b), the route an event takes (R13c) and
// never marketing (R13d).
import { describe, expect, it } from 'vitest';
import { customer, page } from '../../test/support/domain-fixtures.ts';
import { ago, DAY, H, NOW } from '../../test/support/resolver-fixtures.ts';
import { REASON_TEXT } from './reasons.ts';
import {
  allTemplateParams,
  checkTemplateValues,
  fillTemplate,
  TEMPLATE_STATUSES,
  type TemplateState,
  templateParams,
  templateSendability,
} from './route-templates.ts';
import { type RouteSender, resolveRoute } from './send-routes.ts';

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

describe('R13a named parameters', () => {
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
  it('R13a / R12c: filled text is header and body with the values, unknown placeholders left visible', () => {
    expect(fillTemplate(t(), { order_type: 'đơn hàng', order_id: '566701', customer_name: 'Lan' })).toBe(
      'Cập nhật đơn hàng\nĐơn #566701 đã được giao, Lan. Mã: 566701',
    );
    expect(fillTemplate(t({ header: null }), { order_id: '1' })).toBe(
      'Đơn #1 đã được giao, {{customer_name}}. Mã: 1',
    );
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
