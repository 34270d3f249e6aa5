// Create / edit a topic with the opt-in card previewed live as the customer will see it (R5a).
import { type FormEvent, useState } from 'react';
import {
  api,
  CTA_TEXTS,
  type CtaText,
  errorText,
  FREQUENCIES,
  type Frequency,
  type Lang,
  type Page,
  type Topic,
  type TopicKind,
} from '../../api.ts';
import { OptInCard } from '../../components/OptInCard.tsx';
import { CTA_LABEL, fill, useI18n } from '../../i18n.tsx';

const TITLE_MAX = 65;

export function TopicForm(p: {
  page: Page;
  initial: Topic | null;
  kind: TopicKind;
  onDone(): void | Promise<void>;
  onCancel(): void;
}) {
  const { t, lang } = useI18n();
  const [name, setName] = useState(p.initial?.name ?? '');
  const [title, setTitle] = useState(p.initial?.title ?? '');
  const [imageUrl, setImageUrl] = useState(p.initial?.imageUrl ?? '');
  const [cta, setCta] = useState<CtaText>(p.initial?.ctaText ?? 'GET_UPDATES');
  const [frequency, setFrequency] = useState<Frequency>(p.initial?.frequency ?? 'WEEKLY');
  const [previewLang, setPreviewLang] = useState<Lang>(lang);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const recurring = p.kind === 'recurring';
  const left = TITLE_MAX - [...title].length;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = recurring
      ? { name, title, kind: p.kind, imageUrl: imageUrl || null, ctaText: cta, frequency }
      : { name, title, kind: p.kind };
    try {
      if (p.initial) await api.editTopic(p.initial.id, body);
      else await api.createTopic(p.page.id, body);
      await p.onDone();
    } catch (err) {
      setError(errorText(err, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-label={p.initial ? `${t.edit} ${p.initial.name}` : t.newTopic}>
      <h2>
        {p.initial ? `${t.edit}: ${p.initial.name}` : t.newTopic} ·{' '}
        {recurring ? t.kindRecurring : t.kindOneTime}
      </h2>
      <div className="split">
        <form onSubmit={submit} className="form">
          <label>
            {t.topicName}
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </label>
          <label>
            {t.topicTitle}
            <input
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              required
              aria-invalid={left < 0}
              aria-describedby="topic-title-count"
              className={left < 0 ? 'invalid' : undefined}
            />
            {/* Over the limit the field says so and why Save is off, instead of Save just greying out. */}
            <small id="topic-title-count" className={left < 0 ? 'error' : 'muted'} aria-live="polite">
              {[...title].length}/{TITLE_MAX} ·{' '}
              {left < 0 ? fill(t.titleTooLong, { max: TITLE_MAX, over: -left }) : `${left} ${t.charsLeft}`}
            </small>
          </label>
          {recurring ? (
            <>
              <label>
                {t.topicImage}
                <input
                  value={imageUrl}
                  onChange={(e) => setImageUrl(e.target.value)}
                  placeholder="https://…"
                />
              </label>
              <label>
                {t.buttonLabel}
                <select value={cta} onChange={(e) => setCta(e.target.value as CtaText)}>
                  {CTA_TEXTS.map((c) => (
                    <option key={c} value={c}>
                      {c} — {CTA_LABEL[lang][c]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t.frequency}
                <select value={frequency} onChange={(e) => setFrequency(e.target.value as Frequency)}>
                  {FREQUENCIES.map((f) => (
                    <option key={f} value={f}>
                      {t[`freq${f}`]}
                    </option>
                  ))}
                </select>
              </label>
            </>
          ) : (
            <p className="muted">{t.otnFixedButton}</p>
          )}
          {error ? (
            <p role="alert" className="error">
              {error}
            </p>
          ) : null}
          <div className="row">
            <button type="submit" className="primary" disabled={busy || left < 0}>
              {t.save}
            </button>
            <button type="button" onClick={p.onCancel}>
              {t.cancel}
            </button>
          </div>
        </form>
        <figure className="preview" aria-label={t.preview}>
          <div className="row">
            <strong>{t.preview}</strong>
            <select
              aria-label={`${t.preview} ${t.language}`}
              value={previewLang}
              onChange={(e) => setPreviewLang(e.target.value as Lang)}
            >
              <option value="vi">vi</option>
              <option value="en">en</option>
            </select>
          </div>
          <p className="muted">{t.previewHint}</p>
          <div className="phone-frame">
            <OptInCard
              kind={p.kind}
              title={title}
              imageUrl={imageUrl || null}
              ctaText={cta}
              frequency={recurring ? frequency : null}
              lang={previewLang}
              pageName={p.page.name}
            />
          </div>
        </figure>
      </div>
    </section>
  );
}
