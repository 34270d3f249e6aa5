import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MessengerEvent,
  type OtnOptinEvent,
  parseWebhook,
  type RecurringOptinEvent,
  verifyChallenge,
  verifySignature,
} from './webhook.ts';

const SECRET = 'app-secret';
const sign = (body: Buffer, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const PAGE = '<PAGE_ID>';
const PSID = '<PSID>';

/** Wraps messaging events the way Meta delivers them (notes §4 envelope). */
function delivery(...messaging: unknown[]) {
  return { object: 'page', entry: [{ id: PAGE, time: 1700000000000, messaging }] };
}

function only<T extends MessengerEvent['type']>(
  body: unknown,
  type: T,
): Extract<MessengerEvent, { type: T }> {
  const { events, errors } = parseWebhook(body);
  expect(errors).toEqual([]);
  expect(events).toHaveLength(1);
  expect(events[0]!.type).toBe(type);
  return events[0] as Extract<MessengerEvent, { type: T }>;
}

describe('verifySignature (X-Hub-Signature-256, notes §4)', () => {
  const body = Buffer.from(
    '{"object":"page","entry":[{"id":"1","messaging":[{"message":{"text":"\\u00e4\\u00f6\\u00e5"}}]}]}',
  );

  it('accepts the HMAC-SHA256 of the raw bytes under the app secret', () => {
    expect(verifySignature(SECRET, body, sign(body))).toBe(true);
    expect(verifySignature(SECRET, body, sign(body).toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
    expect(verifySignature(SECRET, body, [sign(body)])).toBe(true); // Node's array form of a header
  });

  it.each([
    ['a signature made with another secret', sign(body, 'other')],
    ['a missing header', undefined],
    ['an empty header', ''],
    ['the legacy sha1 header format', `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`],
    ['no sha256= prefix', createHmac('sha256', SECRET).update(body).digest('hex')],
    ['non-hex characters', `sha256=${'z'.repeat(64)}`],
    ['a shorter digest (different length)', sign(body).slice(0, -2)],
    ['a longer digest (different length)', `${sign(body)}00`],
    ['a repeated header', [sign(body), sign(body)]],
  ])('rejects %s', (_name, header) => {
    expect(verifySignature(SECRET, body, header)).toBe(false);
  });

  it('rejects everything when no app secret is configured', () => {
    expect(verifySignature('', body, sign(body, ''))).toBe(false);
  });

  it('rejects a re-serialised body: the check is over the exact bytes', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(reserialised.equals(body)).toBe(false);
    expect(verifySignature(SECRET, reserialised, sign(body))).toBe(false);
  });

  it('property: any body signed with the secret verifies; changing any one byte breaks it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, pos, flip) => {
          const raw = Buffer.from(bytes);
          const header = sign(raw);
          expect(verifySignature(SECRET, raw, header)).toBe(true);
          const mutated = Buffer.from(raw);
          const i = pos % mutated.length;
          mutated[i] = mutated[i]! ^ flip;
          expect(verifySignature(SECRET, mutated, header)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('verifyChallenge (notes §7.11)', () => {
  const q = (mode: string, token: string, challenge = '1158201444') => ({
    'hub.mode': mode,
    'hub.verify_token': token,
    'hub.challenge': challenge,
  });
  it('echoes the challenge for subscribe with the right token', () => {
    expect(verifyChallenge(q('subscribe', 'mine'), 'mine')).toBe('1158201444');
  });
  it.each([
    ['a wrong token', q('subscribe', 'nope')],
    ['a token of another length', q('subscribe', 'mine-and-more')],
    ['another mode', q('unsubscribe', 'mine')],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': 'mine' }],
    ['an empty query', {}],
  ])('returns null for %s', (_name, query) => {
    expect(verifyChallenge(query, 'mine')).toBeNull();
  });
  it('returns null when no verify token is configured', () => {
    expect(verifyChallenge(q('subscribe', ''), '')).toBeNull();
  });
});

describe('parseWebhook: event shapes of notes §7', () => {
  it('§7.2 OTN opt-in', () => {
    const e = only(
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        timestamp: 1700000000000,
        optin: {
          type: 'one_time_notif_req',
          payload: 'topic:restock:sku123',
          one_time_notif_token: '<OTN_TOKEN>',
        },
      }),
      'optin_otn',
    );
    expect(e).toMatchObject({
      pageId: PAGE,
      psid: PSID,
      timestamp: new Date(1700000000000),
      token: '<OTN_TOKEN>',
      payload: 'topic:restock:sku123',
    } satisfies Partial<OtnOptinEvent>);
  });

  const recurring = (optin: Record<string, unknown>) =>
    delivery({
      sender: { id: PSID },
      recipient: { id: PAGE },
      timestamp: 1700000000000,
      optin: {
        type: 'notification_messages',
        payload: 'topic:weekly-deals',
        title: 'Weekly deals',
        notification_messages_token: '<NM_TOKEN>',
        notification_messages_timezone: 'UTC',
        token_expiry_timestamp: 1715552000000,
        user_token_status: 'NOT_REFRESHED',
        ...optin,
      },
    });

  it('§7.5 recurring opt-in (expiry in milliseconds)', () => {
    const e = only(recurring({}), 'optin_recurring');
    expect(e).toMatchObject({
      pageId: PAGE,
      psid: PSID,
      token: '<NM_TOKEN>',
      payload: 'topic:weekly-deals',
      title: 'Weekly deals',
      tokenExpiresAt: new Date(1715552000000),
      frequency: null,
      timezone: 'UTC',
      userTokenStatus: 'NOT_REFRESHED',
      status: null,
    } satisfies Partial<RecurringOptinEvent>);
  });

  it('§7.5 expiry sent in seconds is read by magnitude; a legacy token carries its frequency', () => {
    const e = only(
      recurring({ token_expiry_timestamp: 1715552000, notification_messages_frequency: 'WEEKLY' }),
      'optin_recurring',
    );
    expect(e.tokenExpiresAt).toEqual(new Date(1715552000000));
    expect(e.frequency).toBe('WEEKLY');
  });

  it('2023+ opt-in without expiry gives tokenExpiresAt null (the product applies R8a)', () => {
    const e = only(
      recurring({ token_expiry_timestamp: undefined, user_token_status: 'REFRESHED' }),
      'optin_recurring',
    );
    expect(e.tokenExpiresAt).toBeNull();
    expect(e.userTokenStatus).toBe('REFRESHED');
  });

  it.each([
    ['STOP_NOTIFICATIONS', 'STOP'],
    ['STOP NOTIFICATIONS', 'STOP'],
    ['RESUME_NOTIFICATIONS', 'RESUME'],
    ['RESUME NOTIFICATIONS', 'RESUME'],
  ])('§7.5 notification_messages_status %s reads as %s (both spellings)', (raw, status) => {
    expect(only(recurring({ notification_messages_status: raw }), 'optin_recurring').status).toBe(status);
  });

  it('an unknown notification_messages_status is skipped, never read as an opt-in', () => {
    const { events, errors } = parseWebhook(recurring({ notification_messages_status: 'PAUSE' }));
    expect(events).toEqual([]);
    expect(errors[0]).toMatch(/notification_messages_status/);
  });

  it('§7.11 message with quick reply', () => {
    const e = only(
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        timestamp: 1458692752478,
        message: { mid: 'm_1', text: 'hi', quick_reply: { payload: 'YES' } },
      }),
      'message',
    );
    expect(e).toMatchObject({ psid: PSID, mid: 'm_1', text: 'hi', quickReplyPayload: 'YES', isEcho: false });
    expect(e.idempotencyKey).toBe('message:m_1');
  });

  it('message with attachments', () => {
    const e = only(
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        timestamp: 1458692752478,
        message: { mid: 'm_2', attachments: [{ type: 'image', payload: { url: 'https://x/y.png' } }] },
      }),
      'message',
    );
    expect(e.text).toBeNull();
    expect(e.attachments).toEqual([
      { type: 'image', url: 'https://x/y.png', payload: { url: 'https://x/y.png' } },
    ]);
  });

  it('§7.11 echo: the customer is the recipient; app_id and metadata are kept', () => {
    const e = only(
      delivery({
        sender: { id: PAGE },
        recipient: { id: PSID },
        timestamp: 1457764197627,
        message: {
          is_echo: true,
          app_id: 1517776481860111,
          metadata: 'broadcast:42',
          mid: 'm_echo',
          text: '...',
        },
      }),
      'message',
    );
    expect(e).toMatchObject({
      pageId: PAGE,
      psid: PSID,
      isEcho: true,
      appId: '1517776481860111',
      metadata: 'broadcast:42',
    });
  });

  it('§7.11 postback', () => {
    const e = only(
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        timestamp: 1458692752478,
        postback: { mid: 'm_pb', title: 'Get Started', payload: 'GET_STARTED' },
      }),
      'postback',
    );
    expect(e).toMatchObject({
      mid: 'm_pb',
      title: 'Get Started',
      payload: 'GET_STARTED',
      idempotencyKey: 'postback:m_pb',
    });
  });

  it('§7.11 delivery without a timestamp uses the watermark', () => {
    const e = only(
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        delivery: { mids: ['m_a', 'm_b'], watermark: 1458668856253 },
      }),
      'delivery',
    );
    expect(e).toMatchObject({
      mids: ['m_a', 'm_b'],
      watermark: new Date(1458668856253),
      timestamp: new Date(1458668856253),
    });
  });

  it('§7.11 read', () => {
    const e = only(
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        timestamp: 1458668856463,
        read: { watermark: 1458668856253 },
      }),
      'read',
    );
    expect(e).toMatchObject({ watermark: new Date(1458668856253), timestamp: new Date(1458668856463) });
  });

  it('reaction', () => {
    const e = only(
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        timestamp: 1458668856463,
        reaction: { reaction: 'love', emoji: '❤️', action: 'react', mid: 'm_1' },
      }),
      'reaction',
    );
    expect(e).toMatchObject({ mid: 'm_1', action: 'react', reaction: 'love', emoji: '❤️' });
  });
});

