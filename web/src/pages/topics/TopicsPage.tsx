// Topics (Chủ đề thông báo định kỳ / Chủ đề OTN): the two lists, create / edit with a live preview of the
// opt-in card, activate / deactivate (R5b, asked with how many subscribers it suspends), and per-topic
// statistics (R10b). The table's numbers come from the page's statistics over the chosen period: the
// same computation as the topic's own panel, so both show the same number for the same topic.
import { useState } from 'react';
import { api, errorText, type Page, type PageStats, type Topic, type TopicKind } from '../../api.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { useLoad } from '../../hooks.ts';
import { fill, useI18n } from '../../i18n.tsx';
import { PeriodSelect, statLabel } from './stats-labels.tsx';
import { TopicForm } from './TopicForm.tsx';
import { TopicStatsPanel } from './TopicStats.tsx';

type Editing = { mode: 'new'; kind: TopicKind } | { mode: 'edit'; topic: Topic } | null;
type Row = PageStats['topics'][number];

export function TopicsPage({ page }: { page: Page }) {
  const { t, lang } = useI18n();
  const [days, setDays] = useState(30);
  const topics = useLoad(() => api.topics(page.id), [page.id]);
  const stats = useLoad(() => api.pageStats(page.id, days), [page.id, days, topics.data]);
  const [editing, setEditing] = useState<Editing>(null);
  const [statsFor, setStatsFor] = useState<Topic | null>(null);
  const [deactivating, setDeactivating] = useState<Topic | null>(null);
  const [error, setError] = useState<string>();
  const rowOf = (id: number) => stats.data?.topics.find((x) => x.id === id);

  const setActive = async (topic: Topic, active: boolean) => {
    setError(undefined);
    try {
      await api.setTopicActive(topic.id, active);
      await topics.reload();
    } catch (e) {
      setError(errorText(e, lang));
    }
  };

  const section = (kind: TopicKind, title: string) => {
    const rows = (topics.data ?? []).filter((x) => x.kind === kind);
    return (
      <section className="card" aria-labelledby={`h-${kind}`}>
        <div className="card__head">
          <h2 id={`h-${kind}`}>{title}</h2>
          <button type="button" onClick={() => setEditing({ mode: 'new', kind })}>
            + {t.newTopic}
          </button>
        </div>
        <table className="table table--cards" aria-label={title}>
          <thead>
            <tr>
              <th>{t.topicName}</th>
              <th>{t.status}</th>
              <th title={statLabel('validSubscribers', lang).hint}>
                {statLabel('validSubscribers', lang).label}
              </th>
              <th title={statLabel('acceptanceRate', lang).hint}>
                {statLabel('acceptanceRate', lang).label}
              </th>
              <th title={statLabel('interactionRate', lang).hint}>
                {statLabel('interactionRate', lang).label} ({days} {t.days})
              </th>
              <th>
                <span className="sr-only">{t.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((topic) => (
              <TopicRow
                key={topic.id}
                topic={topic}
                stats={rowOf(topic.id)}
                onEdit={() => setEditing({ mode: 'edit', topic })}
                onToggle={() => (topic.active ? setDeactivating(topic) : void setActive(topic, true))}
                onStats={() => setStatsFor(topic)}
              />
            ))}
            {rows.length === 0 ? (
              <tr>
                <td colSpan={6}>{t.none}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
    );
  };

  // Unknown until the statistics arrive: say so rather than a reassuring 0.
  const suspended = deactivating ? (rowOf(deactivating.id)?.validSubscribers ?? '…') : '…';
  return (
    <div className="stack">
      <div className="card__head">
        <h1>{t.topicsTitle}</h1>
        <PeriodSelect days={days} onChange={setDays} />
      </div>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {editing ? (
        <TopicForm
          page={page}
          initial={editing.mode === 'edit' ? editing.topic : null}
          kind={editing.mode === 'new' ? editing.kind : editing.topic.kind}
          onDone={async () => {
            setEditing(null);
            await topics.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {section('recurring', t.recurringTopics)}
      {section('one_time', t.otnTopics)}
      {statsFor ? <TopicStatsPanel topic={statsFor} days={days} onClose={() => setStatsFor(null)} /> : null}
      {deactivating ? (
        <ConfirmDialog
          title={fill(t.confirmDeactivate, { name: deactivating.name })}
          confirmLabel={t.deactivate}
          danger
          onCancel={() => setDeactivating(null)}
          onConfirm={async () => {
            await setActive(deactivating, false);
            setDeactivating(null);
          }}
        >
          <p>
            <strong data-testid="confirm-count">{suspended}</strong> {t.confirmDeactivateBody}
          </p>
          <p className="muted">{t.deactivateHint}</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function TopicRow(p: {
  topic: Topic;
  stats: Row | undefined;
  onEdit(): void;
  onToggle(): void;
  onStats(): void;
}) {
  const { t, lang } = useI18n();
  const s = p.stats;
  return (
    <tr>
      <td data-label={t.topicName}>
        <strong>{p.topic.name}</strong>
        <div className="muted">{p.topic.title}</div>
      </td>
      <td data-label={t.status}>
        <span className={`badge ${p.topic.active ? 'badge--ok' : 'badge--off'}`}>
          {p.topic.active ? t.active : t.inactive}
        </span>
      </td>
      <td data-label={statLabel('validSubscribers', lang).label} data-testid="table-valid">
        {s ? s.validSubscribers : '—'}
      </td>
      <td data-label={statLabel('acceptanceRate', lang).label}>{pct(s?.acceptanceRate)}</td>
      <td data-label={statLabel('interactionRate', lang).label}>{pct(s?.interaction.rates.overall)}</td>
      <td className="actions">
        <button type="button" onClick={p.onEdit} aria-label={`${t.edit} ${p.topic.name}`}>
          {t.edit}
        </button>
        <button
          type="button"
          onClick={p.onToggle}
          aria-label={`${p.topic.active ? t.deactivate : t.activate} ${p.topic.name}`}
          title={t.deactivateHint}
        >
          {p.topic.active ? t.deactivate : t.activate}
        </button>
        <button type="button" onClick={p.onStats} aria-label={`${t.statistics} ${p.topic.name}`}>
          {t.statistics}
        </button>
      </td>
    </tr>
  );
}

export const pct = (r: number | null | undefined) =>
  r === null || r === undefined ? '—' : `${Math.round(r * 100)}%`;
