// Topics (Chủ đề thông báo định kỳ / Chủ đề OTN): the two lists, create / edit with a live preview of the
// opt-in card, activate / deactivate (R5b), and per-topic statistics (R10b).
import { useState } from 'react';
import { api, errorText, type Page, type Topic, type TopicKind } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { TopicForm } from './TopicForm.tsx';
import { TopicStatsPanel } from './TopicStats.tsx';

type Editing = { mode: 'new'; kind: TopicKind } | { mode: 'edit'; topic: Topic } | null;

export function TopicsPage({ page }: { page: Page }) {
  const { t, lang } = useI18n();
  const topics = useLoad(() => api.topics(page.id), [page.id]);
  const [editing, setEditing] = useState<Editing>(null);
  const [statsFor, setStatsFor] = useState<Topic | null>(null);
  const [error, setError] = useState<string>();

  const toggle = async (topic: Topic) => {
    setError(undefined);
    try {
      await api.setTopicActive(topic.id, !topic.active);
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
        <table className="table" aria-label={title}>
          <thead>
            <tr>
              <th>{t.topicName}</th>
              <th>{t.status}</th>
              <th>{t.validSubscribers}</th>
              <th>{t.acceptanceRate}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((topic) => (
              <TopicRow
                key={topic.id}
                topic={topic}
                onEdit={() => setEditing({ mode: 'edit', topic })}
                onToggle={() => void toggle(topic)}
                onStats={() => setStatsFor(topic)}
              />
            ))}
            {rows.length === 0 ? (
              <tr>
                <td colSpan={5}>{t.none}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
    );
  };

  return (
    <div className="stack">
      <h1>{t.topicsTitle}</h1>
      {error ? <p role="alert" className="error">{error}</p> : null}
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
      {statsFor ? <TopicStatsPanel topic={statsFor} onClose={() => setStatsFor(null)} /> : null}
    </div>
  );
}

function TopicRow(p: { topic: Topic; onEdit(): void; onToggle(): void; onStats(): void }) {
  const { t } = useI18n();
  const stats = useLoad(() => api.topicStats(p.topic.id).catch(() => null), [p.topic.id, p.topic.updatedAt]);
  return (
    <tr>
      <td>
        <strong>{p.topic.name}</strong>
        <div className="muted">{p.topic.title}</div>
      </td>
      <td>
        <span className={`badge ${p.topic.active ? 'badge--ok' : 'badge--off'}`}>
          {p.topic.active ? t.active : t.inactive}
        </span>
      </td>
      <td>{p.topic.validSubscribers ?? '—'}</td>
      <td>{pct(stats.data?.totals.acceptanceRate)}</td>
      <td className="actions">
        <button type="button" onClick={p.onEdit} aria-label={`${t.edit} ${p.topic.name}`}>
          {t.edit}
        </button>
        <button type="button" onClick={p.onToggle} aria-label={`${p.topic.active ? t.deactivate : t.activate} ${p.topic.name}`} title={t.deactivateHint}>
          {p.topic.active ? t.deactivate : t.activate}
        </button>
        <button type="button" onClick={p.onStats} aria-label={`${t.statistics} ${p.topic.name}`}>
          {t.statistics}
        </button>
      </td>
    </tr>
  );
}

export const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)}%`);
