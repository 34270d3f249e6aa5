// Order events (R13c) on the Templates screen: per event type, the template and which event field fills
// each of its parameters; then the log of events the shop's system posted, filtered and searched.
import { useEffect, useState } from 'react';
import { errorText, type Page } from '../../api.ts';
import { type MappingView, ORDER_EVENT_TYPES, type TemplateView, templatesApi } from '../../api-templates.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';

const STATUSES = ['pending', 'sent', 'sent_as_reply', 'refused'] as const;

export function OrderEventsSection({ page, templates }: { page: Page; templates: TemplateView[] }) {
  const { t } = useI18n();
  const mappings = useLoad(() => templatesApi.mappings(page.id), [page.id]);
  return (
    <>
      <section className="card" aria-labelledby="h-mappings">
        <h2 id="h-mappings">{t.mappingsTitle}</h2>
        <p>{t.mappingsIntro}</p>
        <ul className="stack">
          {ORDER_EVENT_TYPES.map((type) => (
            <MappingRow
              key={type}
              pageId={page.id}
              type={type}
              templates={templates}
              current={mappings.data?.find((m) => m.eventType === type)}
              onSaved={() => void mappings.reload()}
            />
          ))}
        </ul>
      </section>
      <EventLog pageId={page.id} />
    </>
  );
}

function MappingRow(p: {
  pageId: number;
  type: string;
  templates: TemplateView[];
  current: MappingView | undefined;
  onSaved: () => void;
}) {
  const { t, lang } = useI18n();
  const [templateId, setTemplateId] = useState<number | null>(p.current?.templateId ?? null);
  const [params, setParams] = useState<Record<string, string>>(p.current?.params ?? {});
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  // The stored mapping arrives after the row is drawn (and again after a save): show it once it is known.
  const stored = p.current;
  useEffect(() => {
    if (!stored) return;
    setTemplateId(stored.templateId);
    setParams(stored.params);
  }, [stored]);
  const template = p.templates.find((x) => x.id === templateId);
  const label = (t as Record<string, string>)[`ev_${p.type}`] ?? p.type;
  const run = async (f: () => Promise<unknown>) => {
    setError(undefined);
    setSaved(false);
    try {
      await f();
      setSaved(true);
      p.onSaved();
    } catch (e) {
      setError(errorText(e, lang));
    }
  };
  return (
    <li className="form" aria-label={label}>
      <div className="row">
        <strong>{label}</strong> <code>{p.type}</code>
        <select
          aria-label={`${t.mapTemplate}: ${label}`}
          value={templateId ?? ''}
          onChange={(e) => setTemplateId(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">{t.mapNone}</option>
          {p.templates.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name} ({x.language})
            </option>
          ))}
        </select>
      </div>
      {template?.parameters.map((param) => (
        <label key={param}>
          {t.mapFieldFor} {`{{${param}}}`}
          <input
            value={params[param] ?? (param === 'order_id' ? 'order_id' : '')}
            onChange={(e) => setParams({ ...params, [param]: e.target.value })}
          />
        </label>
      ))}
      <div className="row">
        {template ? (
          <button
            type="button"
            onClick={() =>
              void run(() =>
                templatesApi.putMapping(p.pageId, p.type, {
                  templateId: template.id,
                  params: Object.fromEntries(
                    template.parameters.map((x) => [x, params[x] ?? (x === 'order_id' ? 'order_id' : '')]),
                  ),
                }),
              )
            }
          >
            {t.mapSave}
          </button>
        ) : null}
        {p.current ? (
          <button type="button" onClick={() => void run(() => templatesApi.removeMapping(p.pageId, p.type))}>
            {t.mapRemove}
          </button>
        ) : null}
        {saved ? <span role="status">✓</span> : null}
      </div>
      {error ? <p role="alert">{error}</p> : null}
    </li>
  );
}

function EventLog({ pageId }: { pageId: number }) {
  const { t, lang } = useI18n();
  const time = useTime();
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const events = useLoad(() => templatesApi.events(pageId, { status, q }), [pageId, status, q], 5000);
  return (
    <section className="card" aria-labelledby="h-events">
      <h2 id="h-events">{t.eventsTitle}</h2>
      <div className="row">
        <select aria-label={t.tplStatus} value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t.evAll}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {(t as Record<string, string>)[`evs_${s}`]}
            </option>
          ))}
        </select>
        <input
          aria-label={t.eventsSearch}
          placeholder={t.eventsSearch}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      <table className="table table--cards" aria-label={t.eventsTitle}>
        <thead>
          <tr>
            <th>{t.evAt}</th>
            <th>{t.eventType}</th>
            <th>{t.evOrder}</th>
            <th>{t.evCustomer}</th>
            <th>{t.evResult}</th>
          </tr>
        </thead>
        <tbody>
          {(events.data ?? []).map((e) => (
            <tr key={e.id}>
              <td>{time(e.createdAt)}</td>
              <td>{(t as Record<string, string>)[`ev_${e.type}`] ?? e.type}</td>
              <td>{e.orderId ?? '—'}</td>
              <td>{e.customer.psid ?? e.customer.phone ?? '—'}</td>
              <td>
                <span className={`badge ${e.status === 'refused' ? 'badge--off' : 'badge--ok'}`}>
                  {(t as Record<string, string>)[`evs_${e.status}`]}
                </span>
                {e.reasonText ? (
                  <small> {e.reasonText[lang]}</small>
                ) : e.reason ? (
                  <small> {e.reason}</small>
                ) : null}
                {e.text ? <div className="bubble">{e.text}</div> : null}
              </td>
            </tr>
          ))}
          {events.data?.length === 0 ? (
            <tr>
              <td colSpan={5}>{t.none}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
