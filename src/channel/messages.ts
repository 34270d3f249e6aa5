// Typed builders for the `message` object of a Send API call (messenger-platform-notes §5, §7).
// The types are the wire shapes themselves (snake_case), so what a builder returns is exactly what
// goes into the JSON body; the sandbox and the tests can compare against notes §7 byte for byte.
// Every limit comes from LIMITS in src/domain/platform.ts, so the sandbox enforces the same numbers.
import {
  CTA_TEXTS,
  type CtaText,
  FREQUENCIES,
  type Frequency,
  isValidTimeZone,
  LIMITS,
  PROFILE_RULES,
  type Profile,
} from '../domain/platform.ts';

/** Postback payloads are capped at 1000 chars by Meta; `message.metadata` likewise (notes §5). */
const PAYLOAD_MAX = 1000;
const METADATA_MAX = 1000;

export type MessageValidationCode =
  | 'text_empty'
  | 'text_too_long'
  | 'too_many_quick_replies'
  | 'quick_reply_title_empty'
  | 'quick_reply_title_too_long'
  | 'quick_reply_payload_empty'
  | 'button_text_too_long'
  | 'too_few_buttons'
  | 'too_many_buttons'
  | 'button_title_empty'
  | 'button_title_too_long'
  | 'invalid_url'
  | 'title_empty'
  | 'title_too_long'
  | 'payload_empty'
  | 'payload_too_long'
  | 'invalid_cta_text'
  | 'invalid_frequency'
  | 'invalid_timezone'
  | 'metadata_too_long'
  | 'unknown_message_shape';

/** Thrown by the builders (and by `validateOutgoingMessage`); `code` is stable for UIs and tests. */
export class MessageValidationError extends Error {
  override readonly name = 'MessageValidationError';
  constructor(
    readonly code: MessageValidationCode,
    message: string,
  ) {
    super(message);
  }
}

export interface QuickReply {
  content_type: 'text';
  title: string;
  payload: string;
  image_url?: string;
}

export type Button =
  | { type: 'web_url'; url: string; title: string }
  | { type: 'postback'; title: string; payload: string };

export interface ButtonTemplatePayload {
  template_type: 'button';
  text: string;
  buttons: Button[];
}

export interface OtnRequestPayload {
  template_type: 'one_time_notif_req';
  title: string;
  payload: string;
}

export interface RecurringOptInPayload {
  template_type: 'notification_messages';
  title: string;
  image_url?: string;
  payload: string;
  /** Only on legacy-2022 pages: Meta dropped the field for tokens created after Feb 2023. */
  notification_messages_frequency?: Frequency;
  notification_messages_cta_text?: CtaText;
  notification_messages_timezone?: string;
}

/** Custom string echoed back in `message_echoes` (e.g. "campaign:42"), ≤ 1000 chars. */
interface WithMetadata {
  metadata?: string;
}

export interface TextMessage extends WithMetadata {
  text: string;
  quick_replies?: QuickReply[];
}

export interface ImageMessage extends WithMetadata {
  attachment: { type: 'image'; payload: { url: string; is_reusable?: boolean } };
  quick_replies?: QuickReply[];
}

export interface ButtonTemplateMessage extends WithMetadata {
  attachment: { type: 'template'; payload: ButtonTemplatePayload };
}

export interface OtnRequestMessage extends WithMetadata {
  attachment: { type: 'template'; payload: OtnRequestPayload };
}

export interface RecurringOptInMessage extends WithMetadata {
  attachment: { type: 'template'; payload: RecurringOptInPayload };
}

export type OutgoingMessage =
  | TextMessage
  | ImageMessage
  | ButtonTemplateMessage
  | OtnRequestMessage
  | RecurringOptInMessage;

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

export function quickReply(title: string, payload: string, imageUrl?: string): QuickReply {
  const qr: QuickReply = { content_type: 'text', title, payload };
  if (imageUrl !== undefined) qr.image_url = imageUrl;
  return qr;
}

export function textMessage(text: string, quickReplies?: QuickReply[]): TextMessage {
  const m: TextMessage = { text };
  if (quickReplies && quickReplies.length > 0) m.quick_replies = quickReplies;
  return validateOutgoingMessage(m);
}

export function imageMessage(url: string, opts: { reusable?: boolean } = {}): ImageMessage {
  const payload: ImageMessage['attachment']['payload'] = { url };
  if (opts.reusable !== undefined) payload.is_reusable = opts.reusable;
  return validateOutgoingMessage({ attachment: { type: 'image', payload } });
}

