import { describe, expect, it } from 'vitest';
import type { SendPlan } from '../domain/model.ts';
import { buildSendBody } from './graph-wire.ts';
import {
  buttonTemplate,
  imageMessage,
  MessageValidationError,
  type OutgoingMessage,
  otnRequest,
  postbackButton,
  quickReply,
  recurringOptIn,
  textMessage,
  validateOutgoingMessage,
  webUrlButton,
  withMetadata,
} from './messages.ts';

const psid = (id: string): SendPlan => ({
  messagingType: 'RESPONSE',
  tag: null,
  recipient: { id },
  subscriptionId: null,
});

/** The exact Send API body the client would POST, serialised as it goes on the wire. */
function wire(plan: SendPlan, message: OutgoingMessage): string {
  const built = buildSendBody(plan, message);
  if (!built.ok) throw new Error(built.error.message);
  return JSON.stringify(built.body);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MessageValidationError) return e.code;
    throw e;
  }
  throw new Error('expected a MessageValidationError');
}

describe('wire JSON matches messenger-platform-notes §7 exactly', () => {
  it('§7.1 OTN opt-in request', () => {
    const m = otnRequest({
      title: 'Tell me when size M is back (<=65 chars)',
      payload: 'topic:restock:sku123',
    });
    expect(wire(psid('<PSID>'), m)).toBe(
      '{"recipient":{"id":"<PSID>"},"messaging_type":"RESPONSE",' +
        '"message":{"attachment":{"type":"template","payload":{' +
        '"template_type":"one_time_notif_req","title":"Tell me when size M is back (<=65 chars)","payload":"topic:restock:sku123"}}}}',
    );
  });

  it('§7.3 OTN send: token recipient and no messaging_type', () => {
    const plan: SendPlan = {
      messagingType: null,
      tag: null,
      recipient: { one_time_notif_token: '<OTN_TOKEN>' },
      subscriptionId: 7,
    };
    expect(wire(plan, textMessage('Size M is back in stock!'))).toBe(
      '{"recipient":{"one_time_notif_token":"<OTN_TOKEN>"},"message":{"text":"Size M is back in stock!"}}',
    );
  });

  it('§7.4 recurring opt-in request (2023+ profile drops the frequency)', () => {
    const m = recurringOptIn({
      title: 'Weekly deals',
      imageUrl: 'https://example.com/deals.png',
      payload: 'topic:weekly-deals',
      ctaText: 'GET_UPDATES',
      timezone: 'UTC',
      frequency: 'WEEKLY',
      profile: '2023',
    });
    expect(wire(psid('<PSID>'), m)).toBe(
      '{"recipient":{"id":"<PSID>"},"messaging_type":"RESPONSE",' +
        '"message":{"attachment":{"type":"template","payload":{' +
        '"template_type":"notification_messages","title":"Weekly deals","image_url":"https://example.com/deals.png",' +
        '"payload":"topic:weekly-deals","notification_messages_cta_text":"GET_UPDATES",' +
        '"notification_messages_timezone":"UTC"}}}}',
    );
  });

  it('§7.4 legacy-2022 profile carries notification_messages_frequency', () => {
    const m = recurringOptIn({
      title: 'Weekly deals',
      payload: 'topic:weekly-deals',
      frequency: 'WEEKLY',
      profile: 'legacy-2022',
    });
    expect(m.attachment.payload).toEqual({
      template_type: 'notification_messages',
      title: 'Weekly deals',
      payload: 'topic:weekly-deals',
      notification_messages_frequency: 'WEEKLY',
    });
    for (const profile of ['2023', '2025', '2026'] as const) {
      const p = recurringOptIn({ title: 'T', payload: 'p', frequency: 'WEEKLY', profile }).attachment.payload;
      expect(p).not.toHaveProperty('notification_messages_frequency');
    }
  });

  it('§7.6 send with a marketing token: button template with web_url and postback', () => {
    const plan: SendPlan = {
      messagingType: null,
      tag: null,
      recipient: { notification_messages_token: '<NM_TOKEN>' },
      subscriptionId: 3,
    };
    const m = buttonTemplate('This week: 20% off', [
      webUrlButton('Shop', 'https://example.com'),
      postbackButton('Stop deals', 'unsub:weekly-deals'),
    ]);
    expect(wire(plan, m)).toBe(
      '{"recipient":{"notification_messages_token":"<NM_TOKEN>"},' +
        '"message":{"attachment":{"type":"template","payload":{"template_type":"button","text":"This week: 20% off",' +
        '"buttons":[{"type":"web_url","url":"https://example.com","title":"Shop"},{"type":"postback","title":"Stop deals","payload":"unsub:weekly-deals"}]}}}}',
    );
  });

  it('§7.8 text with a quick reply, and the HUMAN_AGENT tagged send', () => {
    expect(wire(psid('<PSID>'), textMessage('Hello (<=2000 chars)', [quickReply('Yes (<=20)', 'YES')]))).toBe(
      '{"recipient":{"id":"<PSID>"},"messaging_type":"RESPONSE","message":{"text":"Hello (<=2000 chars)","quick_replies":[{"content_type":"text","title":"Yes (<=20)","payload":"YES"}]}}',
    );
    const agent: SendPlan = {
      messagingType: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      recipient: { id: '<PSID>' },
      subscriptionId: null,
    };
    expect(wire(agent, textMessage('Agent reply within 7 days'))).toBe(
      '{"recipient":{"id":"<PSID>"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"Agent reply within 7 days"}}',
    );
  });

  it('image attachment and metadata', () => {
    const m = withMetadata(imageMessage('https://example.com/a.png', { reusable: true }), 'campaign:42');
    expect(m).toEqual({
      attachment: { type: 'image', payload: { url: 'https://example.com/a.png', is_reusable: true } },
      metadata: 'campaign:42',
    });
  });
});

