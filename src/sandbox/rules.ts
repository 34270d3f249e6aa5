// Meta's rules, as the sandbox enforces them per page profile. Each check returns the GraphError
// Meta would answer with, or null. Time comes in as `now` (the sandbox clock), never Date.now().
import { DAY } from '../clock.ts';
import {
  addMonths,
  CTA_TEXTS,
  FREQUENCIES,
  type Frequency,
  isValidTimeZone,
  LIMITS,
  nextEligibleAfterSend,
  otnExpiry,
  PROFILE_RULES,
  type Profile,
  recurringAllowedInRegion,
  VALIDITY_MONTHS,
} from '../domain/platform.ts';
import { Errors, type GraphError } from './errors.ts';
import type { SandboxState } from './state.ts';
import type { Policy2026 } from './state-2026.ts';
import type { OtnToken, RecurringToken, SimCustomer, SimPage } from './types.ts';

/** UTILITY: utility template sends (2025+); the Send API refuses it without `message.template`. */
export const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY'] as const;
export const TAGS = [
  'HUMAN_AGENT',
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
  'CUSTOMER_FEEDBACK',
] as const;
/** HUMAN_AGENT may answer up to 7 days after the person's last interaction (R1b). */
export const HUMAN_AGENT_WINDOW_MS = 7 * DAY;
/** Meta documents no number for Facebook Pages; Instagram's is 10 different titles per 7 days. */
export const OPT_IN_REQUESTS_PER_24H = 10;
export const DEFAULT_OPT_IN_TITLE = 'Updates and promotions';
const CTA_LABELS: Record<string, string> = {
  ALLOW: 'Allow messages',
  GET: 'Get messages',
  GET_UPDATES: 'Get updates',
  OPT_IN: 'Opt in to messages',
  SIGN_UP: 'Sign up for messages',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const len = (s: string) => Array.from(s).length;

export interface OptInTemplate {
  templateType: 'one_time_notif_req' | 'notification_messages';
  title: string;
  payload: string;
  imageUrl: string | null;
  imageAspectRatio: string | null;
  ctaText: string;
  ctaLabel: string;
  frequency: Frequency | null;
  timezone: string | null;
  reoptin: string | null;
}

/** messaging_type and tag, including the 2026 tag shutdown (error 100 from 2026-04-27). */
export function validateTypeAndTag(
  profile: Profile,
  messagingType: unknown,
  tag: unknown,
): GraphError | null {
  if (messagingType != null && !(MESSAGING_TYPES as readonly unknown[]).includes(messagingType)) {
    return Errors.param(`Param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}}`);
  }
  if (messagingType === 'MESSAGE_TAG' && (tag == null || tag === '')) {
    return Errors.param('Param tag is required when messaging_type is MESSAGE_TAG');
  }
  if (tag != null && tag !== '') {
    if (!(TAGS as readonly unknown[]).includes(tag))
      return Errors.param(`Param tag must be one of {${TAGS.join(', ')}}`);
    if (PROFILE_RULES[profile].onlyHumanAgentTag && tag !== 'HUMAN_AGENT')
      return Errors.deprecatedTag(String(tag));
  }
  return null;
}

function validateButtons(buttons: unknown): GraphError | null {
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > LIMITS.buttonsMax) {
    return Errors.param(
      `param message[attachment][payload][buttons] must have 1 to ${LIMITS.buttonsMax} buttons`,
    );
  }
  for (const b of buttons) {
    if (!isObj(b)) return Errors.param('Invalid button');
    if (typeof b.title === 'string' && len(b.title) > LIMITS.buttonTitleMax) {
      return Errors.param(`Button title must be at most ${LIMITS.buttonTitleMax} characters`);
    }
  }
  return null;
}

