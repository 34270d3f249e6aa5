// The agent's view of the thread: the customer's messages left, the page's right, opt-in invitations as
// the card the customer saw; who sent each page message (bot, agent, campaign) and how it went.
import { type ReactNode, useEffect, useRef } from 'react';
import type { CtaText, Message } from '../../api.ts';
import { OptInCard } from '../../components/OptInCard.tsx';
import { fmtDate, useI18n } from '../../i18n.tsx';

type Tpl = { template_type?: string; title?: string; image_url?: string; notification_messages_cta_text?: CtaText; text?: string; buttons?: Array<{ title?: string }> };

function templateOf(payload: unknown): Tpl | null {
  const att = (payload as { attachment?: { type?: string; payload?: Tpl } } | null)?.attachment;
  return att?.type === 'template' ? (att.payload ?? null) : null;
}

function imageOf(payload: unknown): string | null {
  const att = (payload as { attachment?: { type?: string; payload?: { url?: string } } } | null)?.attachment;
  return att?.type === 'image' ? (att.payload?.url ?? null) : null;
}

export function Thread({ messages, pageName }: { messages: Message[]; pageName: string }) {
  const { t, lang } = useI18n();
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  return (
    <ol className="thread" aria-label="thread">
      {messages.map((m) => {
        const tpl = m.direction === 'out' ? templateOf(m.payload) : null;
        const img = m.direction === 'out' ? imageOf(m.payload) : null;
        let body: ReactNode =
          m.text === null && m.kind === 'optin' ? (
            <span className="muted">✓ {t.optinEvent}</span>
          ) : (
            <div className="bubble">{m.text ?? `[${m.kind}]`}</div>
          );
        if (tpl?.template_type === 'one_time_notif_req')
          body = <OptInCard kind="one_time" title={tpl.title ?? ''} lang={lang} />;
        else if (tpl?.template_type === 'notification_messages')
          body = (
            <OptInCard kind="recurring" title={tpl.title ?? ''} imageUrl={tpl.image_url} ctaText={tpl.notification_messages_cta_text} lang={lang} pageName={pageName} />
          );
        else if (tpl?.template_type === 'button')
          body = (
            <div className="tpl">
              <div className="tpl__text">{tpl.text}</div>
              {(tpl.buttons ?? []).map((b) => (
                <span key={b.title} className="tpl__btn">
                  {b.title}
                </span>
              ))}
            </div>
          );
        else if (img) body = <img className="bubble-img" src={img} alt="" />;
        return (
          <li key={m.id} className={`msg msg--${m.direction}`}>
            {body}
            <span className="msg__meta">
              {m.direction === 'in' ? t.fromCustomer : m.sender} · {fmtDate(m.at, lang)}
              {m.kind === 'notification' ? ' · 🔔' : ''}
              {m.readAt ? ' · ✓✓' : m.deliveredAt ? ' · ✓' : ''}
            </span>
          </li>
        );
      })}
      <div ref={end} />
    </ol>
  );
}
