// R14d: the paid part of a campaign's or a topic's statistics: funnel, spend and cost per result.
import { api } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

export function PaidStatsView({ by }: { by: { campaignId: number } | { topicId: number } }) {
  const { t } = useI18n();
  const key = JSON.stringify(by);
  const s = useLoad(() => api.paidStats(by), [key], 5000);
  const p = s.data;
  if (!p || p.sent === 0) return null;
  const money = (v: number | null) => (v === null ? '—' : String(v));
  return (
    <section className="card" aria-label={t.paidTitle} data-testid="paid-stats">
      <h2>{t.paidTitle}</h2>
      <dl className="dl">
        <dt>{t.sent}</dt>
        <dd>{p.sent}</dd>
        <dt>{t.fDelivered}</dt>
        <dd>{p.delivered}</dd>
        <dt>{t.fRead}</dt>
        <dd>{p.read}</dd>
        <dt>{t.fClicked}</dt>
        <dd>{p.clicked}</dd>
        <dt>{t.failed}</dt>
        <dd>{p.failed}</dd>
        <dt>{t.paidSpent}</dt>
        <dd>{p.costMinor}</dd>
        <dt>{t.perDelivered}</dt>
        <dd>{money(p.perDeliveredMinor)}</dd>
        <dt>{t.perRead}</dt>
        <dd>{money(p.perReadMinor)}</dd>
        <dt>{t.perClick}</dt>
        <dd>{money(p.perClickMinor)}</dd>
      </dl>
    </section>
  );
}
