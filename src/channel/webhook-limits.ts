// What a Messenger delivery may look like before any of it is stored (issue 9, item 4). parseWebhook
// skips events it does not understand (Meta sends kinds we do not use, and refusing them would make
// Meta retry forever); this check refuses what no real Meta delivery contains and what would break the
// store or the worker later: ids with control characters, timestamps no Date can hold, absurd nesting,
// sizes or counts. A refused delivery is answered 4xx on its own and nothing of it is stored.

/** Meta batches "up to 1000 updates" per delivery (Graph webhooks docs; notes §Batching). */
export const MAX_EVENTS = 1000;
/** Meta's deepest payloads (an echoed template: message.attachments[].payload.elements[].buttons[]) nest ~13. */
export const MAX_DEPTH = 32;
/** Sends are capped at 2,000 characters, postback payloads at 1,000; inbound text is far below this. */
export const MAX_STRING = 20_000;
/** Page ids and PSIDs are numeric strings (~15–17 digits); printable, no spaces, at most 64. */
const ID = /^[\x21-\x7e]{1,64}$/;
/** 9999-12-31T23:59:59.999Z: beyond it a Date is invalid or PostgreSQL refuses the value. */
export const MAX_TIMESTAMP_MS = 253_402_300_799_999;

export type DeliveryProblemCode =
  | 'invalid_webhook'
  | 'webhook_too_deep'
  | 'webhook_too_many_events'
  | 'webhook_value_too_long'
  | 'webhook_invalid_text'
  | 'webhook_invalid_id'
  | 'webhook_invalid_timestamp';

export interface DeliveryProblem {
  code: DeliveryProblemCode;
  /** Where, e.g. `entry[0].messaging[3].sender.id`. */
  at: string;
  en: string;
  vi: string;
}

const TEXT: Record<DeliveryProblemCode, { en: string; vi: string }> = {
  invalid_webhook: {
    en: 'Expected a Messenger delivery: {"object":"page","entry":[{"id":…,"messaging":[…]}]}.',
    vi: 'Dữ liệu webhook không đúng định dạng Messenger {"object":"page","entry":[…]}.',
  },
  webhook_too_deep: {
    en: `The delivery nests deeper than ${MAX_DEPTH} levels.`,
    vi: `Dữ liệu webhook lồng nhau quá ${MAX_DEPTH} cấp.`,
  },
  webhook_too_many_events: {
    en: `A delivery holds at most ${MAX_EVENTS} events.`,
    vi: `Mỗi lần gửi webhook chứa tối đa ${MAX_EVENTS} sự kiện.`,
  },
  webhook_value_too_long: {
    en: `A text value is longer than ${MAX_STRING} characters.`,
    vi: `Có giá trị văn bản dài quá ${MAX_STRING} ký tự.`,
  },
  webhook_invalid_text: {
    en: 'A text value contains a NUL character.',
    vi: 'Có giá trị văn bản chứa ký tự NUL.',
  },
  webhook_invalid_id: {
    en: 'A page or customer id is missing or malformed (1–64 printable characters).',
    vi: 'Mã Fanpage hoặc mã khách hàng bị thiếu hoặc sai định dạng (1–64 ký tự in được).',
  },
  webhook_invalid_timestamp: {
    en: 'A timestamp is not a time in milliseconds between 1970 and 9999.',
    vi: 'Có mốc thời gian không hợp lệ (phải là mili giây, từ năm 1970 đến 9999).',
  },
};

