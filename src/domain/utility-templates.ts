// Utility templates (R13a–b), one function per rule: what a page's template may hold, its named
// parameters, which template may be sent (APPROVED UTILITY only), and its text filled in (R12c: inside
// 24 h the same event goes as ordinary text). Pure: the app stores what `validateTemplate` returns; the
// resolver (send-routes.ts), the order events and the inbox send only what `templateSendability` allows.
import { DomainError } from './errors.ts';
import type { Bilingual } from './model.ts';
import { type Refusal, refuse } from './reasons.ts';
import { isHttpUrl } from './urls.ts';

export const TEMPLATE_LANGUAGES = ['vi', 'en'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

/** Meta's template statuses (WhatsApp's webhook vocabulary, which Messenger's field reuses [I]). */
export const TEMPLATE_STATUSES = [
  'PENDING',
  'APPROVED',
  'REJECTED',
  'DISABLED',
  'PAUSED',
  'FLAGGED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'ARCHIVED',
  'LIMIT_EXCEEDED',
] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

/** A stored template as the resolver sees it (R12c, R13b). */
export interface TemplateState {
  id: number;
  name: string;
  /** Meta's language code of the template (`vi`, `en` …). */
  language: string;
  /** Only UTILITY exists for Messenger; anything else is refused rather than trusted. */
  category: string;
  /** As Meta last reported it; a status we do not know is kept verbatim (and so not sendable). */
  status: string;
  header: string | null;
  body: string;
}

export type TemplateButton =
  | { type: 'URL'; text: string; url: string }
  | { type: 'POSTBACK'; text: string; payload: string };

export interface TemplateInput {
  name?: unknown;
  language?: unknown;
  headerText?: unknown;
  bodyText?: unknown;
  buttons?: unknown;
  examples?: unknown;
}

export interface TemplateDraft {
  name: string;
  language: TemplateLanguage;
  headerText: string | null;
  bodyText: string;
  buttons: TemplateButton[];
  /** NAMED for what the shop writes; POSITIONAL for a clone of Meta's library ({{1}}, {{2}}). */
  parameterFormat: 'NAMED' | 'POSITIONAL';
  /** Parameters in order of first appearance, header first ('1', '2', … when positional). */
  parameters: string[];
  /** One example value per parameter (Meta reviews a named template with them). */
  examples: Record<string, string>;
}

// Meta's limits for template components (WhatsApp's, which Messenger's utility templates share).
export const TEMPLATE_LIMITS = {
  name: 512,
  header: 60,
  body: 1024,
  buttonText: 25,
  buttons: 3,
  payload: 1000,
};

const NAME_RE = /^[a-z0-9_]+$/;
const PARAM_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PARAM_NAME_RE = /^[a-z][a-z0-9_]*$/;

function bad(message: string, field: string): DomainError {
  return new DomainError('invalid_template', message, { field });
}

/** R13a: the parameters a text names, named or positional, in order of first appearance, each once. */
export function templateParams(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PARAM_RE)) {
    const name = m[1] ?? '';
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** All the parameters of a template: header then body. */
export function allTemplateParams(t: Pick<TemplateState, 'header' | 'body'>): string[] {
  return [...new Set([...templateParams(t.header ?? ''), ...templateParams(t.body)])];
}

/** What is wrong with the values given for a template: missing (or blank) names and names it does not have. */
export function checkTemplateValues(
  t: Pick<TemplateState, 'header' | 'body'>,
  values: Readonly<Record<string, string>>,
): { missing: string[]; unknown: string[] } {
  const names = allTemplateParams(t);
  return {
    missing: names.filter((n) => (values[n] ?? '').trim() === ''),
    unknown: Object.keys(values).filter((k) => !names.includes(k)),
  };
}

/** R13a: what the shop writes has named `{{name}}` parameters only; positional `{{1}}` is refused. */
export function templateParameters(text: string): string[] {
  const out = templateParams(text);
  const wrong = out.find((name) => !PARAM_NAME_RE.test(name));
  if (wrong !== undefined) {
    throw bad(`Parameter {{${wrong}}} must be a lowercase name such as {{order_id}}.`, 'parameters');
  }
  return out;
}

function str(v: unknown, field: string, max: number, required: boolean): string | null {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '' && !required)) {
    if (required) throw bad(`${field} is required.`, field);
    return null;
  }
  if (typeof v !== 'string' || v.trim() === '') throw bad(`${field} is required.`, field);
  const t = v.trim();
  if (t.length > max) throw bad(`${field} is longer than ${max} characters.`, field);
  return t;
}