describe('parseWebhook: deliveries, unknowns and idempotency', () => {
  const msg = (mid: string, psid = PSID) => ({
    sender: { id: psid },
    recipient: { id: PAGE },
    timestamp: 1700000000000,
    message: { mid, text: mid },
  });

  it('reads several entries and several events per entry, in order', () => {
    const body = {
      object: 'page',
      entry: [
        { id: 'page-1', time: 1, messaging: [msg('m1'), msg('m2')] },
        { id: 'page-2', time: 2, messaging: [msg('m3', 'psid-2')] },
      ],
    };
    const { events, errors } = parseWebhook(body);
    expect(errors).toEqual([]);
    expect(events.map((e) => [e.pageId, e.psid, e.type === 'message' && e.mid])).toEqual([
      ['page-1', PSID, 'm1'],
      ['page-1', PSID, 'm2'],
      ['page-2', 'psid-2', 'm3'],
    ]);
  });

  it('skips unknown event kinds and malformed events, keeps the rest, never throws', () => {
    const body = delivery(
      { sender: { id: PSID }, recipient: { id: PAGE }, timestamp: 1, referral: { ref: 'x' } },
      {
        sender: { id: PSID },
        recipient: { id: PAGE },
        timestamp: 1,
        optin: { ref: 'checkbox', user_ref: 'u' },
      },
      { recipient: { id: PAGE }, timestamp: 1, message: { mid: 'm_x' } },
      'garbage',
      msg('m_ok'),
    );
    const { events, errors } = parseWebhook(body);
    expect(events.map((e) => e.type)).toEqual(['message']);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/messaging\[0\].*unknown event kind \(referral\)/);
  });

  it.each([null, 42, 'x', {}, { object: 'instagram', entry: [] }, { object: 'page', entry: 'x' }])(
    'a non-page body (%j) gives no events and one error',
    (body) => {
      const { events, errors } = parseWebhook(body);
      expect(events).toEqual([]);
      expect(errors).toHaveLength(1);
    },
  );

  it('idempotency keys are equal across redeliveries and differ between distinct events', () => {
    const optin = (token: string, timestamp: number, status?: string) =>
      delivery({
        sender: { id: PSID },
        recipient: { id: PAGE },
        timestamp,
        optin: {
          type: 'notification_messages',
          notification_messages_token: token,
          notification_messages_status: status,
        },
      });
    const key = (body: unknown) => parseWebhook(body).events[0]!.idempotencyKey;
    // A redelivery is the same JSON, possibly in another envelope with another entry.time.
    const again = optin('t1', 1000);
    (again.entry[0] as { time: number }).time = 999999;
    expect(key(optin('t1', 1000))).toBe(key(again));
    expect(key(optin('t1', 1000))).not.toBe(key(optin('t1', 1001)));
    expect(key(optin('t1', 1000))).not.toBe(key(optin('t2', 1000)));
    expect(key(optin('t1', 1000))).not.toBe(key(optin('t1', 1000, 'STOP_NOTIFICATIONS')));
    expect(key(optin('t1', 1000))).toMatch(/^optin_recurring:[0-9a-f]{64}$/);
  });
});