export function webUrlButton(title: string, url: string): Button {
  return { type: 'web_url', url, title };
}

export function postbackButton(title: string, payload: string): Button {
  return { type: 'postback', title, payload };
}

export function buttonTemplate(text: string, buttons: Button[]): ButtonTemplateMessage {
  return validateOutgoingMessage({
    attachment: { type: 'template', payload: { template_type: 'button', text, buttons } },
  });
}

/** OTN "Notify Me" request (notes §1, §7.1): only title (≤ 65) and payload are customisable. */
export function otnRequest(input: { title: string; payload: string }): OtnRequestMessage {
  return validateOutgoingMessage({
    attachment: {
      type: 'template',
      payload: { template_type: 'one_time_notif_req', title: input.title, payload: input.payload },
    },
  });
}

export interface RecurringOptInInput {
  title: string;
  payload: string;
  imageUrl?: string | null;
  ctaText?: CtaText | null;
  timezone?: string | null;
  /** The topic's frequency; sent only when the page's profile puts frequency on the opt-in. */
  frequency?: Frequency | null;
  /** The page's platform profile decides whether `notification_messages_frequency` is sent. */
  profile: Profile;
}

/**
 * Recurring ("marketing messages") opt-in request (notes §2.3, §7.4). Key order follows §7.4 so the
 * serialised JSON matches the reference exactly. On post-2022 profiles a frequency is silently
 * dropped rather than rejected: the topic keeps its admin-chosen frequency, Meta just ignores it.
 */
export function recurringOptIn(input: RecurringOptInInput): RecurringOptInMessage {
  const sendFrequency = input.frequency && PROFILE_RULES[input.profile].frequencyOnOptIn;
  const p: RecurringOptInPayload = {
    template_type: 'notification_messages',
    title: input.title,
    ...(input.imageUrl ? { image_url: input.imageUrl } : {}),
    payload: input.payload,
    ...(sendFrequency ? { notification_messages_frequency: input.frequency as Frequency } : {}),
    ...(input.ctaText ? { notification_messages_cta_text: input.ctaText } : {}),
    ...(input.timezone ? { notification_messages_timezone: input.timezone } : {}),
  };
  return validateOutgoingMessage({ attachment: { type: 'template', payload: p } });
}

/** A copy of `message` carrying `metadata`, which Meta echoes back on the page's own message. */
export function withMetadata<M extends OutgoingMessage>(message: M, metadata: string): M {
  return validateOutgoingMessage({ ...message, metadata });
}

// ---------------------------------------------------------------------------------------------
// Validation: the single place the limits are checked, used by the builders and by the client
// (which refuses locally rather than spend a call on something Meta would reject).
// ---------------------------------------------------------------------------------------------