function button(b: unknown, i: number): TemplateButton {
  const r = (b ?? {}) as Record<string, unknown>;
  const text = str(r.text, `buttons[${i}].text`, TEMPLATE_LIMITS.buttonText, true) as string;
  if (r.type === 'URL') {
    const url = str(r.url, `buttons[${i}].url`, 2000, true) as string;
    if (!isHttpUrl(url)) throw bad('A URL button needs an http(s) address.', `buttons[${i}].url`);
    return { type: 'URL', text, url };
  }
  if (r.type === 'POSTBACK') {
    const payload = str(r.payload, `buttons[${i}].payload`, TEMPLATE_LIMITS.payload, true) as string;
    return { type: 'POSTBACK', text, payload };
  }
  throw bad('A button is URL or POSTBACK.', `buttons[${i}].type`);
}

/** `{{ order_id }}` → `{{order_id}}`: Meta's parser wants no spaces inside the braces. */
function tidyParams(text: string): string {
  return text.replace(PARAM_RE, (_, name: string) => `{{${name}}}`);
}

/** R13a: a UTILITY template with named parameters, an optional header and up to 3 buttons, in vi or en. */
export function validateTemplate(input: TemplateInput): TemplateDraft {
  const name = str(input.name, 'name', TEMPLATE_LIMITS.name, true) as string;
  if (!NAME_RE.test(name)) throw bad('A template name is lowercase letters, digits and _.', 'name');
  if (!TEMPLATE_LANGUAGES.includes(input.language as TemplateLanguage)) {
    throw bad('The language is vi or en.', 'language');
  }
  const rawHeader = str(input.headerText, 'headerText', TEMPLATE_LIMITS.header, false);
  const headerText = rawHeader === null ? null : tidyParams(rawHeader);
  const bodyText = tidyParams(str(input.bodyText, 'bodyText', TEMPLATE_LIMITS.body, true) as string);
  const raw = input.buttons ?? [];
  if (!Array.isArray(raw)) throw bad('buttons is a list.', 'buttons');
  if (raw.length > TEMPLATE_LIMITS.buttons) throw bad('At most 3 buttons.', 'buttons');
  const buttons = raw.map(button);
  const parameters = [...new Set([...templateParameters(headerText ?? ''), ...templateParameters(bodyText)])];
  const given = (input.examples ?? {}) as Record<string, unknown>;
  const examples: Record<string, string> = {};
  for (const p of parameters) {
    const v = given[p];
    if (typeof v !== 'string' || v.trim() === '') {
      throw bad(`Give an example value for {{${p}}} (Meta reviews the template with it).`, 'examples');
    }
    examples[p] = v.trim();
  }
  return {
    name,
    language: input.language as TemplateLanguage,
    headerText,
    bodyText,
    buttons,
    parameterFormat: 'NAMED',
    parameters,
    examples,
  };
}

/**
 * R13a: the local copy of a clone of Meta's library template: its body (positional `{{1}}` parameters,
 * with Meta's examples), the shop's own name and language, and the shop's buttons (a clone sets the URL).
 */
