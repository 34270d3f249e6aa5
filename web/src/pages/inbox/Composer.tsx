// The composer switches as R6 says — normal (< 24 h), human agent (24 h – 7 days), the notification frame
// with its topic picker (≥ 7 days, a valid subscription; text and emoji only), or Facebook's 7-day policy
// notice — and always says why, in the current language, with the time it changes (in the page's zone).
// The agent picks the topic of every notification: none is preselected, and the pick is cleared after
// each send, so a message never goes on a topic nobody chose; spending an OTN token is confirmed first.
import { type FormEvent, type KeyboardEvent, useEffect, useState } from 'react';
import { api, type Composer as ComposerState, errorText } from '../../api.ts';
import { fill, useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';
import { RouteLine } from './RouteLine.tsx';
import './inbox.css';

export function Composer(p: { customerId: number; composer: ComposerState; onSent(): Promise<void> }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const c = p.composer;
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<{ err: unknown; nextAt?: string | null }>();
  const [busy, setBusy] = useState(false);
  // A pick that is no longer offered (cooldown, used, stopped) is no pick at all.
  const topic = c.mode === 'notification' ? (c.topics.find((x) => x.topicId === picked) ?? null) : null;
  // Forget it too, so it cannot come back checked when the topic is offered again later.
  useEffect(() => {
    if (picked !== null && topic === null) setPicked(null);
  }, [picked, topic]);
  const ready = text.trim() !== '' && !busy && (c.mode !== 'notification' || topic !== null);

  const send = async () => {
    setBusy(true);
    setError(undefined);
    setConfirming(false);
    try {
      if (c.mode === 'notification' && topic) await api.notify(p.customerId, topic.topicId, text);
      else await api.reply(p.customerId, text);
      setText('');
      setPicked(null);
      await p.onSent();
    } catch (err) {
      const nextAt = (err as { details?: { nextAt?: string | null } }).details?.nextAt;
      setError({ err, nextAt });
    } finally {
      setBusy(false);
    }
  };

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!ready) return;
    if (topic?.kind === 'one_time') setConfirming(true);
    else void send();
  };

  // Enter sends, Shift+Enter is a new line; not while an input method is composing (Vietnamese Telex).
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const refusal = error ? (
    <p role="alert" className="error">
      {errorText(error.err, lang)}
      {error.nextAt ? ` ${t.nextAt}: ${fmt(error.nextAt)}` : ''}
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
            {t.nextAt}: <strong>{fmt(c.nextAt)}</strong>
          </p>
        ) : null}
        {refusal}
      </section>
    );
  }

  const title =
    c.mode === 'notification'
      ? t.composerNotification
      : c.mode === 'human_agent'
        ? t.composerHumanAgent
        : t.composerNormal;
  const why =
    c.mode === 'notification' ? t.whyNotification : c.mode === 'human_agent' ? t.whyHumanAgent : t.whyNormal;
  return (
    <form className={`composer composer--${c.mode}`} aria-label={title} onSubmit={submit}>
      <h3>
        {c.mode === 'notification' ? '🔔 ' : ''}
        {title}
      </h3>
      <p className="muted" role="note">
        {why}
        {c.mode !== 'notification' ? ` ${t.windowClosesAt}: ${fmt(c.windowClosesAt)}.` : ''}
      </p>
      {c.mode !== 'notification' || topic ? (
        <RouteLine key={c.mode} customerId={p.customerId} topicId={topic?.topicId ?? null} />
      ) : null}
      {c.mode === 'notification' ? (
        <fieldset className="topic-pick">
          <legend>{t.notificationTopic}</legend>
          {topic === null ? <p className="muted inbox-hint">{t.pickTopicHint}</p> : null}
          {c.topics.map((x) => (
            <label key={x.topicId} className="radio">
              <input
                type="radio"
                name={`topic-${p.customerId}`}
                value={x.topicId}
                checked={picked === x.topicId}
                onChange={() => {
                  setPicked(x.topicId);
                  setConfirming(false);
                }}
              />
              {x.name} <span className="muted">({x.kind === 'one_time' ? 'OTN' : t.kindRecurring})</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="row composer__input">
        <textarea
          aria-label={t.typeMessage}
          aria-describedby={`enter-hint-${p.customerId}`}
          placeholder={c.mode === 'notification' ? `${t.typeMessage} — ${t.textOnly}` : t.typeMessage}
          value={text}
          rows={2}
          maxLength={2000}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
        />
        <button type="submit" className="primary" disabled={!ready}>
          {t.send}
        </button>
      </div>
      <p id={`enter-hint-${p.customerId}`} className="muted inbox-hint">
        {t.enterToSend}
      </p>
      {confirming && topic ? (
        <div role="alertdialog" aria-label={t.otnConfirmTitle} className="otn-confirm">
          <strong>{t.otnConfirmTitle}</strong>
          <p>{fill(t.otnConfirmText, { topic: topic.name })}</p>
          <div className="row">
            <button type="button" className="primary" onClick={() => void send()} disabled={busy}>
              {t.otnConfirmSend}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t.otnConfirmBack}
            </button>
          </div>
        </div>
      ) : null}
      {refusal}
    </form>
  );
}
