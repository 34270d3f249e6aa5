// The opt-in card as Messenger draws it — used by the console's live previews and by the sandbox phone,
// so the admin previews exactly what the customer sees. OTN: title + the fixed "Notify me" button in the
// customer's language; recurring: optional image, title, and the button label chosen by cta (R5a).

import type { CtaText, Frequency, Lang } from '../api.ts';
import { CTA_LABEL } from '../i18n.tsx';

export interface OptInCardProps {
  kind: 'one_time' | 'recurring';
  title: string;
  imageUrl?: string | null;
  ctaText?: CtaText | null;
  frequency?: Frequency | null;
  /** The customer's language: Messenger localises the button itself. */
  lang: Lang;
  pageName?: string;
  onTap?: () => void;
  tapped?: boolean;
}

const FREQ: Record<Lang, Record<Frequency, string>> = {
  vi: { DAILY: 'Hằng ngày', WEEKLY: 'Hằng tuần', MONTHLY: 'Hằng tháng' },
  en: { DAILY: 'Daily', WEEKLY: 'Weekly', MONTHLY: 'Monthly' },
};

export function OptInCard(p: OptInCardProps) {
  const label =
    p.kind === 'one_time' ? CTA_LABEL[p.lang].NOTIFY_ME : CTA_LABEL[p.lang][p.ctaText ?? 'GET_UPDATES'];
  return (
    <figure
      className="optin-card"
      aria-label={p.kind === 'one_time' ? 'OTN opt-in card' : 'Recurring opt-in card'}
    >
      {p.kind === 'recurring' && p.imageUrl ? (
        <img className="optin-card__img" src={p.imageUrl} alt="" />
      ) : p.kind === 'recurring' ? (
        <div className="optin-card__img optin-card__img--blank" aria-hidden="true">
          🔔
        </div>
      ) : null}
      <figcaption className="optin-card__body">
        <strong className="optin-card__title">{p.title || '…'}</strong>
        {p.kind === 'recurring' && p.frequency ? (
          <span className="optin-card__meta">
            {FREQ[p.lang][p.frequency]}
            {p.pageName ? ` · ${p.pageName}` : ''}
          </span>
        ) : null}
      </figcaption>
      {p.onTap ? (
        <button type="button" className="optin-card__btn" onClick={p.onTap}>
          {label}
          {p.tapped ? ' ✓' : ''}
        </button>
      ) : (
        <span className="optin-card__btn" role="presentation">
          {label}
        </span>
      )}
    </figure>
  );
}
