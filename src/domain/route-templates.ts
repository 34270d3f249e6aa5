// R13: utility templates as the rules see them — which template may be sent (R13b), its named
// parameters (R13a), and its text filled in for the inside-24-hours case (R12c: one voice). Pure; the
// templates themselves (library, clone, status webhook) are stored and synchronised elsewhere.
import type { Bilingual } from './model.ts';
import { type Refusal, refuse } from './reasons.ts';

/** Meta's template statuses (Messenger prints APPROVED; the others are WhatsApp's, which it shares [I]). */
export const TEMPLATE_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

export interface TemplateState {
  id: number;
  name: string;
  /** Meta's language code of the template (`vi`, `en_US` …). */
  language: string;
  /** Only UTILITY exists for Messenger; anything else is refused rather than trusted. */
  category: string;
  status: TemplateStatus;
  header: string | null;
  body: string;
}

// `{{order_id}}` (named, parameter_format NAMED) or `{{1}}` (positional) — Meta's two forms [M26 §2.6].
const PARAM = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** R13a: the parameters a text names, in order of first appearance, each once. */
export function templateParams(text: string): string[] {
  const seen: string[] = [];
  for (const m of text.matchAll(PARAM)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/** All the parameters of a template: header then body. */
export function allTemplateParams(t: Pick<TemplateState, 'header' | 'body'>): string[] {
  return [...new Set([...templateParams(t.header ?? ''), ...templateParams(t.body)])];
}

/** What is wrong with the values given for a template: missing names and names it does not have. */
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

/** R13b: sendable only while Meta reports it APPROVED, and only as a UTILITY template. */
export function templateSendability(t: TemplateState | null | undefined): { ok: true } | Refusal {
  if (!t) return refuse('template_missing');
  if (t.status !== 'APPROVED' || t.category.toUpperCase() !== 'UTILITY')
    return refuse('template_not_approved');
  return { ok: true };
}

/** R12c: inside 24 h the event goes as ordinary text — the header and body with the values filled in. */
export function fillTemplate(
  t: Pick<TemplateState, 'header' | 'body'>,
  values: Readonly<Record<string, string>>,
): string {
  const fill = (s: string) => s.replace(PARAM, (whole, name: string) => values[name] ?? whole);
  return [t.header ? fill(t.header) : null, fill(t.body)].filter((s) => s !== null && s !== '').join('\n');
}

/** The console's words for a status (R13b: the status is shown). */
export const TEMPLATE_STATUS_TEXT: Record<TemplateStatus, Bilingual> = {
  PENDING: { vi: 'Đang chờ duyệt', en: 'Pending review' },
  APPROVED: { vi: 'Đã duyệt', en: 'Approved' },
  REJECTED: { vi: 'Bị từ chối', en: 'Rejected' },
  PAUSED: { vi: 'Tạm dừng', en: 'Paused' },
  DISABLED: { vi: 'Bị vô hiệu hóa', en: 'Disabled' },
};
