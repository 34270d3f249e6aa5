// The composer switches as R6 says — normal (< 24 h), human agent (24 h – 7 days), the notification frame
// with its topic picker (≥ 7 days, a valid subscription; text and emoji only), or Facebook's 7-day policy
// notice — and always says why, in the current language, with the time it changes.
import { type FormEvent, useEffect, useState } from 'react';
import { api, ApiError, type Composer as ComposerState } from '../../api.ts';
import { fmtDate, useI18n } from '../../i18n.tsx';

export function Composer(p: { customerId: number; composer: ComposerState; onSent(): Promise<void> }) {
  const { t, lang } = useI18n();
  const c = p.composer;
  const [text, setText] = useState('');
  const [topicId, setTopicId] = useState<number>(c.mode === 'notification' ? (c.topics[0]?.topicId ?? 0) : 0);
  const [error, setError] = useState<{ text: string; nextAt?: string | null }>();
  const [busy, setBusy] = useState(false);
  const topicIds = c.mode === 'notification' ? c.topics.map((x) => x.topicId).join(',') : '';
  useEffect(() => {
    if (c.mode === 'notification' && !c.topics.some((x) => x.topicId === topicId)) setTopicId(c.topics[0]?.topicId ?? 0);
    // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the topic ids
  }, [topicIds]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      if (c.mode === 'notification') await api.notify(p.customerId, topicId, text);
      else await api.reply(p.customerId, text);
      setText('');
      await p.onSent();
    } catch (err) {
      setError(err instanceof ApiError ? { text: err.text(lang), nextAt: err.details.nextAt } : { text: String(err) });
    } finally {
      setBusy(false);
    }
  };

  const refusal = error ? (
    <p role="alert" className="error">
      {error.text}
      {error.nextAt ? ` ${t.nextAt}: ${fmtDate(error.nextAt, lang)}` : ''}
    </p>
  ) : null;

  if (c.mode === 'policy_notice') {
    return (
      <section className="composer composer--policy" aria-label={t.composerPolicy}>
        <h3>⚠ {t.composerPolicy}</h3>
        <p role="status" data-reason={c.reason}>
          {c.text[lang]}
        </p>
        {c.nextAt ? (
          <p>
            {t.nextAt}: <strong>{fmtDate(c.nextAt, lang)}</strong>
          </p>
        ) : null}
        {refusal}
      </section>
    );
  }

  const title = c.mode === 'notification' ? t.composerNotification : c.mode === 'human_agent' ? t.composerHumanAgent : t.composerNormal;
  const why = c.mode === 'notification' ? t.whyNotification : c.mode === 'human_agent' ? t.whyHumanAgent : t.whyNormal;
  return (
    <form className={`composer composer--${c.mode}`} aria-label={title} onSubmit={submit}>
      <h3>{c.mode === 'notification' ? '🔔 ' : ''}{title}</h3>
      <p className="muted" role="note">
        {why}
        {c.mode !== 'notification' ? ` ${t.windowClosesAt}: ${fmtDate(c.windowClosesAt, lang)}.` : ''}
      </p>
      {c.mode === 'notification' ? (
        <fieldset className="topic-pick">
          <legend>{t.notificationTopic}</legend>
          {c.topics.map((x) => (
            <label key={x.topicId} className="radio">
              <input type="radio" name="topic" value={x.topicId} checked={topicId === x.topicId} onChange={() => setTopicId(x.topicId)} />
              {x.name} <span className="muted">({x.kind === 'one_time' ? 'OTN' : t.kindRecurring})</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="row composer__input">
        <textarea
          aria-label={t.typeMessage}
          placeholder={c.mode === 'notification' ? `${t.typeMessage} — ${t.textOnly}` : t.typeMessage}
          value={text}
          rows={2}
          maxLength={2000}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          {t.send}
        </button>
      </div>
      {refusal}
    </form>
  );
}
