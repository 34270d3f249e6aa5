// Webhook side of the channel (messenger-platform-notes §4, §7.2, §7.5, §7.11): signature and
// challenge checks, and parsing of `{object:"page", entry:[...]}` into typed events.
//
// Idempotency keys. Meta redelivers a failed webhook "immediately … a few more times" with the same
// JSON, so a key must be a function of the event's own content and never of when or how it was
// delivered (not entry.time, not the position in the batch, not our clock):
// - message / echo: `message:<mid>`. Meta assigns the mid once per message; a redelivery carries it.
// - postback: `postback:<mid>` when Meta includes a mid, else a hash like the others.
// - everything else: `<type>:` + sha256 of [page, psid, type, event timestamp, and the fields that
//   tell two real events apart (token and status for opt-ins, mids and watermark for deliveries,
//   watermark for reads, mid/action/reaction for reactions)]. Two deliveries of one event agree on
//   all of these; two distinct events differ in at least the timestamp (ms) or the token/status.
import { createHash, createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { FREQUENCIES, type Frequency, parseMetaTimestamp } from '../domain/platform.ts';
import type { MessageAttachment, MessengerEvent, ParsedWebhook } from './webhook-events.ts';

export type * from './webhook-events.ts';

// ---------------------------------------------------------------------------------------------
// Signature and verification challenge
// ---------------------------------------------------------------------------------------------

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** App secrets as keys, made once (a string key is converted again on every HMAC); bounded. */
const hmacKeys = new Map<string, KeyObject>();

function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    if (hmacKeys.size >= 1000) hmacKeys.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

/**
 * Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` over the exact bytes
 * received (Meta signs its escaped-unicode serialisation; re-serialised JSON would not match).
 * Malformed or missing headers are false, never an exception; the digests are compared in constant
 * time over equal-length (32-byte) buffers.
 */
export function verifySignature(
  appSecret: string,
  rawBody: Buffer,
  header: string | readonly string[] | undefined,
): boolean {
  // Node gives a repeated header as an array; Meta sends one, so anything else is malformed.
  if (Array.isArray(header)) return header.length === 1 && verifySignature(appSecret, rawBody, header[0]);
  if (!appSecret || typeof header !== 'string') return false;
  const m = SIGNATURE.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'hex');
  const expected = createHmac('sha256', hmacKey(appSecret)).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Constant time even for different lengths: compares fixed-size digests of both strings. */
function safeEqualStrings(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

function first(v: unknown): string | undefined {
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * GET verification: returns the challenge to echo with 200 when `hub.mode=subscribe` and the verify
 * token matches (constant time), else null (answer 403).
 */
export function verifyChallenge(query: Record<string, unknown>, verifyToken: string): string | null {
  const mode = first(query['hub.mode']);
  const token = first(query['hub.verify_token']);
  const challenge = first(query['hub.challenge']);
  if (!verifyToken || mode !== 'subscribe' || token === undefined || challenge === undefined) return null;
  return safeEqualStrings(token, verifyToken) ? challenge : null;
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Ids are strings in Meta's JSON, but numeric ids (app_id in echoes) are normalised to strings. */
function id(v: unknown): string | null {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function msDate(v: unknown): Date | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? new Date(v) : null;
}

function hashKey(type: string, parts: unknown[]): string {
  return `${type}:${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}

/** Both spellings Meta uses (notes §2.4): `STOP_NOTIFICATIONS` and `STOP NOTIFICATIONS`. */
export function notificationStatus(v: unknown): 'STOP' | 'RESUME' | null | 'invalid' {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return 'invalid';
  const s = v
    .trim()
    .toUpperCase()
    .replace(/[\s_]+/g, '_');
  if (s === 'STOP_NOTIFICATIONS') return 'STOP';
  if (s === 'RESUME_NOTIFICATIONS') return 'RESUME';
  return 'invalid';
}

function attachments(v: unknown): MessageAttachment[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isRec).map((a) => {
    const payload = isRec(a.payload) ? a.payload : null;
    return { type: str(a.type) ?? 'unknown', url: str(payload?.url), payload };
  });
}

interface Context {
  pageId: string;
  psid: string;
  timestamp: Date | null;
  tsMs: number | null;
  raw: Rec;
}

type Parsed = MessengerEvent | string;

function parseMessage(c: Context, m: Rec, ts: Date): Parsed {
  const mid = str(m.mid);
  if (!mid) return 'message without mid';
  const qr = isRec(m.quick_reply) ? str(m.quick_reply.payload) : null;
  const replyTo = isRec(m.reply_to) ? str(m.reply_to.mid) : null;
  return {
    type: 'message',
    pageId: c.pageId,
    psid: c.psid,
    timestamp: ts,
    idempotencyKey: `message:${mid}`,
    raw: c.raw,
    mid,
    text: str(m.text),
    quickReplyPayload: qr,
    attachments: attachments(m.attachments),
    replyToMid: replyTo,
    isEcho: m.is_echo === true,
    appId: id(m.app_id),
    metadata: str(m.metadata),
  };
}

function parseOptin(c: Context, o: Rec, ts: Date): Parsed {
  const base = { pageId: c.pageId, psid: c.psid, timestamp: ts, raw: c.raw };
  if (o.type === 'one_time_notif_req') {
    const token = str(o.one_time_notif_token);
    if (!token) return 'one_time_notif_req opt-in without one_time_notif_token';
    const key = hashKey('optin_otn', [c.pageId, c.psid, 'optin_otn', c.tsMs, token]);
    return { type: 'optin_otn', ...base, idempotencyKey: key, token, payload: str(o.payload) };
  }
  if (o.type === 'notification_messages') {
    const token = str(o.notification_messages_token);
    if (!token) return 'notification_messages opt-in without notification_messages_token';
    const status = notificationStatus(o.notification_messages_status);
    // A misread stop must never turn into a (re)subscription: skip rather than guess.
    if (status === 'invalid') {
      return `unknown notification_messages_status ${JSON.stringify(o.notification_messages_status)}`;
    }
    const freq = str(o.notification_messages_frequency);
    const uts = str(o.user_token_status);
    const expiry = o.token_expiry_timestamp;
    return {
      type: 'optin_recurring',
      ...base,
      idempotencyKey: hashKey('optin_recurring', [
        c.pageId,
        c.psid,
        'optin_recurring',
        c.tsMs,
        token,
        status,
      ]),
      token,
      payload: str(o.payload),
      title: str(o.title),
      tokenExpiresAt:
        typeof expiry === 'number' || typeof expiry === 'string' ? parseMetaTimestamp(expiry) : null,
      frequency: freq && (FREQUENCIES as readonly string[]).includes(freq) ? (freq as Frequency) : null,
      timezone: str(o.notification_messages_timezone),
      userTokenStatus: uts === 'REFRESHED' || uts === 'NOT_REFRESHED' ? uts : null,
      status,
    };
  }
  return `unsupported optin type ${JSON.stringify(o.type ?? null)}`;
}

function parseEvent(c: Context, e: Rec): Parsed {
  if (isRec(e.delivery)) {
    const d = e.delivery;
    const watermark = msDate(d.watermark);
    if (!watermark) return 'delivery without watermark';
    const mids = Array.isArray(d.mids) ? d.mids.filter((x): x is string => typeof x === 'string') : [];
    return {
      type: 'delivery',
      pageId: c.pageId,
      psid: c.psid,
      // Meta's delivery examples carry no timestamp: the watermark is the best time we have.
      timestamp: c.timestamp ?? watermark,
      idempotencyKey: hashKey('delivery', [c.pageId, c.psid, 'delivery', d.watermark, [...mids].sort()]),
      raw: c.raw,
      mids,
      watermark,
    };
  }
  if (isRec(e.read)) {
    const watermark = msDate(e.read.watermark);
    if (!watermark) return 'read without watermark';
    return {
      type: 'read',
      pageId: c.pageId,
      psid: c.psid,
      timestamp: c.timestamp ?? watermark,
      idempotencyKey: hashKey('read', [c.pageId, c.psid, 'read', e.read.watermark]),
      raw: c.raw,
      watermark,
    };
  }
  const ts = c.timestamp;
  if (!ts) return 'event without timestamp';
  if (isRec(e.message)) return parseMessage(c, e.message, ts);
  if (isRec(e.postback)) {
    const p = e.postback;
    const mid = str(p.mid);
    const payload = str(p.payload);
    const key = mid
      ? `postback:${mid}`
      : hashKey('postback', [c.pageId, c.psid, 'postback', c.tsMs, payload]);
    return {
      type: 'postback',
      pageId: c.pageId,
      psid: c.psid,
      timestamp: ts,
      idempotencyKey: key,
      raw: c.raw,
      mid,
      title: str(p.title),
      payload,
    };
  }
  if (isRec(e.optin)) return parseOptin(c, e.optin, ts);
  if (isRec(e.reaction)) {
    const r = e.reaction;
    const mid = str(r.mid);
    const action = r.action === 'unreact' ? 'unreact' : r.action === 'react' ? 'react' : null;
    if (!mid || !action) return 'reaction without mid or action';
    const reaction = str(r.reaction);
    return {
      type: 'reaction',
      pageId: c.pageId,
      psid: c.psid,
      timestamp: ts,
      idempotencyKey: hashKey('reaction', [c.pageId, c.psid, 'reaction', c.tsMs, mid, action, reaction]),
      raw: c.raw,
      mid,
      action,
      reaction,
      emoji: str(r.emoji),
    };
  }
  const kinds = Object.keys(e).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  return `unknown event kind (${kinds.join(', ') || 'no payload'})`;
}

/**
 * Turns a webhook body into typed events. Never throws: anything it cannot read is skipped and
 * named in `errors` (with its position), so one odd event does not lose the rest of the delivery.
 */
export function parseWebhook(body: unknown): ParsedWebhook {
  const events: MessengerEvent[] = [];
  const errors: string[] = [];
  if (!isRec(body) || body.object !== 'page' || !Array.isArray(body.entry)) {
    errors.push('not a page webhook (expected {object:"page", entry:[...]})');
    return { events, errors };
  }
  body.entry.forEach((entry, ei) => {
    if (!isRec(entry)) {
      errors.push(`entry[${ei}]: not an object`);
      return;
    }
    if (Array.isArray(entry.standby))
      errors.push(`entry[${ei}]: ${entry.standby.length} standby event(s) skipped`);
    if (entry.messaging === undefined) {
      if (entry.standby === undefined) errors.push(`entry[${ei}]: no messaging array`);
      return;
    }
    if (!Array.isArray(entry.messaging)) {
      errors.push(`entry[${ei}]: messaging is not an array`);
      return;
    }
    const entryPage = id(entry.id);
    entry.messaging.forEach((e, mi) => {
      const parsed = parseMessagingEvent(entryPage, e);
      if (typeof parsed === 'string') errors.push(`entry[${ei}].messaging[${mi}]: ${parsed}`);
      else events.push(parsed);
    });
  });
  return { events, errors };
}

/**
 * One element of an entry's `messaging[]`, as Meta sent it (the webhook inbox stores exactly this):
 * the typed event, or why it cannot be read. `entryPageId` is the entry's `id` when known.
 */
export function parseMessagingEvent(entryPageId: string | null, e: unknown): MessengerEvent | string {
  if (!isRec(e)) return 'not an object';
  const sender = isRec(e.sender) ? id(e.sender.id) : null;
  const recipient = isRec(e.recipient) ? id(e.recipient.id) : null;
  const echo = isRec(e.message) && e.message.is_echo === true;
  const psid = echo ? recipient : sender;
  const pageId = entryPageId ?? (echo ? sender : recipient);
  if (!psid || !pageId) return 'missing sender or recipient id';
  const tsMs = typeof e.timestamp === 'number' && e.timestamp > 0 ? e.timestamp : null;
  return parseEvent({ pageId, psid, timestamp: tsMs ? new Date(tsMs) : null, tsMs, raw: e }, e);
}
