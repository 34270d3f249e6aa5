// Mẫu tiện ích (issue 14 item 5): the page's utility templates with Meta's status (R13b), write / edit
// (resubmitted) with a phone-frame preview, Meta's library searched and cloned (R13a), the order-event
// mappings and the order-event log (R13c).
import { useState } from 'react';
import { errorText, type Page } from '../../api.ts';
import {
  type LibraryTemplateView,
  type TemplateInput,
  type TemplateView,
  templatesApi,
} from '../../api-templates.ts';
import { useLoad } from '../../hooks.ts';
import { type Dict, useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';
import { OrderEventsSection } from './OrderEventsSection.tsx';
import { TemplateForm } from './TemplateForm.tsx';
import { TemplatePreview } from './TemplatePreview.tsx';

export function statusLabel(t: Dict, status: string): string {
  return (t as Record<string, string>)[`st_${status}`] ?? status;
}

export function TemplatesPage({ page }: { page: Page }) {
  const { t } = useI18n();
  const time = useTime();
  const templates = useLoad(() => templatesApi.list(page.id), [page.id]);
  const [editing, setEditing] = useState<TemplateView | 'new' | null>(null);
  const [previewing, setPreviewing] = useState<TemplateView | null>(null);
  const done = () => {
    setEditing(null);
    void templates.reload();
  };
  return (
    <div className="stack">
      <h1>{t.templatesTitle}</h1>
      <p>{t.templatesIntro}</p>
      {editing ? (
        <TemplateForm pageId={page.id} editing={editing === 'new' ? null : editing} onDone={done} />
      ) : null}
      <section className="card" aria-labelledby="h-templates">
        <div className="card__head">
          <h2 id="h-templates">{t.templatesTitle}</h2>
          <button type="button" onClick={() => setEditing('new')}>
            + {t.tplNew}
          </button>
        </div>
        <div className="split">
          <table className="table table--cards" aria-label={t.templatesTitle}>
            <thead>
              <tr>
                <th>{t.tplName}</th>
                <th>{t.tplLanguage}</th>
                <th>{t.tplStatus}</th>
                <th>{t.tplParams}</th>
                <th>
                  <span className="sr-only">{t.actions}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(templates.data ?? []).map((x) => (
                <tr key={x.id} aria-label={x.name}>
                  <td>{x.name}</td>
                  <td>{x.language}</td>
                  <td>
                    <span
                      className={x.sendable ? 'badge badge--ok' : 'badge badge--off'}
                      data-status={x.status}
                    >
                      {statusLabel(t, x.status)}
                    </span>
                    {x.statusReason ? <small> {x.statusReason}</small> : null}
                    <br />
                    <small>{time(x.statusAt)}</small>
                  </td>
                  <td>{x.parameters.map((p) => `{{${p}}}`).join(' ')}</td>
                  <td className="row">
                    <button type="button" onClick={() => setPreviewing(x)}>
                      {t.tplPreview}
                    </button>
                    {x.parameterFormat === 'NAMED' ? (
                      <button type="button" onClick={() => setEditing(x)}>
                        {t.tplEdit}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
              {templates.data?.length === 0 ? (
                <tr>
                  <td colSpan={5}>{t.none}</td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {previewing ? <TemplatePreview t={previewing} label={t.tplPreview} /> : null}
        </div>
      </section>
      <LibrarySection pageId={page.id} onCloned={() => void templates.reload()} />
      <OrderEventsSection page={page} templates={templates.data ?? []} />
    </div>
  );
}

function LibrarySection({ pageId, onCloned }: { pageId: number; onCloned: () => void }) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [language, setLanguage] = useState<'vi' | 'en'>('en');
  const [found, setFound] = useState<LibraryTemplateView[] | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const run = async (f: () => Promise<void>) => {
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError(errorText(e, lang));
    }
  };
  return (
    <section className="card" aria-labelledby="h-library">
      <h2 id="h-library">{t.libraryTitle}</h2>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => setFound(await templatesApi.library(pageId, q, language)));
        }}
      >
        <input
          aria-label={t.librarySearch}
          placeholder={t.librarySearch}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <select
          aria-label={t.tplLanguage}
          value={language}
          onChange={(e) => setLanguage(e.target.value as 'vi' | 'en')}
        >
          <option value="en">English</option>
          <option value="vi">Tiếng Việt</option>
        </select>
        <button type="submit">{t.tplSearch}</button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {found?.length === 0 ? <p>{t.libraryEmpty}</p> : null}
      <ul className="stack" aria-label={t.libraryTitle}>
        {(found ?? []).map((lib) => (
          <li key={lib.id} className="row" aria-label={lib.name}>
            <TemplatePreview
              t={{
                headerText: lib.header,
                bodyText: lib.body,
                buttons: lib.buttons,
                examples: Object.fromEntries(lib.bodyParams.map((v, i) => [String(i + 1), v])),
              }}
              label={lib.name}
            />
            <div className="form">
              <strong>{lib.name}</strong>
              <small>{[lib.topic, lib.usecase].filter(Boolean).join(' · ')}</small>
              <label>
                {t.cloneAs}
                <input
                  value={names[lib.id] ?? `shop_${lib.name}`}
                  onChange={(e) => setNames({ ...names, [lib.id]: e.target.value })}
                />
              </label>
              <button
                type="button"
                onClick={() =>
                  void run(async () => {
                    await templatesApi.clone(pageId, {
                      libraryTemplateName: lib.name,
                      name: names[lib.id] ?? `shop_${lib.name}`,
                      language,
                      buttons: lib.buttons.flatMap((b): TemplateInput['buttons'] & object =>
                        b.type === 'URL' && b.url
                          ? [{ type: 'URL' as const, text: b.text, url: b.url }]
                          : b.type === 'POSTBACK'
                            ? [{ type: 'POSTBACK' as const, text: b.text, payload: b.payload ?? b.text }]
                            : [],
                      ),
                    });
                    onCloned();
                  })
                }
              >
                {t.clone}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