function problem(code: DeliveryProblemCode, at: string): DeliveryProblem {
  return { code, at, ...TEXT[code] };
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

function validId(v: unknown): boolean {
  if (typeof v === 'string') return ID.test(v);
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function validTimestamp(v: unknown): boolean {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= MAX_TIMESTAMP_MS;
}

/** A problem found by `walk`, with the path to it innermost first (built only once one is found). */
type Found = { code: DeliveryProblemCode; path: Array<string | number> };

/**
 * Depth, string sizes and NULs over the whole body. Recursive, but never deeper than MAX_DEPTH + 1
 * frames: an object or array deeper than that is refused before its children are looked at, so a
 * hostile body nested far deeper than the stack stops at the limit. Nothing is allocated per value
 * (a delivery has dozens): the path is built only for the problem found. Keys of an object are checked
 * before its values, and children are looked at last first — the order the explicit stack this
 * replaced had, so the same problem is named when there are several.
 */
function walk(v: unknown, depth: number): Found | null {
  if (typeof v === 'string') {
    if (v.length > MAX_STRING) return { code: 'webhook_value_too_long', path: [] };
    if (v.includes('\u0000')) return { code: 'webhook_invalid_text', path: [] };
    return null;
  }
  if (v === null || typeof v !== 'object') return null;
  if (depth > MAX_DEPTH) return { code: 'webhook_too_deep', path: [] };
  if (Array.isArray(v)) {
    for (let i = v.length - 1; i >= 0; i--) {
      const found = walk(v[i], depth + 1);
      if (found) {
        found.path.push(i);
        return found;
      }
    }
    return null;
  }
  const keys = Object.keys(v);
  for (const k of keys) {
    if (k.length > MAX_STRING || k.includes('\u0000')) return { code: 'webhook_invalid_text', path: [] };
  }
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i]!;
    const found = walk((v as Rec)[k], depth + 1);
    if (found) {
      found.path.push(k);
      return found;
    }
  }
  return null;
}

/** `$.entry[0].messaging[3]` from a path innermost first. */
function pathText(path: Array<string | number>): string {
  let at = '$';
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i]!;
    at += typeof step === 'number' ? `[${step}]` : `.${step}`;
  }
  return at;
}

function checkEvent(e: unknown, at: string): DeliveryProblem | null {
  if (!isRec(e)) return problem('invalid_webhook', at);
  for (const side of ['sender', 'recipient'] as const) {
    const party = e[side];
    if (party === undefined) continue;
    if (!isRec(party) || !validId(party.id)) return problem('webhook_invalid_id', `${at}.${side}.id`);
  }
  const times: Array<[unknown, string]> = [[e.timestamp, 'timestamp']];
  if (isRec(e.delivery)) times.push([e.delivery.watermark, 'delivery.watermark']);
  if (isRec(e.read)) times.push([e.read.watermark, 'read.watermark']);
  if (isRec(e.optin)) times.push([e.optin.token_expiry_timestamp, 'optin.token_expiry_timestamp']);
  for (const [v, field] of times) {
    if (v !== undefined && v !== null && !validTimestamp(v))
      return problem('webhook_invalid_timestamp', `${at}.${field}`);
  }
  return null;
}

/**
 * Null when the delivery may be stored; else the first problem found. Pure: no I/O, no clock.
 * Every entry must name its page (the page it is authenticated against).
 */
export function checkDelivery(body: unknown): DeliveryProblem | null {
  if (!isRec(body) || body.object !== 'page' || !Array.isArray(body.entry))
    return problem('invalid_webhook', '$');
  if (body.entry.length > MAX_EVENTS) return problem('webhook_too_many_events', 'entry');
  const shape = walk(body, 1);
  if (shape) return problem(shape.code, pathText(shape.path));
  let events = 0;
  for (const [ei, entry] of body.entry.entries()) {
    const at = `entry[${ei}]`;
    if (!isRec(entry)) return problem('invalid_webhook', at);
    if (!validId(entry.id)) return problem('webhook_invalid_id', `${at}.id`);
    if (entry.time !== undefined && !validTimestamp(entry.time))
      return problem('webhook_invalid_timestamp', `${at}.time`);
    for (const list of ['messaging', 'standby'] as const) {
      const items = entry[list];
      if (items === undefined) continue;
      if (!Array.isArray(items)) return problem('invalid_webhook', `${at}.${list}`);
      events += items.length;
      if (events > MAX_EVENTS) return problem('webhook_too_many_events', `${at}.${list}`);
      for (const [i, e] of items.entries()) {
        const p = checkEvent(e, `${at}.${list}[${i}]`);
        if (p) return p;
      }
    }
  }
  return null;
}

/** The page ids a delivery's entries name (every one must authenticate). */
export function entryPageIds(body: unknown): string[] {
  if (!isRec(body) || !Array.isArray(body.entry)) return [];
  const ids = new Set<string>();
  for (const e of body.entry) {
    if (isRec(e) && validId(e.id)) ids.add(String(e.id));
  }
  return [...ids];
}
