// Per-topic statistics (R10b) over the chosen period: invitations, acceptance rate, valid subscribers over
// time (dd/MM), stops, sends, and the interaction of its notifications (delivered → read → clicked).
import { api, type Topic } from '../../api.ts';
import { BarChart, type Datum, FunnelChart, LineChart } from '../../components/Charts.tsx';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { PaidStatsView } from '../campaigns/PaidStatsView.tsx';
import { dayMonth, statLabel } from './stats-labels.tsx';
import { pct } from './TopicsPage.tsx';

export function TopicStatsPanel({ topic, days, onClose }: { topic: Topic; days: number; onClose(): void }) {
  const { t, lang } = useI18n();
  const stats = useLoad(() => api.topicStats(topic.id, days), [topic.id, days], 5000);
  const s = stats.data;
  const lbl = (k: Parameters<typeof statLabel>[0]) => statLabel(k, lang).label;
  const bars: Datum[] = s
    ? [
        { label: lbl('invitationsSent'), value: s.totals.invitationsSent },
        { label: lbl('acceptances'), value: s.totals.acceptances },
        { label: lbl('validSubscribers'), value: s.totals.validSubscribers },
        { label: lbl('stops'), value: s.totals.stops },
        { label: lbl('sends'), value: s.totals.sends },
      ]
    : [];
  const line: Datum[] = (s?.series ?? []).map((p) => ({
    label: dayMonth(p.date),
    value: p.validSubscribers,
  }));
  const i = s?.interaction;
  return (
    <section className="card" aria-label={`${t.statistics}: ${topic.name}`}>
      <div className="card__head">
        <h2>
          {t.statistics}: {topic.name} · {days} {t.days}
        </h2>
        <button type="button" onClick={onClose}>
          {t.close}
        </button>
      </div>
      {!s || !i ? (
        <p className="muted">{stats.error ? t.statsUnavailable : t.loading}</p>
      ) : (
        <div className="stack">
          <div className="kpis">
            <div className="kpi" title={statLabel('validSubscribers', lang).hint}>
              <span className="muted">{lbl('validSubscribers')}</span>
              <strong data-testid="panel-valid">{s.totals.validSubscribers}</strong>
            </div>
            <div className="kpi" title={statLabel('acceptanceRate', lang).hint}>
              <span className="muted">{lbl('acceptanceRate')}</span>
              <strong>{pct(s.totals.acceptanceRate)}</strong>
            </div>
            <div className="kpi" title={statLabel('interactionRate', lang).hint}>
              <span className="muted">{lbl('interactionRate')}</span>
              <strong data-testid="panel-interaction">{pct(i.rates.overall)}</strong>
            </div>
          </div>
          <div className="split">
            <BarChart data={bars} title={t.statistics} />
            <LineChart points={line} title={`${lbl('validSubscribers')} (${s.days} ${t.days})`} />
          </div>
          <div>
            <FunnelChart
              title={`${lbl('interactionRate')}: ${lbl('sends')} → ${lbl('delivered')} → ${lbl('read')} → ${lbl('clicked')}`}
              stages={[
                { label: lbl('sends'), value: i.sent },
                { label: lbl('delivered'), value: i.delivered },
                { label: lbl('read'), value: i.read },
                { label: lbl('clicked'), value: i.clicked },
              ]}
            />
            <p className="muted">
              {lbl('delivered')} {pct(i.rates.delivered)} · {lbl('read')} {pct(i.rates.read)} ·{' '}
              {lbl('clicked')} {pct(i.rates.clicked)}
            </p>
          </div>
        </div>
      )}
      <PaidStatsView by={{ topicId: topic.id }} />
    </section>
  );
}
