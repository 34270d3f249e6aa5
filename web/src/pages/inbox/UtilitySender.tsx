// "Gửi mẫu tiện ích / Send utility template" (issue 14 item 3, R12c/R13c): pick one of the page's approved
// templates, fill its parameters, preview, send. Offered with the composer; outside 24 h it is the way an
// order or account update still reaches the customer, inside 24 h its text goes as a normal reply.
import { useState } from 'react';
import { errorText } from '../../api.ts';
import { templatesApi } from '../../api-templates.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { TemplatePreview } from '../templates/TemplatePreview.tsx';

export function UtilitySender(p: {
  pageId: number;
  customerId: number;
  insideWindow: boolean;
  onSent(): Promise<void>;
}) {
  const { t, lang } = useI18n();
  const templates = useLoad(() => templatesApi.list(p.pageId), [p.pageId]);
  const approved = (templates.data ?? []).filter((x) => x.sendable);
  const [picked, setPicked] = useState<number | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [note, setNote] = useState<{ error?: string; ok?: string }>({});
  const [busy, setBusy] = useState(false);
  const template = approved.find((x) => x.id === picked);
  const send = async () => {
    if (!template) return;
    setBusy(true);
    setNote({});
    try {
      await templatesApi.sendFromInbox(p.customerId, template.id, values);
      setNote({ ok: t.sendUtilitySent });
      setValues({});
      await p.onSent();
    } catch (e) {
      setNote({ error: errorText(e, lang) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="card" open={!p.insideWindow}>
      <summary>{t.sendUtility}</summary>
      <p className="muted">{p.insideWindow ? t.sendUtilityInside : t.sendUtilityOutside}</p>
      <div className="split">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <label>
            {t.sendUtilityPick}
            <select
              value={picked ?? ''}
              onChange={(e) => setPicked(e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">—</option>
              {approved.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name} ({x.language})
                </option>
              ))}
            </select>
          </label>
          {template?.parameters.map((param) => (
            <label key={param}>
              {`{{${param}}}`}
              <input
                value={values[param] ?? ''}
                required
                onChange={(e) => setValues({ ...values, [param]: e.target.value })}
              />
            </label>
          ))}
          {note.error ? <p role="alert">{note.error}</p> : null}
          {note.ok ? <p role="status">{note.ok}</p> : null}
          <button type="submit" disabled={!template || busy}>
            {t.sendUtility}
          </button>
        </form>
        {template ? <TemplatePreview t={{ ...template, examples: values }} label={t.tplPreview} /> : null}
      </div>
    </details>
  );
}
