// Statistics are named once (src/domain/stats.ts STATISTICS: label and definition in vi and en) and
// every screen labels a number from there; the period choice is the one the domain offers.
import { STAT_PERIODS, STATISTICS, type StatisticKey } from '../../../../src/domain/stats.ts';
import type { Lang } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';

export function statLabel(key: StatisticKey, lang: Lang): { label: string; hint: string } {
  const s = STATISTICS[key];
  return { label: s.label[lang], hint: s.definition[lang] };
}

/** dd/MM in the page's language (Vietnamese dates put the day first). */
export function dayMonth(isoDate: string): string {
  const [, m, d] = isoDate.split('-');
  return `${d}/${m}`;
}

export function PeriodSelect({ days, onChange }: { days: number; onChange(d: number): void }) {
  const { t } = useI18n();
  return (
    <label className="period">
      {t.period}{' '}
      <select value={days} onChange={(e) => onChange(Number(e.target.value))}>
        {STAT_PERIODS.map((d) => (
          <option key={d} value={d}>
            {d} {t.days}
          </option>
        ))}
      </select>
    </label>
  );
}
