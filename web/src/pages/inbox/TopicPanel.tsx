// The side panel (R4): every active topic in exactly one of Đã gửi / Chưa gửi, with its dates. The
// send-topic control exists only inside 24 h (R2a); a refusal for an already sent or subscribed topic
// shows the page's notice text (R4f). Dates are the page's (time.ts).
import { useState } from 'react';
import { ApiError, api, type CustomerDetail, errorText, type TopicListItem } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';

export function TopicPanel(p: { customerId: number; detail: CustomerDetail; onSent(): Promise<void> }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const open = p.detail.window === 'open';
  const [msg, setMsg] = useState<{ kind: 'ok' | 'err'; text: string; notice?: string }>();

  const invite = async (item: TopicListItem) => {
    setMsg(undefined);
    try {
      await api.invite(p.customerId, item.topicId);
      setMsg({ kind: 'ok', text: `${t.sent}: ${item.name}` });
      await p.onSent();
    } catch (err) {
      if (!(err instanceof ApiError)) return setMsg({ kind: 'err', text: errorText(err, lang) });
      const when = err.details.nextAt ? ` ${t.resendAfter} ${fmt(err.details.nextAt)}.` : '';
      setMsg({ kind: 'err', text: err.text(lang) + when, notice: err.details.notice?.[lang] });
    }
  };

  const item = (x: TopicListItem) => (
    <li key={x.topicId} className="topic-item" data-topic={x.name}>
      <div>
        <strong>{x.name}</strong>{' '}
        <span className="muted">({x.kind === 'one_time' ? 'OTN' : t.kindRecurring})</span>
      </div>
      <div className="muted">{t[`st_${x.state}`]}</div>
      {x.lastSentAt ? (
        <div className="muted">
          {t.sentAt}: {fmt(x.lastSentAt)}
        </div>
      ) : null}
      {x.optedInAt ? (
        <div>
          {t.optedInAt}: {fmt(x.optedInAt)}
        </div>
      ) : null}
      {x.expiresAt ? (
        <div className="muted">
          {t.expiresAt}: {fmt(x.expiresAt)}
        </div>
      ) : null}
      {x.resendAfter ? (
        <div>
          {t.resendAfter} <strong>{fmt(x.resendAfter)}</strong>
        </div>
      ) : null}
      {open ? (
        <button type="button" onClick={() => void invite(x)} aria-label={`${t.sendTopic}: ${x.name}`}>
          {t.sendTopic}
        </button>
      ) : null}
    </li>
  );

  return (
    <aside className="topic-panel" aria-label={`${t.sentList} / ${t.notSentList}`}>
      {!open ? (
        <p className="muted" role="note">
          {t.sendTopicHidden}
        </p>
      ) : null}
      {msg ? (
        <div role={msg.kind === 'err' ? 'alert' : 'status'} className={msg.kind === 'err' ? 'error' : 'ok'}>
          <p>{msg.text}</p>
          {msg.notice ? <blockquote className="notice">{msg.notice}</blockquote> : null}
        </div>
      ) : null}
      <section aria-labelledby="h-sent">
        <h3 id="h-sent">
          {t.sentList} ({p.detail.topics.sent.length})
        </h3>
        <ul className="topic-list" aria-label={t.sentList}>
          {p.detail.topics.sent.map(item)}
        </ul>
      </section>
      <section aria-labelledby="h-notsent">
        <h3 id="h-notsent">
          {t.notSentList} ({p.detail.topics.notSent.length})
        </h3>
        <ul className="topic-list" aria-label={t.notSentList}>
          {p.detail.topics.notSent.map(item)}
        </ul>
      </section>
    </aside>
  );
}