function validateTemplate(p: Obj): GraphError | null {
  switch (p.template_type) {
    case 'button': {
      if (typeof p.text !== 'string' || p.text === '')
        return Errors.param('param text must be a non-empty string');
      if (len(p.text) > LIMITS.buttonTemplateTextMax) {
        return Errors.param(
          `Length of param text must be less than or equal to ${LIMITS.buttonTemplateTextMax}`,
        );
      }
      return validateButtons(p.buttons);
    }
    case 'generic': {
      if (!Array.isArray(p.elements) || p.elements.length < 1 || p.elements.length > 10) {
        return Errors.param('param elements must have 1 to 10 elements');
      }
      return null;
    }
    case 'one_time_notif_req':
    case 'notification_messages': {
      const title =
        p.title ?? (p.template_type === 'notification_messages' ? DEFAULT_OPT_IN_TITLE : undefined);
      if (typeof title !== 'string' || title === '')
        return Errors.param('param title must be a non-empty string');
      if (len(title) > LIMITS.titleMax) {
        return Errors.param(`Length of param title must be less than or equal to ${LIMITS.titleMax}`);
      }
      if (p.template_type === 'one_time_notif_req') return null;
      if (typeof p.payload !== 'string' || p.payload === '') return Errors.param('param payload is required');
      const f = p.notification_messages_frequency;
      if (f != null && !(FREQUENCIES as readonly unknown[]).includes(f)) {
        return Errors.param(
          `param notification_messages_frequency must be one of {${FREQUENCIES.join(', ')}}`,
        );
      }
      const cta = p.notification_messages_cta_text;
      if (cta != null && !(CTA_TEXTS as readonly unknown[]).includes(cta)) {
        return Errors.param(`param notification_messages_cta_text must be one of {${CTA_TEXTS.join(', ')}}`);
      }
      const tz = p.notification_messages_timezone;
      if (tz != null && (typeof tz !== 'string' || !isValidTimeZone(tz))) {
        return Errors.param('param notification_messages_timezone is not a valid timezone');
      }
      return null;
    }
    default:
      return null;
  }
}

/** Message limits of the Send API (platform.md "Limits"). */
export function validateMessage(message: unknown): GraphError | null {
  if (!isObj(message)) return Errors.param('param message must be a JSON object');
  const { text, attachment, quick_replies: qr, metadata } = message;
  if (text == null && attachment == null)
    return Errors.param('param message must have either text or attachment');
  if (text != null && attachment != null)
    return Errors.param('Only one of text or attachment can be specified');
  if (text != null) {
    if (typeof text !== 'string' || text === '')
      return Errors.param('param message[text] must be a non-empty string');
    if (len(text) > LIMITS.textMax) {
      return Errors.param(`Length of param message[text] must be less than or equal to ${LIMITS.textMax}`);
    }
  }
  if (attachment != null) {
    if (!isObj(attachment) || typeof attachment.type !== 'string') return Errors.param('Invalid attachment');
    if (attachment.type === 'template') {
      if (!isObj(attachment.payload)) return Errors.param('param message[attachment][payload] is required');
      const err = validateTemplate(attachment.payload);
      if (err) return err;
    }
  }
  if (qr != null) {
    if (!Array.isArray(qr) || qr.length > LIMITS.quickRepliesMax) {
      return Errors.param(
        `param message[quick_replies] must be an array of at most ${LIMITS.quickRepliesMax} elements`,
      );
    }
  }
  if (metadata != null && (typeof metadata !== 'string' || len(metadata) > 1000)) {
    return Errors.param('param message[metadata] must be a string of at most 1000 characters');
  }
  return null;
}

/** The opt-in template carried by a (validated) message, if any. */
export function optInTemplateOf(message: Obj, profile: Profile): OptInTemplate | null {
  const a = message.attachment;
  if (!isObj(a) || a.type !== 'template' || !isObj(a.payload)) return null;
  const p = a.payload;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  if (p.template_type === 'one_time_notif_req') {
    return {
      templateType: 'one_time_notif_req',
      title: String(p.title),
      payload: str(p.payload) ?? '',
      imageUrl: null,
      imageAspectRatio: null,
      ctaText: 'NOTIFY_ME',
      ctaLabel: 'Notify Me',
      frequency: null,
      timezone: null,
      reoptin: null,
    };
  }
  if (p.template_type !== 'notification_messages') return null;
  const cta = str(p.notification_messages_cta_text) ?? 'GET_UPDATES';
  const freq = str(p.notification_messages_frequency) as Frequency | null;
  return {
    templateType: 'notification_messages',
    title: str(p.title) ?? DEFAULT_OPT_IN_TITLE,
    payload: str(p.payload) ?? '',
    imageUrl: str(p.image_url),
    imageAspectRatio: str(p.image_aspect_ratio),
    ctaText: cta,
    ctaLabel: CTA_LABELS[cta] ?? 'Get updates',
    // Since 2023 Meta ignores the requested frequency: every new token is DAILY.
    frequency: PROFILE_RULES[profile].frequencyOnOptIn ? (freq ?? 'DAILY') : null,
    timezone: str(p.notification_messages_timezone),
    reoptin: str(p.notification_messages_reoptin),
  };
}

