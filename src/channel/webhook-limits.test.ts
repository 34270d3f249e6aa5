import fc from 'fast-check';
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

// The explicit-stack walk checkDelivery used before its walk became recursive (no allocation per value):
// the reference the new one must agree with, problem and path, whatever the body.
function stackWalk(body: unknown): { code: string; at: string } | null {
  const stack: Array<[unknown, number, string]> = [[body, 1, '$']];
  while (stack.length) {
    const [v, depth, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.length > MAX_STRING) return { code: 'webhook_value_too_long', at };
      if (v.includes('\u0000')) return { code: 'webhook_invalid_text', at };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_DEPTH) return { code: 'webhook_too_deep', at };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1, `${at}[${i}]`]);
    } else {
      for (const [k, child] of Object.entries(v)) {
        if (k.length > MAX_STRING || k.includes('\u0000')) return { code: 'webhook_invalid_text', at };
        stack.push([child, depth + 1, `${at}.${k}`]);
      }
    }
  }
  return null;
}

describe('checkDelivery walks a body as the explicit stack did', () => {
  const odd = fc.constantFrom('a\u0000b', 'x'.repeat(MAX_STRING + 1), '', 'chào', '\u0000');
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string(),
      odd,
      fc.integer(),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.string({ maxLength: 3 }), odd), tie('v'), { maxKeys: 4 }),
    ),
  })).v;

  it('names the same problem at the same path (or none) for any entries', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 4 }), (entry) => {
        const body = { object: 'page', entry };
        const ref = stackWalk(body);
        const got = checkDelivery(body);
        if (ref) expect({ code: got?.code, at: got?.at }).toEqual(ref);
        else
          expect(['webhook_too_deep', 'webhook_value_too_long', 'webhook_invalid_text']).not.toContain(
            got?.code,
          );
      }),
      { numRuns: 2000 },
    );
  });

  it('the same at nesting around the limit', () => {
    for (let n = MAX_DEPTH - 6; n <= MAX_DEPTH + 2; n++) {
      const body = delivery(event({ x: nest(n), y: [nest(n), 'a\u0000'] }));
      expect(checkDelivery(body)?.at).toBe(stackWalk(body)?.at);
      expect(checkDelivery(body)?.code).toBe(stackWalk(body)?.code);
    }
  });
});
