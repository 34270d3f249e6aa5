// Times as the page lives them, not as the browser's clock does: a cooldown that ends at midnight in
// Vietnam reads 00:00 (GMT+7) even on a laptop set to New York. vi: dd/MM/yyyy HH:mm; en: d MMM yyyy,
// HH:mm; both followed by the zone's offset so nobody has to guess which zone a time is in.
import { createContext, useContext } from 'react';
import type { Lang } from './api.ts';
import { useI18n } from './i18n.tsx';

/** The page's IANA zone (GET /api/pages/:id → timeZone); the inbox provides it. */
/** Where the product is at home (the source documents' shops): the zone before a page is known. */
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

export const PageTimeZone = createContext<string>(DEFAULT_TIME_ZONE);

function parts(d: Date, zone: string, opts: Intl.DateTimeFormatOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-GB', { timeZone: zone, ...opts }).formatToParts(d))
    out[p.type] = p.value;
  return out;
}

/** "GMT+7", "GMT-5", "GMT" (Intl's shortOffset), the label a time carries. */
export function zoneLabel(zone: string, at: Date = new Date()): string {
  return parts(at, zone, { timeZoneName: 'shortOffset' }).timeZoneName ?? zone;
}

export function formatTime(
  iso: string | Date | null | undefined,
  lang: Lang,
  zone: string,
  opts: { zone?: boolean } = {},
): string {
  if (!iso) return '—';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return '—';
  const p = parts(d, zone, {
    year: 'numeric',
    month: lang === 'vi' ? '2-digit' : 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const text =
    lang === 'vi'
      ? `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`
      : `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
  return opts.zone === false ? text : `${text} (${zoneLabel(zone, d)})`;
}

/** A formatter bound to the UI's language and the page's zone. */
export function useTime(): (iso: string | Date | null | undefined, opts?: { zone?: boolean }) => string {
  const { lang } = useI18n();
  const zone = useContext(PageTimeZone);
  return (iso, opts) => formatTime(iso, lang, zone, opts);
}
