// Pure wire-format helpers for the Graph client: request bodies, batch item encoding, response
// parsing and error extraction (messenger-platform-notes §5, §7.8–7.10). No I/O here, so the
// sandbox and the tests can use the very same encoders and decoders.
import { createHmac } from 'node:crypto';
import type { Recipient, SendPlan } from '../domain/model.ts';
import { classifySendError, type GraphErrorBody, type SendErrorClass } from '../domain/send-errors.ts';
import { MessageValidationError, type OutgoingMessage, validateOutgoingMessage } from './messages.ts';

/** What went wrong with one Graph call, already classified by the platform.md error table. */
export interface GraphFailure {
  class: SendErrorClass;
  code?: number;
  subcode?: number;
  message: string;
  httpStatus?: number;
  fbtraceId?: string;
  /** True when the client refused before any call (bad plan or message): nothing reached Meta. */
  refused?: true;
}

export type SendResult =
  | { ok: true; messageId: string; recipientId: string | null; attempts: number }
  | { ok: false; error: GraphFailure; attempts: number };

/** The Send API JSON body, keys in the order of notes §7.8. */
export interface SendBody {
  recipient: Recipient;
  /** `UTILITY` is typed for the utility route (R12c); the runtime check below still refuses it until sent. */
  messaging_type?: Exclude<SendPlan['messagingType'], null>;
  tag?: 'HUMAN_AGENT';
  message: OutgoingMessage;
}

/** `GET /{psid}` user profile fields (all optional: Meta returns only what the app may see). */
export interface UserProfile {
  id: string;
  name?: string;
  first_name?: string;
  last_name?: string;
  profile_pic?: string;
  locale?: string;
  timezone?: number;
  gender?: string;
  [field: string]: unknown;
}

/** One row of `GET /{page-id}/notification_message_tokens` (notes §2.6, §7.7), values as Meta sends them. */
export interface NotificationTokenInfo {
  notification_messages_token: string;
  recipient_id: string;
  notification_messages_reoptin?: string;
  creation_timestamp?: number;
  token_expiry_timestamp?: number;
  user_token_status?: string;
  topic_title?: string;
  notification_messages_timezone?: string;
  next_eligible_time?: number;
  /** Undocumented on the list [?]: read like the opt-in webhook's (STOP means the person unsubscribed). */
  notification_messages_status?: string;
}

export interface GraphPaging {
  cursors?: { before?: string; after?: string };
  next?: string;
  previous?: string;
}

export interface NotificationTokenPage {
  data: NotificationTokenInfo[];
  paging?: GraphPaging;
}

/** hex HMAC-SHA256(key = app secret, msg = access token), as Graph expects for `appsecret_proof`. */
export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

function refusal(message: string): { ok: false; error: GraphFailure } {
  return { ok: false, error: { class: 'unknown', message, refused: true } };
}

const RECIPIENT_KEYS = ['id', 'one_time_notif_token', 'notification_messages_token'] as const;
const MESSAGING_TYPES = new Set(['RESPONSE', 'UPDATE', 'MESSAGE_TAG']);

/** Exactly one recipient form with a non-empty value; anything else on the object is dropped. */
function cleanRecipient(r: unknown): Recipient | null {
  if (r === null || typeof r !== 'object') return null;
  const present = RECIPIENT_KEYS.filter((k) => (r as Record<string, unknown>)[k] !== undefined);
  if (present.length !== 1) return null;
  const key = present[0]!;
  const value = (r as Record<string, unknown>)[key];
  if (typeof value !== 'string' || value.length === 0) return null;
  return { [key]: value } as Recipient;
}

/**
 * Turns the send resolver's plan (R1d) and a message into the Send API body, or refuses. The types
 * already allow only HUMAN_AGENT; the runtime checks are for plans that crossed a JSON boundary
 * (job payloads) or a cast. R11a: a tag must be HUMAN_AGENT and must come with MESSAGE_TAG.
 */
export function buildSendBody(
  plan: SendPlan,
  message: OutgoingMessage,
): { ok: true; body: SendBody } | { ok: false; error: GraphFailure } {
  if (plan === null || typeof plan !== 'object')
    return refusal('no send plan: the client never sends without one');
  const recipient = cleanRecipient(plan.recipient);
  if (!recipient) {
    return refusal(
      'plan recipient must have exactly one of id, one_time_notif_token, notification_messages_token',
    );
  }
  const type = plan.messagingType ?? null;
  const tag = plan.tag ?? null;
  if (type !== null && !MESSAGING_TYPES.has(type))
    return refusal(`unsupported messaging_type ${String(type)}`);
  if (tag !== null) {
    if (tag !== 'HUMAN_AGENT')
      return refusal(`R11a: only the HUMAN_AGENT tag may be sent, got ${String(tag)}`);
    if (type !== 'MESSAGE_TAG') return refusal('R11a: a tagged send must have messaging_type MESSAGE_TAG');
  } else if (type === 'MESSAGE_TAG') {
    return refusal('messaging_type MESSAGE_TAG requires a tag');
  }
  try {
    validateOutgoingMessage(message);
  } catch (e) {
    if (e instanceof MessageValidationError) return refusal(`invalid message (${e.code}): ${e.message}`);
    throw e;
  }
  const body: SendBody = {
    recipient,
    ...(type !== null ? { messaging_type: type } : {}),
    ...(tag !== null ? { tag } : {}),
    message,
  };
  return { ok: true, body };
}