export function libraryDraft(
  lib: { body: string; header: string | null; bodyParams: readonly string[] },
  input: { name?: unknown; language?: unknown; buttons?: unknown },
): TemplateDraft {
  const shell = validateTemplate({
    name: input.name,
    language: input.language,
    bodyText: 'x',
    buttons: input.buttons,
  });
  const positions = [...`${lib.header ?? ''} ${lib.body}`.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map(
    (m) => m[1] as string,
  );
  const parameters = [...new Set(positions)];
  const examples: Record<string, string> = {};
  for (const p of parameters) examples[p] = lib.bodyParams[Number(p) - 1] ?? p;
  return {
    ...shell,
    headerText: lib.header,
    bodyText: lib.body,
    parameterFormat: 'POSITIONAL',
    parameters,
    examples,
  };
}

/** R13b: only what Meta reports APPROVED is sendable. */
export function isSendable(status: string): boolean {
  return status === 'APPROVED';
}

/** R13b: sendable only while Meta reports it APPROVED, and only as a UTILITY template. */
export function templateSendability(
  t: Pick<TemplateState, 'status' | 'category'> | null | undefined,
): { ok: true } | Refusal {
  if (!t) return refuse('template_missing');
  if (!isSendable(t.status) || t.category.toUpperCase() !== 'UTILITY') return refuse('template_not_approved');
  return { ok: true };
}

/**
 * The status a `message_template_status_update` event leaves a template in. REINSTATED is Meta saying a
 * paused or disabled template is approved again; an event name we do not know is kept verbatim (and so
 * not sendable).
 */
export function statusAfterEvent(event: string): string {
  const e = event.trim().toUpperCase();
  return e === 'REINSTATED' ? 'APPROVED' : e;
}

export type FillResult =
  | { ok: true; header: string | null; body: string; values: Record<string, string> }
  | { ok: false; missing: string[] };

function fill(text: string, values: Record<string, string>): string {
  return text.replace(PARAM_RE, (_, name: string) => values[name.trim()] ?? '');
}

/** The template's text with its parameters filled in; every parameter needs a non-blank value. */
export function fillTemplate(
  t: { headerText: string | null; bodyText: string; parameters: readonly string[] },
  values: Record<string, unknown>,
): FillResult {
  const clean: Record<string, string> = {};
  const missing: string[] = [];
  for (const p of t.parameters) {
    const v = values[p];
    const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
    if (s === '') missing.push(p);
    else clean[p] = s;
  }
  if (missing.length) return { ok: false, missing };
  return {
    ok: true,
    header: t.headerText === null ? null : fill(t.headerText, clean),
    body: fill(t.bodyText, clean),
    values: clean,
  };
}

/** R12c: inside 24 h the event goes as ordinary text — the header (if any) and the body, filled in. */
export function asPlainText(filled: { header: string | null; body: string }): string {
  return filled.header ? `${filled.header}\n${filled.body}` : filled.body;
}

/** The console's words for a status (R13b: the status is shown). */
export const TEMPLATE_STATUS_TEXT: Record<TemplateStatus, Bilingual> = {
  PENDING: { vi: 'Đang chờ duyệt', en: 'Pending review' },
  APPROVED: { vi: 'Đã duyệt', en: 'Approved' },
  REJECTED: { vi: 'Bị từ chối', en: 'Rejected' },
  PAUSED: { vi: 'Tạm dừng', en: 'Paused' },
  DISABLED: { vi: 'Bị vô hiệu hóa', en: 'Disabled' },
  FLAGGED: { vi: 'Bị gắn cờ', en: 'Flagged' },
  IN_APPEAL: { vi: 'Đang kháng nghị', en: 'In appeal' },
  PENDING_DELETION: { vi: 'Đang chờ xóa', en: 'Pending deletion' },
  ARCHIVED: { vi: 'Đã lưu trữ', en: 'Archived' },
  LIMIT_EXCEEDED: { vi: 'Vượt giới hạn', en: 'Limit exceeded' },
};
