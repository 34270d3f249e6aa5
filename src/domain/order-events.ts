// Order events from the shop's own system (R13c) and how each one goes (R12c): the event types, the
// mapping of an event's fields to a template's parameters, the phone rule, and the decision
// sent (template) / sent as reply (inside 24 h) / refused with a reason. Pure: no I/O, no clock reads.
import { DomainError } from './errors.ts';
import type { Bilingual } from './model.ts';
import { utilityTriggerAllowed, utilityWindowRoute } from './send-routes.ts';
import { asPlainText, fillTemplate } from './utility-templates.ts';

export const ORDER_EVENT_TYPES = [
  'order_confirmed',
  'order_paid',
  'order_shipped',
  'order_delivered',
  'order_cancelled',
  'payment_reminder',
  'appointment_reminder',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

export type OrderEventStatus = 'pending' | 'sent' | 'sent_as_reply' | 'refused';

/** Why an event was not sent: a stable code and a sentence in vi and en. */
export const ORDER_EVENT_REASONS = {
  customer_unknown: {
    vi: 'Không tìm thấy khách hàng theo PSID hoặc số điện thoại này trên Fanpage.',
    en: 'No customer of this page has this PSID or phone number.',
  },
  never_interacted: {
    vi: 'Khách hàng chưa từng nhắn tin cho Fanpage.',
    en: 'The customer has never messaged the page.',
  },
  no_mapping: {
    vi: 'Loại sự kiện này chưa được gán mẫu tiện ích trên Fanpage.',
    en: 'This event type has no utility template mapped on the page.',
  },
  template_not_approved: {
    vi: 'Mẫu tiện ích chưa được Meta phê duyệt (hoặc đã bị từ chối / vô hiệu hóa), nên không gửi được ngoài 24 giờ.',
    en: 'The utility template is not approved by Meta (or was rejected / disabled), so it cannot go after 24 hours.',
  },
  missing_parameter: {
    vi: 'Sự kiện thiếu giá trị cho tham số của mẫu.',
    en: "The event lacks a value for one of the template's parameters.",
  },
  customer_unreachable: {
    vi: 'Khách hàng không nhận được tin nhắn từ Fanpage (đã chặn hoặc không còn liên lạc được).',
    en: 'The customer cannot receive messages from the page (blocked or unreachable).',
  },
  page_restricted: {
    vi: 'Fanpage đang bị Meta hạn chế gửi tin nhắn.',
    en: 'Meta has restricted the page from sending.',
  },
  meta_refused: {
    vi: 'Meta từ chối tin nhắn.',
    en: 'Meta refused the message.',
  },
  retries_exhausted: {
    vi: 'Meta không phản hồi sau nhiều lần thử lại.',
    en: 'Meta did not answer after several retries.',
  },
} as const satisfies Record<string, Bilingual>;
export type OrderEventReason = keyof typeof ORDER_EVENT_REASONS;

export interface OrderEventInput {
  type?: unknown;
  orderId?: unknown;
  customer?: unknown;
  fields?: unknown;
}

export interface OrderEventDraft {
  type: OrderEventType;
  orderId: string | null;
  psid: string | null;
  /** Normalised (digits, country code). */
  phone: string | null;
  /** Every value the mapping may read; `order_id` is one of them when given. */
  fields: Record<string, string>;
}

function bad(message: string, field: string): DomainError {
  return new DomainError('invalid_order_event', message, { field });
}

/**
 * A phone number as digits with the country code: `+84 91 234 5678`, `0912345678` and `84912345678` are
 * the same Vietnamese number (a leading 0 is the national trunk prefix; `defaultCountry` replaces it).
 * Null when it cannot be a phone number (8–15 digits, E.164).
 */
export function normalizePhone(raw: string, defaultCountry = '84'): string | null {
  const t = raw.trim();
  if (!/^\+?[\d\s().-]+$/.test(t)) return null;
  let digits = t.replace(/\D/g, '');
  if (t.startsWith('+')) {
    // as given
  } else if (digits.startsWith('00')) digits = digits.slice(2);
  else if (digits.startsWith('0')) digits = defaultCountry + digits.slice(1);
  return /^[1-9]\d{7,14}$/.test(digits) ? digits : null;
}

/**
 * The number of Messenger's phone quick reply (`content_type: user_phone_number`), whose payload is the
 * number itself in E.164 (`+84912345678`). Other quick replies' payloads are the shop's own words and
 * never start with `+`, so they are not taken for phone numbers.
 */
export function phoneFromQuickReply(payload: string): string | null {
  return /^\+\d{8,15}$/.test(payload.trim()) ? normalizePhone(payload) : null;
}

const FIELD_RE = /^[a-z][a-z0-9_]{0,63}$/;

export function validateOrderEvent(input: OrderEventInput): OrderEventDraft {
  if (!ORDER_EVENT_TYPES.includes(input.type as OrderEventType)) {
    throw bad(`type is one of ${ORDER_EVENT_TYPES.join(', ')}.`, 'type');
  }
  const c = (input.customer ?? {}) as { psid?: unknown; phone?: unknown };
  const psid = typeof c.psid === 'string' && c.psid.trim() !== '' ? c.psid.trim() : null;
  let phone: string | null = null;
  if (typeof c.phone === 'string' && c.phone.trim() !== '') {
    phone = normalizePhone(c.phone);
    if (!phone) throw bad('customer.phone is not a phone number.', 'customer.phone');
  }
  if (!psid && !phone) throw bad('Name the customer by customer.psid or customer.phone.', 'customer');
  const fields: Record<string, string> = {};
  const raw = input.fields ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('fields is an object.', 'fields');
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!FIELD_RE.test(k)) throw bad(`Field name "${k}" is lowercase letters, digits and _.`, 'fields');
    if (typeof v !== 'string' && typeof v !== 'number')
      throw bad(`Field ${k} is text or a number.`, 'fields');
    const s = String(v);
    if (s.length > 1000) throw bad(`Field ${k} is longer than 1000 characters.`, 'fields');
    fields[k] = s;
  }
  const orderId =
    typeof input.orderId === 'string' || typeof input.orderId === 'number'
      ? String(input.orderId).trim()
      : null;
  if (orderId) fields.order_id = orderId;
  return { type: input.type as OrderEventType, orderId: orderId || null, psid, phone, fields };
}

