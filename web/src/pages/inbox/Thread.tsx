// The agent's view of the thread: the customer's messages left, the page's right, opt-in invitations as
// the card the customer saw; who sent each page message (bot, agent, campaign) and how it went. A message
// without words is named by its kind in the agent's language, never "[kind]"; times are the page's.
import { type ReactNode, useEffect, useRef } from 'react';
import type { CtaText, Message } from '../../api.ts';
import { OptInCard } from '../../components/OptInCard.tsx';
import { type Dict, useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';

const KINDS = ['invitation', 'optin', 'notification', 'image', 'attachment', 'postback'] as const;

/** A message kind in the agent's words (list previews and wordless thread entries). */
export function kindLabel(kind: string, t: Dict): string {
  return (KINDS as readonly string[]).includes(kind) ? t[`pv_${kind as (typeof KINDS)[number]}`] : t.pv_other;
}

/** Who sent it, in the agent's words. */
function senderLabel(sender: string, t: Dict): string {
  const known = ['customer', 'agent', 'bot', 'campaign', 'page'] as const;
  return (known as readonly string[]).includes(sender)
    ? t[`sender_${sender as (typeof known)[number]}`]
    : sender;
}

type Tpl = {
  template_type?: string;
  title?: string;
  image_url?: string;
  notification_messages_cta_text?: CtaText;
  text?: string;
  buttons?: Array<{ title?: string }>;
};

function templateOf(payload: unknown): Tpl | null {
  const att = (payload as { attachment?: { type?: string; payload?: Tpl } } | null)?.attachment;
  return att?.type === 'template' ? (att.payload ?? null) : null;
}

function imageOf(payload: unknown): string | null {
  const att = (payload as { attachment?: { type?: string; payload?: { url?: string } } } | null)?.attachment;
  return att?.type === 'image' ? (att.payload?.url ?? null) : null;
}

export function Thread({
  messages,
  pageName,
  loading,
}: {
  messages: Message[];
  pageName: string;
  loading?: boolean;
}) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const end = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll to the end when a message arrives
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  return (
    <ol className="thread" aria-label="thread" aria-busy={loading}>
      {loading || messages.length === 0 ? (
        <li role="status" className="muted">
          {loading ? t.threadLoading : t.threadEmpty}
        </li>
      ) : null}
      {messages.map((m) => {
        const tpl = m.direction === 'out' ? templateOf(m.payload) : null;
        const img = m.direction === 'out' ? imageOf(m.payload) : null;
        let body: ReactNode =
          m.text === null && m.kind === 'optin' ? (
            <span className="muted">✓ {t.optinEvent}</span>
          ) : (
            <div className="bubble">
              {m.text ?? (
                <span className="pv-kind">
                  {m.kind === 'notification' && m.sender === 'campaign'
                    ? t.campaignMessageNoCopy
                    : kindLabel(m.kind, t)}
                </span>
              )}
            </div>
          );
        if (tpl?.template_type === 'one_time_notif_req')
          body = <OptInCard kind="one_time" title={tpl.title ?? ''} lang={lang} />;
        else if (tpl?.template_type === 'notification_messages')
          body = (
            <OptInCard
              kind="recurring"
              title={tpl.title ?? ''}
              imageUrl={tpl.image_url}
              ctaText={tpl.notification_messages_cta_text}
              lang={lang}
              pageName={pageName}
            />
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
              {m.direction === 'in' ? t.fromCustomer : senderLabel(m.sender, t)} · {fmt(m.at)}
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