describe('builders enforce LIMITS with stable error codes', () => {
  const qr = (n: number) => Array.from({ length: n }, (_, i) => quickReply(`q${i}`, `P${i}`));
  const cases: Array<[string, () => unknown, string]> = [
    ['text over 2000 characters', () => textMessage('x'.repeat(2001)), 'text_too_long'],
    ['empty text', () => textMessage(''), 'text_empty'],
    ['14 quick replies', () => textMessage('hi', qr(14)), 'too_many_quick_replies'],
    [
      'quick reply title over 20',
      () => textMessage('hi', [quickReply('x'.repeat(21), 'P')]),
      'quick_reply_title_too_long',
    ],
    [
      'quick reply without payload',
      () => textMessage('hi', [quickReply('ok', '')]),
      'quick_reply_payload_empty',
    ],
    [
      'button text over 640',
      () => buttonTemplate('x'.repeat(641), [postbackButton('a', 'b')]),
      'button_text_too_long',
    ],
    ['no buttons', () => buttonTemplate('t', []), 'too_few_buttons'],
    [
      'four buttons',
      () =>
        buttonTemplate(
          't',
          qr(4).map((q) => postbackButton(q.title, q.payload)),
        ),
      'too_many_buttons',
    ],
    [
      'button title over 20',
      () => buttonTemplate('t', [postbackButton('x'.repeat(21), 'b')]),
      'button_title_too_long',
    ],
    ['web_url not a URL', () => buttonTemplate('t', [webUrlButton('Shop', 'not a url')]), 'invalid_url'],
    [
      'web_url javascript:',
      () => buttonTemplate('t', [webUrlButton('Shop', 'javascript:alert(1)')]),
      'invalid_url',
    ],
    ['OTN title over 65', () => otnRequest({ title: 'x'.repeat(66), payload: 'p' }), 'title_too_long'],
    ['OTN empty title', () => otnRequest({ title: ' ', payload: 'p' }), 'title_empty'],
    ['OTN without payload', () => otnRequest({ title: 't', payload: '' }), 'payload_empty'],
    [
      'recurring title over 65',
      () => recurringOptIn({ title: 'x'.repeat(66), payload: 'p', profile: '2025' }),
      'title_too_long',
    ],
    [
      'recurring bad CTA',
      () => recurringOptIn({ title: 't', payload: 'p', ctaText: 'SUBSCRIBE' as never, profile: '2025' }),
      'invalid_cta_text',
    ],
    [
      'recurring bad time zone',
      () => recurringOptIn({ title: 't', payload: 'p', timezone: 'Mars/Olympus', profile: '2025' }),
      'invalid_timezone',
    ],
    ['image without http(s) URL', () => imageMessage('ftp://x/y.png'), 'invalid_url'],
    ['metadata over 1000', () => withMetadata(textMessage('hi'), 'x'.repeat(1001)), 'metadata_too_long'],
    ['unknown shape', () => validateOutgoingMessage({} as OutgoingMessage), 'unknown_message_shape'],
  ];
  it.each(cases)('%s is refused', (_name, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('limits are inclusive and count characters, not UTF-16 units', () => {
    expect(textMessage('x'.repeat(2000)).text).toHaveLength(2000);
    expect(textMessage('😀'.repeat(2000)).text).toHaveLength(4000);
    expect(textMessage('hi', qr(13)).quick_replies).toHaveLength(13);
    expect(otnRequest({ title: 'x'.repeat(65), payload: 'p' }).attachment.payload.title).toHaveLength(65);
    expect(
      buttonTemplate(
        'x'.repeat(640),
        qr(3).map((q) => postbackButton(q.title, q.payload)),
      ),
    ).toBeTruthy();
  });

  it('every CTA text of the platform table is accepted', () => {
    for (const cta of ['ALLOW', 'GET', 'GET_UPDATES', 'OPT_IN', 'SIGN_UP'] as const) {
      const p = recurringOptIn({ title: 't', payload: 'p', ctaText: cta, profile: '2026' }).attachment
        .payload;
      expect(p.notification_messages_cta_text).toBe(cta);
    }
  });
});
