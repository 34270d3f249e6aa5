// The Messenger thread from the customer's side: the page's messages on the left (text, images, button
// templates, quick replies, opt-in cards — all tappable), the customer's own on the right.
import { type ReactNode, useEffect, useRef } from 'react';
import { OptInCard } from '../../src/components/OptInCard.tsx';
import { sandbox, type Thread, type ThreadItem } from './sandbox.ts';
import { langOf, type PHONE_WORDS } from './words.ts';

type Words = (typeof PHONE_WORDS)['vi'];
type Run = (fn: () => Promise<unknown>) => Promise<void>;

export function PhoneThread({ thread, words, run }: { thread: Thread; words: Words; run: Run }) {
  const psid = thread.customer.psid;
  const lang = langOf(thread.customer.locale);
  const end = useRef<HTMLLIElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll to the end whenever a message arrives
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [thread.items.length]);
  const visible = thread.items.filter((i) => i.kind !== 'read');
  const last = visible[visible.length - 1];

  const pageItem = (i: ThreadItem) => {
    const m = i.message ?? {};
    const tpl = m.attachment?.payload;
    let body: ReactNode;
    if (i.optInCard?.kind === 'one_time_notif_req') {
      const card = i.optInCard;
      body = (
        <OptInCard
          kind="one_time"
          title={card.title}
          lang={lang}
          tapped={card.taps > 0}
          onTap={() => void run(() => sandbox.optin(psid, i.mid))}
        />
      );
    } else if (i.optInCard?.kind === 'notification_messages') {
      const card = i.optInCard;
      body = (
        <OptInCard
          kind="recurring"
          title={card.title}
          imageUrl={card.imageUrl}
          ctaText={card.ctaText}
          frequency={card.frequency}
          lang={lang}
          pageName={thread.page.name}
          tapped={card.taps > 0}
          onTap={() => void run(() => sandbox.optin(psid, i.mid))}
        />
      );
    } else if (i.utility) {
      // Messenger draws a utility template as a card: bold header, body, then its buttons.
      const u = i.utility;
      body = (
        <div className="tpl">
          {u.header ? <div className="tpl__text tpl__header">{u.header}</div> : null}
          <div className="tpl__text">{u.body}</div>
          {u.buttons.map((b) =>
            b.type === 'POSTBACK' ? (
              <button
                key={b.text}
                type="button"
                className="tpl__btn"
                onClick={() => void run(() => sandbox.postback(psid, b.payload ?? '', b.text))}
              >
                {b.text}
              </button>
            ) : (
              <a key={b.text} className="tpl__btn" href={b.url} target="_blank" rel="noreferrer noopener">
                {b.text}
              </a>
            ),
          )}
        </div>
      );
    } else if (m.attachment?.type === 'image' && tpl?.url) {
      body = <img className="bubble-img" src={tpl.url} alt="" />;
    } else if (tpl?.template_type === 'button') {
      body = (
        <div className="tpl">
          <div className="tpl__text">{tpl.text}</div>
          {(tpl.buttons ?? []).map((b) =>
            b.type === 'postback' ? (
              <button
                key={b.title}
                type="button"
                className="tpl__btn"
                onClick={() => void run(() => sandbox.postback(psid, b.payload ?? '', b.title))}
              >
                {b.title}
              </button>
            ) : (
              <a key={b.title} className="tpl__btn" href={b.url} target="_blank" rel="noreferrer noopener">
                {b.title}
              </a>
            ),
          )}
        </div>
      );
    } else {
      body = <div className="bubble">{m.text ?? i.text ?? `[${i.kind}]`}</div>;
    }
    return (
      <>
        {i.marketing ? (
          <span className="phone__tag">{words.marketing}</span>
        ) : i.utility ? (
          <span className="phone__tag">{words.utility}</span>
        ) : i.via && i.via !== 'id' ? (
          <span className="phone__tag">🔔 {words.notification}</span>
        ) : null}
        {i.marketing ? (
          // A tap anywhere on a paid message counts as Meta's click (marketing_message_clicks).
          // biome-ignore lint/a11y/noStaticElementInteractions: the message itself, as in Messenger
          // biome-ignore lint/a11y/useKeyWithClickEvents: the buttons inside stay keyboard-reachable
          <div onClick={() => void run(() => sandbox.marketingClick(psid, i.mid))}>{body}</div>
        ) : (
          body
        )}
        {i.marketing ? (
          <button
            type="button"
            className="phone__stop-link"
            onClick={() => void run(() => sandbox.marketingStop(psid, i.mid))}
          >
            {words.stopThese}
          </button>
        ) : null}
        {i === last && m.quick_replies?.length ? (
          // biome-ignore lint/a11y/useSemanticElements: a row of reply chips, not a form's fieldset
          <div className="chips" role="group" aria-label="quick replies">
            {m.quick_replies.map((q) => (
              <button
                key={q.payload}
                type="button"
                className="chip"
                onClick={() => void run(() => sandbox.quickReply(psid, q.payload ?? '', q.title ?? ''))}
              >
                {q.title}
              </button>
            ))}
          </div>
        ) : null}
      </>
    );
  };

  const customerItem = (i: ThreadItem) => {
    if (i.kind === 'text' || i.kind === 'quick_reply' || i.kind === 'postback')
      return <div className="bubble bubble--me">{i.text || i.payload}</div>;
    return <span className="phone__system">{systemLine(i, lang)}</span>;
  };

  return (
    <ol className="phone__thread" aria-label="Messenger">
      {visible.map((i) => (
        <li
          key={i.mid}
          className={`pmsg pmsg--${i.from === 'page' ? 'page' : 'me'} ${i.from === 'customer' && !['text', 'quick_reply', 'postback'].includes(i.kind) ? 'pmsg--system' : ''}`}
        >
          {i.from === 'page' ? pageItem(i) : customerItem(i)}
          <time className="pmsg__time">{new Date(i.at).toLocaleString()}</time>
        </li>
      ))}
      <li ref={end} />
    </ol>
  );
}

function systemLine(i: ThreadItem, lang: 'vi' | 'en'): string {
  const vi = lang === 'vi';
  switch (i.kind) {
    case 'optin':
      return vi
        ? `✓ Bạn đã đồng ý nhận tin${i.text ? `: ${i.text}` : ''}`
        : `✓ You opted in${i.text ? `: ${i.text}` : ''}`;
    case 'stop':
      return vi ? '⏸ Bạn đã dừng thông báo' : '⏸ You stopped notifications';
    case 'resume':
      return vi ? '▶ Bạn đã tiếp tục nhận thông báo' : '▶ You resumed notifications';
    case 'report':
      return vi ? '⚑ Bạn đã báo cáo cuộc trò chuyện' : '⚑ You reported the conversation';
    default:
      return i.text ?? i.kind;
  }
}