/** Meta counts characters, not UTF-16 units: an emoji is one character. */
function chars(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function fail(code: MessageValidationCode, message: string): never {
  throw new MessageValidationError(code, message);
}

function checkUrl(url: unknown, what: string): void {
  if (typeof url !== 'string') fail('invalid_url', `${what} must be an absolute http(s) URL`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail('invalid_url', `${what} must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    fail('invalid_url', `${what} must use http or https`);
  }
}

function checkPayload(payload: unknown, what: string): void {
  if (typeof payload !== 'string' || payload.length === 0) fail('payload_empty', `${what} is required`);
  if (chars(payload) > PAYLOAD_MAX) fail('payload_too_long', `${what} exceeds ${PAYLOAD_MAX} characters`);
}

function checkTitle(title: unknown, max: number, what: string, tooLong: MessageValidationCode): void {
  const empty: MessageValidationCode = tooLong === 'title_too_long' ? 'title_empty' : 'button_title_empty';
  if (typeof title !== 'string' || title.trim().length === 0) fail(empty, `${what} is required`);
  if (chars(title) > max) fail(tooLong, `${what} exceeds ${max} characters (${chars(title)})`);
}

function checkQuickReplies(qrs: QuickReply[] | undefined): void {
  if (qrs === undefined) return;
  if (qrs.length > LIMITS.quickRepliesMax) {
    fail('too_many_quick_replies', `at most ${LIMITS.quickRepliesMax} quick replies, got ${qrs.length}`);
  }
  for (const qr of qrs) {
    if (typeof qr.title !== 'string' || qr.title.length === 0) {
      fail('quick_reply_title_empty', 'quick reply title is required');
    }
    if (chars(qr.title) > LIMITS.buttonTitleMax) {
      fail('quick_reply_title_too_long', `quick reply title exceeds ${LIMITS.buttonTitleMax} characters`);
    }
    if (typeof qr.payload !== 'string' || qr.payload.length === 0) {
      fail('quick_reply_payload_empty', 'quick reply payload is required');
    }
    if (qr.image_url !== undefined) checkUrl(qr.image_url, 'quick reply image_url');
  }
}

function checkButtons(buttons: Button[]): void {
  if (!Array.isArray(buttons) || buttons.length < 1)
    fail('too_few_buttons', 'a button template needs 1–3 buttons');
  if (buttons.length > LIMITS.buttonsMax) {
    fail('too_many_buttons', `at most ${LIMITS.buttonsMax} buttons, got ${buttons.length}`);
  }
  for (const b of buttons) {
    checkTitle(b.title, LIMITS.buttonTitleMax, 'button title', 'button_title_too_long');
    if (b.type === 'web_url') checkUrl(b.url, 'button url');
    else if (b.type === 'postback') checkPayload(b.payload, 'postback payload');
    else
      fail(
        'unknown_message_shape',
        `unsupported button type ${JSON.stringify((b as { type: unknown }).type)}`,
      );
  }
}

function checkTemplate(p: ButtonTemplatePayload | OtnRequestPayload | RecurringOptInPayload): void {
  switch (p.template_type) {
    case 'button':
      if (typeof p.text !== 'string' || p.text.length === 0)
        fail('text_empty', 'button template text is required');
      if (chars(p.text) > LIMITS.buttonTemplateTextMax) {
        fail(
          'button_text_too_long',
          `button template text exceeds ${LIMITS.buttonTemplateTextMax} characters`,
        );
      }
      checkButtons(p.buttons);
      return;
    case 'one_time_notif_req':
      checkTitle(p.title, LIMITS.titleMax, 'opt-in title', 'title_too_long');
      checkPayload(p.payload, 'opt-in payload');
      return;
    case 'notification_messages':
      checkTitle(p.title, LIMITS.titleMax, 'opt-in title', 'title_too_long');
      checkPayload(p.payload, 'opt-in payload');
      if (p.image_url !== undefined) checkUrl(p.image_url, 'image_url');
      if (
        p.notification_messages_cta_text !== undefined &&
        !CTA_TEXTS.includes(p.notification_messages_cta_text)
      ) {
        fail('invalid_cta_text', `cta text must be one of ${CTA_TEXTS.join(', ')}`);
      }
      if (
        p.notification_messages_frequency !== undefined &&
        !FREQUENCIES.includes(p.notification_messages_frequency)
      ) {
        fail('invalid_frequency', `frequency must be one of ${FREQUENCIES.join(', ')}`);
      }
      if (
        p.notification_messages_timezone !== undefined &&
        !isValidTimeZone(p.notification_messages_timezone)
      ) {
        fail('invalid_timezone', `unknown time zone ${JSON.stringify(p.notification_messages_timezone)}`);
      }
      return;
    default:
      fail(
        'unknown_message_shape',
        `unsupported template_type ${JSON.stringify((p as { template_type: unknown }).template_type)}`,
      );
  }
}

/** Checks a message against Meta's limits; returns it unchanged or throws MessageValidationError. */
export function validateOutgoingMessage<M extends OutgoingMessage>(m: M): M {
  if (m === null || typeof m !== 'object') fail('unknown_message_shape', 'message must be an object');
  if (m.metadata !== undefined && chars(m.metadata) > METADATA_MAX) {
    fail('metadata_too_long', `metadata exceeds ${METADATA_MAX} characters`);
  }
  if ('text' in m) {
    if (typeof m.text !== 'string' || m.text.length === 0) fail('text_empty', 'text is required');
    if (chars(m.text) > LIMITS.textMax) {
      fail('text_too_long', `text exceeds ${LIMITS.textMax} characters (${chars(m.text)})`);
    }
    checkQuickReplies(m.quick_replies);
    return m;
  }
  if ('attachment' in m && m.attachment && typeof m.attachment === 'object') {
    const a = m.attachment;
    if (a.type === 'image') {
      checkUrl(a.payload?.url, 'image url');
      checkQuickReplies((m as ImageMessage).quick_replies);
      return m;
    }
    if (a.type === 'template' && a.payload && typeof a.payload === 'object') {
      checkTemplate(a.payload);
      return m;
    }
  }
  return fail('unknown_message_shape', 'message must have text or an image/template attachment');
}
