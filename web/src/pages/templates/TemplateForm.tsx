// Write or edit a utility template (R13a): name, language, optional header, body with named parameters,
// up to 3 URL / postback buttons, an example per parameter; the phone-frame preview follows every key.
// Saving submits to Meta (an edit resubmits, R13b).
import { useState } from 'react';
import { errorText } from '../../api.ts';
import {
  type TemplateInput,
  type TemplateView,
  templateParameters,
  templatesApi,
} from '../../api-templates.ts';
import { useI18n } from '../../i18n.tsx';
import { TemplatePreview } from './TemplatePreview.tsx';

type Button = NonNullable<TemplateInput['buttons']>[number];

function paramsOf(header: string, body: string): string[] {
  try {
    return [...new Set([...templateParameters(header), ...templateParameters(body)])];
  } catch {
    return []; // a positional or malformed parameter: the server says which
  }
}

export function TemplateForm(props: { pageId: number; editing: TemplateView | null; onDone: () => void }) {
  const { t, lang } = useI18n();
  const e = props.editing;
  const [name, setName] = useState(e?.name ?? '');
  const [language, setLanguage] = useState<'vi' | 'en'>((e?.language as 'vi' | 'en') ?? 'vi');
  const [headerText, setHeader] = useState(e?.headerText ?? '');
  const [bodyText, setBody] = useState(e?.bodyText ?? '');
  const [buttons, setButtons] = useState<Button[]>(e?.buttons ?? []);
  const [examples, setExamples] = useState<Record<string, string>>(e?.examples ?? {});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const params = paramsOf(headerText, bodyText);
  const input: TemplateInput = {
    name,
    language,
    headerText: headerText || null,
    bodyText,
    buttons,
    examples: Object.fromEntries(params.map((p) => [p, examples[p] ?? ''])),
  };

  const setButton = (i: number, b: Button) => setButtons(buttons.map((x, j) => (j === i ? b : x)));
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (e) await templatesApi.edit(e.id, input);
      else await templatesApi.create(props.pageId, input);
      props.onDone();
    } catch (err) {
      setError(errorText(err, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-label={e ? t.tplEdit : t.tplNew}>
      <h2>{e ? `${t.tplEdit}: ${e.name}` : t.tplNew}</h2>
      <div className="split">
        <form
          className="form"
          onSubmit={(ev) => {
            ev.preventDefault();
            void submit();
          }}
        >
          <label>
            {t.tplName}
            <input value={name} onChange={(ev) => setName(ev.target.value)} required maxLength={512} />
          </label>
          <label>
            {t.tplLanguage}
            <select value={language} onChange={(ev) => setLanguage(ev.target.value as 'vi' | 'en')}>
              <option value="vi">Tiếng Việt</option>
              <option value="en">English</option>
            </select>
          </label>
          <label>
            {t.tplHeader}
            <input value={headerText} onChange={(ev) => setHeader(ev.target.value)} maxLength={60} />
          </label>
          <label>
            {t.tplBody}
            <textarea
              value={bodyText}
              onChange={(ev) => setBody(ev.target.value)}
              rows={4}
              required
              maxLength={1024}
            />
            <small>{t.tplBodyHint}</small>
          </label>
          <fieldset>
            <legend>{t.tplButtons}</legend>
            {buttons.map((b, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: at most 3 buttons, edited in place; no identity but their place
              <div key={i} className="row">
                <input
                  aria-label={t.tplButtonText}
                  value={b.text}
                  maxLength={25}
                  onChange={(ev) => setButton(i, { ...b, text: ev.target.value })}
                />
                {b.type === 'URL' ? (
                  <input
                    aria-label={t.tplButtonUrl}
                    value={b.url}
                    onChange={(ev) => setButton(i, { ...b, url: ev.target.value })}
                  />
                ) : (
                  <input
                    aria-label={t.tplButtonPayload}
                    value={b.payload}
                    onChange={(ev) => setButton(i, { ...b, payload: ev.target.value })}
                  />
                )}
                <button type="button" onClick={() => setButtons(buttons.filter((_, j) => j !== i))}>
                  {t.tplRemove}
                </button>
              </div>
            ))}
            {buttons.length < 3 ? (
              <div className="row">
                <button
                  type="button"
                  onClick={() => setButtons([...buttons, { type: 'URL', text: '', url: 'https://' }])}
                >
                  {t.tplAddUrl}
                </button>
                <button
                  type="button"
                  onClick={() => setButtons([...buttons, { type: 'POSTBACK', text: '', payload: '' }])}
                >
                  {t.tplAddPostback}
                </button>
              </div>
            ) : null}
          </fieldset>
          {params.length ? (
            <fieldset>
              <legend>{t.tplExamples}</legend>
              {params.map((p) => (
                <label key={p}>
                  {`{{${p}}}`}
                  <input
                    value={examples[p] ?? ''}
                    onChange={(ev) => setExamples({ ...examples, [p]: ev.target.value })}
                    required
                  />
                </label>
              ))}
            </fieldset>
          ) : null}
          {error ? <p role="alert">{error}</p> : null}
          <div className="row">
            <button type="submit" disabled={busy}>
              {e ? t.tplResubmit : t.tplSubmit}
            </button>
            <button type="button" onClick={props.onDone}>
              {t.cancel}
            </button>
          </div>
        </form>
        <TemplatePreview t={input} label={t.tplPreview} />
      </div>
    </section>
  );
}
