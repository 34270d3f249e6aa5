import { describe, expect, it } from 'vitest';
import { checkDelivery, entryPageIds, MAX_DEPTH, MAX_EVENTS, MAX_STRING } from './webhook-limits.ts';

const PAGE = '109876543210987';
const PSID = '2412345678901234';
const event = (extra: Record<string, unknown> = {}) => ({
  sender: { id: PSID },
  recipient: { id: PAGE },
  timestamp: 1_700_000_000_000,
  message: { mid: 'm_1', text: 'xin chào' },
  ...extra,
});
const delivery = (...messaging: unknown[]) => ({
  object: 'page',
  entry: [{ id: PAGE, time: 1_700_000_000_001, messaging }],
});
const nest = (n: number): unknown => (n === 0 ? 'x' : { d: nest(n - 1) });

describe('checkDelivery (issue 9 item 4; platform.md wire formats)', () => {
  it.each([
    ['a message', delivery(event())],
    [
      'an echo with a numeric app_id',
      delivery(event({ message: { mid: 'm', is_echo: true, app_id: 1517776481860111 } })),
    ],
    [
      'a delivery receipt without timestamp',
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        delivery: { mids: ['m'], watermark: 1_700_000_000_000 },
      }),
    ],
    [
      'an opt-in whose expiry is in seconds, as a string',
      delivery(
        event({
          message: undefined,
          optin: {
            type: 'notification_messages',
            notification_messages_token: 't',
            token_expiry_timestamp: '1735000000',
          },
        }),
      ),
    ],
    ['a standby entry', { object: 'page', entry: [{ id: PAGE, time: 1, standby: [event()] }] }],
    ['a numeric page id', { object: 'page', entry: [{ id: 109876543210987, messaging: [event()] }] }],
    [`${MAX_EVENTS} events`, delivery(...Array.from({ length: MAX_EVENTS }, () => event()))],
    [
      'nesting at the limit',
      { object: 'page', entry: [{ id: PAGE, messaging: [event({ x: nest(MAX_DEPTH - 5) })] }] },
    ],
  ])('accepts %s', (_, body) => {
    expect(checkDelivery(body)).toBeNull();
  });

  it.each([
    ['a non-page body', { object: 'user', entry: [] }, 'invalid_webhook'],
    ['an event that is not an object', delivery('garbage'), 'invalid_webhook'],
    [
      'an entry without a page id',
      { object: 'page', entry: [{ messaging: [event()] }] },
      'webhook_invalid_id',
    ],
    ['a PSID with a NUL', delivery(event({ sender: { id: 'a\u0000b' } })), 'webhook_invalid_text'],
    ['a PSID of 65 characters', delivery(event({ sender: { id: '1'.repeat(65) } })), 'webhook_invalid_id'],
    ['a NUL in a text', delivery(event({ message: { mid: 'm', text: 'a\u0000' } })), 'webhook_invalid_text'],
    ['a timestamp of 1e17', delivery(event({ timestamp: 1e17 })), 'webhook_invalid_timestamp'],
    [
      'a negative watermark',
      delivery({ sender: { id: PSID }, read: { watermark: -1 } }),
      'webhook_invalid_timestamp',
    ],
    ['a timestamp as text', delivery(event({ timestamp: 'soon' })), 'webhook_invalid_timestamp'],
    ['5,000-deep nesting', delivery(event({ x: nest(5000) })), 'webhook_too_deep'],
    [
      `${MAX_EVENTS + 1} events`,
      delivery(...Array.from({ length: MAX_EVENTS + 1 }, () => event())),
      'webhook_too_many_events',
    ],
    [
      'a text too long',
      delivery(event({ message: { mid: 'm', text: 'x'.repeat(MAX_STRING + 1) } })),
      'webhook_value_too_long',
    ],
  ])('refuses %s', (_, body, code) => {
    const p = checkDelivery(body);
    expect(p?.code).toBe(code);
    expect(p?.vi).toBeTruthy();
    expect(p?.en).toBeTruthy();
  });

  it('names every page the entries carry, once', () => {
    const body = { object: 'page', entry: [{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: '\u0000' }] };
    expect(entryPageIds(body)).toEqual(['a', 'b']);
  });
});