/**
 * Batch item body: url-encoded form whose object values are JSON strings and whose string values
 * stay plain (messaging-api-messenger `sendBatch`; notes §7.10). encodeURIComponent, not
 * URLSearchParams, so a space is %20 as in the reference rather than '+'.
 */
export function encodeBatchItemBody(body: SendBody): string {
  return Object.entries(body)
    .map(([k, v]) => {
      const value = typeof v === 'string' ? v : JSON.stringify(v);
      return `${encodeURIComponent(k)}=${encodeURIComponent(value)}`;
    })
    .join('&');
}

/** Inverse of encodeBatchItemBody (for the sandbox and tests): JSON-looking values are parsed. */
export function decodeBatchItemBody(form: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(form)) {
    out[k] = v.startsWith('{') || v.startsWith('[') ? JSON.parse(v) : v;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parses a response text as JSON; non-JSON (an HTML 502 from a proxy) comes back as null. */
export function parseJson(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A failure from an HTTP answer: the Graph `error` object if there is one, else the status alone. */
export function failureFromResponse(httpStatus: number, body: unknown): GraphFailure {
  const raw = isRecord(body) && isRecord(body.error) ? body.error : null;
  const err: GraphErrorBody | null = raw
    ? {
        message: typeof raw.message === 'string' ? raw.message : undefined,
        type: typeof raw.type === 'string' ? raw.type : undefined,
        code: typeof raw.code === 'number' ? raw.code : undefined,
        error_subcode: typeof raw.error_subcode === 'number' ? raw.error_subcode : undefined,
        fbtrace_id: typeof raw.fbtrace_id === 'string' ? raw.fbtrace_id : undefined,
      }
    : null;
  const failure: GraphFailure = {
    class: classifySendError(err, httpStatus),
    message: err?.message ?? `HTTP ${httpStatus}`,
    httpStatus,
  };
  if (err?.code !== undefined) failure.code = err.code;
  if (err?.error_subcode !== undefined) failure.subcode = err.error_subcode;
  if (err?.fbtrace_id !== undefined) failure.fbtraceId = err.fbtrace_id;
  return failure;
}

/**
 * Reads `{recipient_id, message_id}`; also the odd shapes Meta documents for opt-in and token
 * sends (`{recipient:{id,message_id}}`, `{recipient:"<id>",message_id}`, notes §2.3, §2.5, §8.8).
 */
export function parseSendSuccess(body: unknown): { messageId: string; recipientId: string | null } | null {
  if (!isRecord(body)) return null;
  const nested = isRecord(body.recipient) ? body.recipient : null;
  const messageId = body.message_id ?? nested?.message_id;
  if (typeof messageId !== 'string' || messageId.length === 0) return null;
  const rid = body.recipient_id ?? (typeof body.recipient === 'string' ? body.recipient : nested?.id);
  return { messageId, recipientId: typeof rid === 'string' ? rid : null };
}

/**
 * One Send API answer (status + parsed body) to a result. A 2xx we cannot read is 'unknown', not
 * 'transient': Meta may well have delivered it, and a retry could send the message twice.
 */
export function sendOutcome(
  httpStatus: number,
  body: unknown,
): { ok: true; messageId: string; recipientId: string | null } | { ok: false; error: GraphFailure } {
  if (httpStatus >= 200 && httpStatus < 300) {
    const success = parseSendSuccess(body);
    if (success) return { ok: true, ...success };
    return {
      ok: false,
      error: { class: 'unknown', message: 'Graph answered 2xx without a message_id', httpStatus },
    };
  }
  return { ok: false, error: failureFromResponse(httpStatus, body) };
}

/** One element of a batch answer: `{code, headers?, body:"<json>"}`, or null when it did not run. */
export function batchItemOutcome(item: unknown): ReturnType<typeof sendOutcome> {
  if (!isRecord(item) || typeof item.code !== 'number') {
    // Graph puts null where a call in the batch timed out or was not executed: worth a retry.
    return { ok: false, error: { class: 'transient', message: 'batch item was not executed (null answer)' } };
  }
  const body = typeof item.body === 'string' ? parseJson(item.body) : (item.body ?? null);
  return sendOutcome(item.code, body);
}
