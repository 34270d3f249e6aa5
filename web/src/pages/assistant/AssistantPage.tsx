// Chat assistant (Trợ lý chat): triggers, the message editor with previewed blocks, and
// Cài đặt Messenger → Cấu hình chung with the R4f notice text.
import { useState } from 'react';
import { api, errorText, type Page, type Trigger } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { NoticeSettings } from './NoticeSettings.tsx';
import { TriggerEditor } from './TriggerEditor.tsx';

export function AssistantPage({ page }: { page: Page }) {
  const { t, lang } = useI18n();
  const triggers = useLoad(() => api.triggers(page.id), [page.id]);
  const topics = useLoad(() => api.topics(page.id), [page.id]);
  const [editing, setEditing] = useState<Trigger | 'new' | null>(null);

  const describe = (tr: Trigger) => `${t[`trig_${tr.kind}`]}${tr.value ? `: “${tr.value}”` : ''}`;

  return (
    <div className="stack">
      <h1>{t.navAssistant}</h1>
      <section className="card" aria-labelledby="h-triggers">
        <div className="card__head">
          <h2 id="h-triggers">{t.triggers}</h2>
          <button type="button" onClick={() => setEditing('new')}>
            + {t.newTrigger}
          </button>
        </div>
        {triggers.loading && !triggers.data ? (
          <p className="muted" role="status">
            {t.loading}
          </p>
        ) : null}
        {triggers.error ? (
          <p role="alert" className="error">
            {errorText(triggers.error, lang)}
          </p>
        ) : null}
        <ul className="list" aria-label={t.triggers}>
          {(triggers.data ?? []).map((tr) => (
            <li key={tr.id} className="list__item">
              <span>
                <strong>{describe(tr)}</strong>
                <span className="muted"> · {tr.blocks.map((b) => b.type).join(', ')}</span>
              </span>
              <button type="button" onClick={() => setEditing(tr)} aria-label={`${t.edit} ${describe(tr)}`}>
                {t.edit}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {editing ? (
        <TriggerEditor
          key={editing === 'new' ? 'new' : editing.id}
          page={page}
          topics={topics.data ?? []}
          initial={editing === 'new' ? null : editing}
          onDone={async () => {
            setEditing(null);
            await triggers.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      <NoticeSettings page={page} />
    </div>
  );
}