export function interactionAge(customer: SimCustomer, now: Date): number {
  return customer.lastInteractionAt
    ? now.getTime() - customer.lastInteractionAt.getTime()
    : Number.POSITIVE_INFINITY;
}

/** R1: < 24 h anything; 24 h–7 d only MESSAGE_TAG + HUMAN_AGENT; later nothing without a token. */
export function checkWindow(customer: SimCustomer, now: Date, tag: unknown): GraphError | null {
  const age = interactionAge(customer, now);
  if (age < DAY) return null;
  if (tag === 'HUMAN_AGENT' && age < HUMAN_AGENT_WINDOW_MS) return null;
  return Errors.outsideWindow();
}

/** R2 and Meta's opt-in request rules, in the order Meta would refuse. */
export function checkOptInRequest(
  state: SandboxState,
  page: SimPage,
  customer: SimCustomer,
  tpl: OptInTemplate,
  now: Date,
): GraphError | null {
  if (!page.optInFeatureEnabled) return Errors.featureDisabled();
  if (page.restricted) return Errors.optInRestricted();
  // Under 2026 the `notification_messages` card stays open everywhere: it is how Meta's marketing
  // messages collect subscribers (only sends on the recurring token are refused outside five regions).
  if (tpl.templateType === 'one_time_notif_req' && state.m2026.policy.otnUnavailable)
    return Errors.fromKnob(state.m2026.policy.otnUnavailableError);
  if (customer.blocked) return Errors.blocked();
  // Opt-in requests only inside the standard 24 h window, whatever tag is used.
  if (interactionAge(customer, now) >= DAY) return Errors.outsideWindow();
  const mine = state.optInRequests.filter((r) => r.pageId === page.id && r.psid === customer.psid);
  const t = now.getTime();
  if (mine.filter((r) => t - r.at.getTime() < DAY).length >= OPT_IN_REQUESTS_PER_24H)
    return Errors.optInLimit();
  const weekMs = LIMITS.sameTitleOptInDays * DAY;
  const dup = mine.some(
    (r) => r.templateType === tpl.templateType && r.title === tpl.title && t - r.at.getTime() < weekMs,
  );
  return dup ? Errors.duplicateOptIn() : null;
}

/** R7a: single use, one year. */
export function checkOtnToken(tok: OtnToken, now: Date): GraphError | null {
  if (tok.usedAt) return Errors.otnInvalid();
  if (now.getTime() >= tok.expiresAt.getTime()) return Errors.otnExpired();
  return null;
}

/** R8: region (2026), stop, expiry, cooldown. */
export function checkRecurringToken(
  page: SimPage,
  tok: RecurringToken,
  now: Date,
  policy?: Policy2026,
): GraphError | null {
  if (!recurringAllowedInRegion(page.profile, page.region)) {
    const knob = policy?.recurringRegionError;
    return knob ? Errors.fromKnob(knob) : Errors.recurringRegion(page.region);
  }
  if (tok.stoppedAt) return Errors.stopped();
  if (tok.expiresAt && now.getTime() >= tok.expiresAt.getTime()) return Errors.nmExpired();
  if (tok.nextEligibleAt && now.getTime() < tok.nextEligibleAt.getTime()) return Errors.cooldown();
  return null;
}

/** legacy-2022 tokens expire by frequency (6/9/12 months); from 2023 Meta sends no expiry. */
export function recurringExpiry(profile: Profile, frequency: Frequency, now: Date): Date | null {
  return PROFILE_RULES[profile].metaExpiry ? addMonths(now, VALIDITY_MONTHS[frequency]) : null;
}

export function markRecurringSent(page: SimPage, tok: RecurringToken, now: Date): void {
  tok.lastSentAt = now;
  tok.updatedAt = now;
  tok.nextEligibleAt = nextEligibleAfterSend(page.profile, tok.frequency, now, page.timeZone);
}

export { otnExpiry };
