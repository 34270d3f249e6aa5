// Hội thoại: the conversation list with R1 window badges, the thread, the composer (R6) and the side
// panel with the customer's Đã gửi / Chưa gửi topic lists (R4). Live by short polling of the first page;
// older conversations come page by page (keyset cursor) as the list scrolls or on "load more", so every
// conversation is reachable. Search ignores accents (the server folds both sides). Times are the page's.
import { useEffect, useRef, useState } from 'react';
import { api, type ConversationRow, errorText, type Page, type WindowState } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { fill, useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { PageTimeZone, useTime, zoneLabel } from '../../time.ts';
import { Conversation } from './Conversation.tsx';
import { kindLabel } from './Thread.tsx';
import { WindowBadge } from './WindowBadge.tsx';
import './inbox.css';

const PAGE_SIZE = 50;
const WINDOWS = ['open', 'human_agent', 'closed', 'none'] as const;

export function InboxPage({ page, customerId }: { page: Page; customerId: number | null }) {
  return (
    <PageTimeZone.Provider value={page.timeZone}>
      <Inbox page={page} customerId={customerId} />
    </PageTimeZone.Provider>
  );
}

function Inbox({ page, customerId }: { page: Page; customerId: number | null }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [win, setWin] = useState<WindowState | ''>('');
  const [label, setLabel] = useState('');
  // One request per pause in typing, not per key.
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  const filter = { q: q || undefined, window: win || undefined, label: label || undefined };
  const first = useLoad(
    () => api.conversations(page.id, { ...filter, limit: PAGE_SIZE }),
    [page.id, q, win, label],
    3000,
  );
  const labels = useLoad(() => api.labels(page.id), [page.id]);

  // Older pages, loaded on demand; reset whenever the filter changes.
  const [older, setOlder] = useState<{ rows: ConversationRow[]; next: string | null; started: boolean }>({
    rows: [],
    next: null,
    started: false,
  });
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a filter change
  useEffect(() => {
    setOlder({ rows: [], next: null, started: false });
    setMoreError(undefined);
  }, [page.id, q, win, label]);
  const next = older.started ? older.next : (first.data?.next ?? null);
  const loadMore = async () => {
    if (!next || moreBusy) return;
    setMoreBusy(true);
    setMoreError(undefined);
    try {
      const res = await api.conversations(page.id, { ...filter, limit: PAGE_SIZE, after: next });
      setOlder((o) => ({ rows: [...o.rows, ...res.conversations], next: res.next, started: true }));
    } catch (err) {
      setMoreError(err);
    } finally {
      setMoreBusy(false);
    }
  };
  // A conversation that moved up into the polled first page is shown once.
  const head = first.data?.conversations ?? [];
  const seen = new Set(head.map((c) => c.customerId));
  const rows = [...head, ...older.rows.filter((c) => !seen.has(c.customerId))];

  // Infinite scroll: the sentinel at the end of the list asks for the next page when it comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  const loadMoreRef = useRef(loadMore);
  loadMoreRef.current = loadMore;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMoreRef.current();
    });
    io.observe(el);
    return () => io.disconnect();
  }, []);

  const loadingFirst = first.loading && !first.data;
  const empty = !loadingFirst && !first.error && first.data !== undefined && rows.length === 0;
  return (
    <div className={`inbox ${customerId ? 'inbox--open' : ''}`}>
      <aside className="inbox__list" aria-label={t.inboxTitle}>
        <h1>{t.inboxTitle}</h1>
        <search className="inbox__filters">
          <label>
            {t.search}
            <input
              type="search"
              placeholder={t.inboxSearchHint}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          </label>
          <label>
            {t.inboxWindowFilter}
            <select value={win} onChange={(e) => setWin(e.target.value as WindowState | '')}>
              <option value="">{t.inboxAllWindows}</option>
              {WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {t[`win_${w}`]}
                </option>
              ))}
            </select>
          </label>
          {labels.data && labels.data.length > 0 ? (
            <label>
              {t.inboxLabelFilter}
              <select value={label} onChange={(e) => setLabel(e.target.value)}>
                <option value="">{t.inboxAllWindows}</option>
                {labels.data.map((l) => (
                  <option key={l.label} value={l.label}>
                    {l.label} ({l.customers})
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <span className="muted inbox__zone">
            {fill(t.inboxTimesIn, { zone: `${page.timeZone} (${zoneLabel(page.timeZone)})` })}
          </span>
        </search>
        {first.error ? (
          <p role="alert" className="error">
            {errorText(first.error, lang)}
          </p>
        ) : null}
        {loadingFirst ? (
          <p role="status" className="muted inbox__state">
            {t.inboxLoading}
          </p>
        ) : null}
        {empty ? (
          <p role="status" className="muted inbox__state">
            {q ? fill(t.inboxNoMatch, { q }) : win || label ? t.inboxNoMatchWindow : t.inboxEmpty}
          </p>
        ) : null}
        <ul className="convs" aria-label={t.inboxTitle} aria-busy={loadingFirst || moreBusy}>
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
                <span className="muted convs__preview">{previewText(c, t)}</span>
                <span className="muted convs__time">
                  {c.lastInteractionAt ? fmt(c.lastInteractionAt, { zone: false }) : ''}
                </span>
              </a>
            </li>
          ))}
        </ul>
        <div className="inbox__more" ref={sentinel}>
          {rows.length > 0 ? (
            <span className="muted">
              {next ? fill(t.inboxShown, { n: rows.length }) : fill(t.inboxAllShown, { n: rows.length })}
            </span>
          ) : null}
          {moreError ? (
            <p role="alert" className="error">
              {errorText(moreError, lang)}
            </p>
          ) : null}
          {next ? (
            <button type="button" onClick={() => void loadMore()} disabled={moreBusy}>
              {moreBusy ? t.inboxLoadingMore : t.inboxLoadMore}
            </button>
          ) : null}
        </div>
      </aside>
      <section className="inbox__main">
        {customerId ? (
          <Conversation
            key={customerId}
            customerId={customerId}
            page={page}
            onChanged={() => void first.reload()}
          />
        ) : (
          <p className="muted">{t.pickConversation}</p>
        )}
      </section>
    </div>
  );
}

/** The list's second line: what the customer saw, prefixed by what kind of message it was when it helps. */
function previewText(c: ConversationRow, t: ReturnType<typeof useI18n>['t']): string {
  const m = c.lastMessage;
  if (!m) return '—';
  if (m.kind === 'invitation')
    return m.preview ? `📨 ${t.pv_invitation}: ${m.preview}` : `📨 ${t.pv_invitation}`;
  if (m.kind === 'notification') return `🔔 ${m.preview || t.pv_notification}`;
  if (m.kind === 'optin') return `✓ ${t.pv_optin}`;
  return m.preview || kindLabel(m.kind, t);
}
