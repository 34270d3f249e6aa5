// Hội thoại: the conversation list with R1 window badges, the thread, the composer (R6) and the side
// panel with the customer's Đã gửi / Chưa gửi topic lists (R4). Live by short polling.
import { useState } from 'react';
import { api, type Page, type WindowState } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { Conversation } from './Conversation.tsx';
import { WindowBadge } from './WindowBadge.tsx';

export function InboxPage({ page, customerId }: { page: Page; customerId: number | null }) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [win, setWin] = useState<WindowState | ''>('');
  const list = useLoad(
    () => api.conversations(page.id, { q: q || undefined, window: win || undefined, limit: 100 }),
    [page.id, q, win],
    3000,
  );
  const rows = list.data?.conversations ?? [];
  return (
    <div className={`inbox ${customerId ? 'inbox--open' : ''}`}>
      <aside className="inbox__list" aria-label={t.inboxTitle}>
        <h1>{t.inboxTitle}</h1>
        <div className="inbox__filters">
          <input type="search" aria-label={t.search} placeholder={t.search} value={q} onChange={(e) => setQ(e.target.value)} />
          <select aria-label={t.lastInteraction} value={win} onChange={(e) => setWin(e.target.value as WindowState | '')}>
            <option value="">—</option>
            {(['open', 'human_agent', 'closed'] as const).map((w) => (
              <option key={w} value={w}>
                {t[`win_${w}`]}
              </option>
            ))}
          </select>
        </div>
        {list.error ? <p role="alert" className="error">{list.error.message}</p> : null}
        <ul className="convs">
          {rows.map((c) => (
            <li key={c.customerId}>
              <a
                href={`/inbox/${c.customerId}`}
                aria-current={c.customerId === customerId ? 'true' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/inbox/${c.customerId}`);
                }}
              >
                <span className="convs__top">
                  <strong className={c.unread ? 'unread' : ''}>{c.name ?? c.psid}</strong>
                  <WindowBadge window={c.window} />
                </span>
                <span className="muted convs__preview">{c.lastMessage?.preview ?? '—'}</span>
                <span className="muted convs__time">
                  {c.lastInteractionAt ? new Date(c.lastInteractionAt).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' }) : ''}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </aside>
      <section className="inbox__main">
        {customerId ? (
          <Conversation key={customerId} customerId={customerId} page={page} onChanged={() => void list.reload()} />
        ) : (
          <p className="muted">{t.pickConversation}</p>
        )}
      </section>
    </div>
  );
}
