// Wire shapes of the utility-template calls (messenger-2026-notes §2.6) and the status change parser.
import { describe, expect, it } from 'vitest';
import { libraryDraft, validateTemplate } from '../domain/utility-templates.ts';
import {
  cloneTemplateBody,
  createTemplateBody,
  parseLibraryTemplate,
  templateSendBody,
} from './templates.ts';
import { carriesChanges, parseTemplateStatusUpdates } from './webhook-changes.ts';

describe('utility template wire formats', () => {
  it("R13a: a written template is Meta's named-parameter create body", () => {
    const d = validateTemplate({
      name: 'order_shipped_vi',
      language: 'vi',
      headerText: 'Cập nhật {{order_type}}',
      bodyText: 'Đơn #{{order_id}} đã được giao, {{customer_name}}.',
      buttons: [{ type: 'POSTBACK', text: 'Hỏi shop', payload: 'ASK' }],
      examples: { order_type: 'đơn hàng', order_id: '566701', customer_name: 'Lan' },
    });
    expect(createTemplateBody(d)).toEqual({
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
          text: 'Đơn #{{order_id}} đã được giao, {{customer_name}}.',
          example: {
            body_text_named_params: [
              { param_name: 'order_id', example: '566701' },
              { param_name: 'customer_name', example: 'Lan' },
            ],
          },
        },
        { type: 'BUTTONS', buttons: [{ type: 'POSTBACK', text: 'Hỏi shop', payload: 'ASK' }] },
      ],
    });
    expect(
      templateSendBody('psid-1', d, { order_type: 'đơn', order_id: '7', customer_name: 'Lan' }),
    ).toMatchObject({
      messaging_type: 'UTILITY',
      message: {
        template: {
          language: { code: 'vi' },
          components: [
            { type: 'header', parameters: [{ type: 'text', parameter_name: 'order_type', text: 'đơn' }] },
            {
              type: 'body',
              parameters: [{ parameter_name: 'order_id' }, { parameter_name: 'customer_name' }],
            },
          ],
        },
      },
    });
  });

  it("R13a: Meta's library answer is read, and a clone is sent with library_template_name (English as en_US)", () => {
    const lib = parseLibraryTemplate({
      name: 'order_confirmation_1',
      language: 'en',
      category: 'UTILITY',
      topic: 'ORDER_MANAGEMENT',
      usecase: 'DELIVERY_CONFIRMATION',
      industry: ['E_COMMERCE'],
      body: '{{1}}, your order was successfully delivered!',
      body_params: ['John'],
      body_param_types: ['TEXT'],
      buttons: [{ type: 'URL', text: 'Manage order', url: 'https://www.example.com' }],
      id: '7635027653257090',
    });
    expect(lib).toMatchObject({ id: '7635027653257090', bodyParams: ['John'], topic: 'ORDER_MANAGEMENT' });
    const d = libraryDraft(lib!, { name: 'shop_order_confirmation_1', language: 'en', buttons: [] });
    expect(
      cloneTemplateBody({
        name: d.name,
        language: d.language,
        libraryTemplateName: lib!.name,
        buttons: [{ type: 'URL', text: 'Manage your order', url: 'https://shop.vn/' }],
      }),
    ).toEqual({
      name: 'shop_order_confirmation_1',
      category: 'UTILITY',
      language: 'en_US',
      library_template_name: 'order_confirmation_1',
      library_template_button_inputs: [
        { type: 'URL', text: 'Manage your order', url: { base_url: 'https://shop.vn/' } },
      ],
    });
    // Positional parameters go without a name, in order.
    expect(templateSendBody('p', d, { 1: 'Lan' })).toMatchObject({
      message: { template: { components: [{ type: 'body', parameters: [{ type: 'text', text: 'Lan' }] }] } },
    });
  });

  it('R13b: status changes are read from entry.changes under both field names; anything else is skipped', () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: '111',
          time: 1,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'REJECTED',
                message_template_id: 9,
                message_template_name: 'a',
                message_template_language: 'vi',
                reason: 'INVALID_FORMAT',
              },
            },
            {
              field: 'messenger_template_status_update',
              value: { event: 'APPROVED', message_template_name: 'b' },
            },
            { field: 'feed', value: { event: 'APPROVED' } },
            { field: 'message_template_status_update', value: {} },
          ],
        },
        { id: '222', messaging: [] },
      ],
    };
    expect(parseTemplateStatusUpdates(body)).toEqual([
      {
        fbPageId: '111',
        fbTemplateId: '9',
        name: 'a',
        language: 'vi',
        event: 'REJECTED',
        reason: 'INVALID_FORMAT',
      },
      { fbPageId: '111', fbTemplateId: null, name: 'b', language: null, event: 'APPROVED', reason: null },
    ]);
    expect(parseTemplateStatusUpdates({ object: 'user', entry: [] })).toEqual([]);
  });
});

describe('carriesChanges: whether a delivery has page changes to look for', () => {
  it('is true when any entry has a changes array, false for messaging-only and odd bodies', () => {
    const messaging = { object: 'page', entry: [{ id: '1', time: 1, messaging: [{ sender: { id: '2' } }] }] };
    const changes = {
      object: 'page',
      entry: [
        { id: '1', messaging: [] },
        { id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] },
      ],
    };
    expect(carriesChanges(messaging)).toBe(false);
    expect(carriesChanges(changes)).toBe(true);
    expect(carriesChanges({ object: 'page', entry: [{ id: '1', changes: [] }] })).toBe(true);
    for (const odd of [null, 'x', {}, { entry: 'x' }, { entry: [null, 3, { changes: {} }] }])
      expect(carriesChanges(odd)).toBe(false);
    // What it skips is what the parsers would find: nothing, for every body it calls change-free.
    expect(parseTemplateStatusUpdates(messaging)).toEqual([]);
    expect(parseTemplateStatusUpdates(changes)).toHaveLength(1);
  });
});