/** A mapping fills every parameter of its template from a field name of the event. */
export function validateMapping(parameters: readonly string[], params: unknown): Record<string, string> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new DomainError('invalid_mapping', 'params is an object {parameter: event field}.', {
      field: 'params',
    });
  }
  const out: Record<string, string> = {};
  for (const p of parameters) {
    const f = (params as Record<string, unknown>)[p];
    if (typeof f !== 'string' || !FIELD_RE.test(f)) {
      throw new DomainError('invalid_mapping', `Choose the event field that fills {{${p}}}.`, {
        field: 'params',
        parameter: p,
      });
    }
    out[p] = f;
  }
  const extra = Object.keys(params).filter((k) => !parameters.includes(k));
  if (extra.length) {
    throw new DomainError('invalid_mapping', `The template has no parameter ${extra.join(', ')}.`, {
      field: 'params',
    });
  }
  return out;
}

/** The parameter values an event gives through a mapping. */
export function mappedValues(
  mapping: Record<string, string>,
  fields: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [param, field] of Object.entries(mapping)) {
    const v = fields[field];
    if (v !== undefined) out[param] = v;
  }
  return out;
}

export interface TemplateForSend {
  status: string;
  /** Stored templates are UTILITY (the migration checks it); absent means UTILITY. */
  category?: string;
  headerText: string | null;
  bodyText: string;
  parameters: readonly string[];
}

export type OrderEventPlan =
  | { route: 'reply'; text: string; values: Record<string, string> }
  | { route: 'utility'; values: Record<string, string> }
  | { route: 'refused'; reason: OrderEventReason; detail?: string };

/**
 * R12c / R13b–c: inside 24 h the template's text goes as an ordinary reply (one voice for the customer);
 * after that only an APPROVED utility template; anything else is refused with a reason, never dropped.
 */
export function planOrderEvent(args: {
  now: Date;
  customer: { lastInteractionAt: Date | null; unreachable: boolean } | null;
  template: TemplateForSend | null;
  values: Record<string, string>;
}): OrderEventPlan {
  const { customer, template } = args;
  if (!customer) return { route: 'refused', reason: 'customer_unknown' };
  if (customer.unreachable) return { route: 'refused', reason: 'customer_unreachable' };
  if (!customer.lastInteractionAt) return { route: 'refused', reason: 'never_interacted' };
  if (!template) return { route: 'refused', reason: 'no_mapping' };
  const filled = fillTemplate(template, args.values);
  if (!filled.ok) return { route: 'refused', reason: 'missing_parameter', detail: filled.missing.join(',') };
  // R12c: the resolver's own decision (send-routes.ts), so an order event and a route preview agree.
  const decided = utilityWindowRoute({
    lastInteractionAt: customer.lastInteractionAt,
    now: args.now,
    template: { status: template.status, category: template.category ?? 'UTILITY' },
  });
  if (!decided.ok) return { route: 'refused', reason: 'template_not_approved' };
  if (decided.route === 'response')
    return { route: 'reply', text: asPlainText(filled), values: filled.values };
  return { route: 'utility', values: filled.values };
}

/** R13d: the utility route carries transactional updates only; a campaign never goes through it. */
export function assertUtilitySender(sender: 'agent' | 'order_event' | 'campaign' | 'bot'): void {
  if (!utilityTriggerAllowed(sender)) {
    throw new DomainError(
      'utility_not_for_marketing',
      'A utility template carries order and account updates only; campaigns and the chat assistant cannot use it.',
    );
  }
}
