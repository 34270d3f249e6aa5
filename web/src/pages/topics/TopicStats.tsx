// Per-topic statistics (R10b): invitations, acceptance rate, valid subscribers over time, stops, sends.
import { api, type Topic } from '../../api.ts';
import { BarChart, type Datum, LineChart } from '../../components/Charts.tsx';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { pct } from './TopicsPage.tsx';

export function TopicStatsPanel({ topic, onClose }: { topic: Topic; onClose(): void }) {
  const { t } = useI18n();
  const stats = useLoad(() => api.topicStats(topic.id), [topic.id], 5000);
  const s = stats.data;
  const bars: Datum[] = s
    ? [
        { label: t.invitationsSent, value: s.totals.invitationsSent },
        { label: t.acceptances, value: s.totals.acceptances },
        { label: t.validSubscribers, value: s.totals.validSubscribers },
        { label: t.stops, value: s.totals.stops },
        { label: t.sends, value: s.totals.sends },
      ]
    : [];
  const line: Datum[] = (s?.series ?? []).map((p) => ({ label: p.date, value: p.validSubscribers }));
  return (
    <section className="card" aria-label={`${t.statistics}: ${topic.name}`}>
      <div className="card__head">
        <h2>
          {t.statistics}: {topic.name}
        </h2>
        <button type="button" onClick={onClose}>
          {t.close}
        </button>
      </div>
      {!s ? (
        <p className="muted">{stats.error ? t.statsUnavailable : t.loading}</p>
      ) : (
        <div className="split">
          <div>
            <p>
              {t.acceptanceRate}: <strong>{pct(s.totals.acceptanceRate)}</strong>
            </p>
            <BarChart data={bars} title={t.statistics} />
          </div>
          <LineChart points={line} title={`${t.validSubscribers} (${s.days} ${t.days})`} />
        </div>
      )}
    </section>
  );
}
