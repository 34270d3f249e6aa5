// Per-topic statistics (R10b): invitations, acceptance rate, valid subscribers over time, stops, sends.
import { api, type Topic, type TopicStats } from '../../api.ts';
import { BarChart, type Datum, LineChart } from '../../components/Charts.tsx';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { acceptanceRate, pickNumber } from './TopicsPage.tsx';

export function TopicStatsPanel({ topic, onClose }: { topic: Topic; onClose(): void }) {
  const { t } = useI18n();
  const stats = useLoad(() => api.topicStats(topic.id), [topic.id], 5000);
  const s = stats.data;
  const num = (keys: string[]) => (s ? (pickNumber(s, keys) ?? 0) : 0);
  const rate = acceptanceRate(s ?? null);
  const bars: Datum[] = [
    { label: t.invitationsSent, value: num(['invitationsSent', 'invitations']) },
    { label: t.acceptances, value: num(['acceptances', 'accepted', 'optIns']) },
    { label: t.validSubscribers, value: num(['validSubscribers']) || (topic.validSubscribers ?? 0) },
    { label: t.stops, value: num(['stops', 'stopped']) },
    { label: t.sends, value: num(['sends', 'notificationsSent']) },
  ];
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
      {stats.error && !s ? (
        <p className="muted">{t.statsUnavailable}</p>
      ) : (
        <div className="split">
          <div>
            <p>
              {t.acceptanceRate}: <strong>{rate === null ? '—' : `${Math.round(rate * 100)}%`}</strong>
            </p>
            <BarChart data={bars} title={t.statistics} />
          </div>
          <LineChart points={seriesOf(s)} title={`${t.validSubscribers}`} />
        </div>
      )}
    </section>
  );
}

/** Valid subscribers over time from the stats API's series, whatever its field names. */
function seriesOf(s: TopicStats | undefined): Datum[] {
  const raw = (s?.series ?? s?.validSubscribersOverTime ?? s?.overTime ?? []) as Array<Record<string, unknown>>;
  if (!Array.isArray(raw)) return [];
  return raw.map((r) => ({
    label: String(r.date ?? r.day ?? r.at ?? ''),
    value: Number(r.validSubscribers ?? r.valid ?? r.value ?? 0),
  }));
}
