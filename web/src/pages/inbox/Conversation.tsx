// One conversation: header with the R1 window, the thread, the composer (R6) and the topic side panel (R4).
import { api, errorText, type Page } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { useTime } from '../../time.ts';
import { Composer } from './Composer.tsx';
import { Thread } from './Thread.tsx';
import { TopicPanel } from './TopicPanel.tsx';
import { UtilitySender } from './UtilitySender.tsx';
import { WindowBadge } from './WindowBadge.tsx';

export function Conversation({
  customerId,
  page,
  onChanged,
}: {
  customerId: number;
  page: Page;
  onChanged(): void;
}) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const detail = useLoad(() => api.customer(customerId), [customerId], 2000);
  const messages = useLoad(() => api.messages(customerId), [customerId], 2000);
  const refresh = async () => {
    await Promise.all([detail.reload(), messages.reload()]);
    onChanged();
  };
  const d = detail.data;
  if (!d)
    return (
      <p role={detail.error ? 'alert' : 'status'}>
        {detail.error ? errorText(detail.error, lang) : t.loading}
      </p>
    );
  return (
    <div className="conv">
      <header className="conv__head">
        <button type="button" className="back" onClick={() => navigate('/inbox')} aria-label={t.inboxTitle}>
          ←
        </button>
        <h2>{d.customer.name ?? d.customer.psid}</h2>
        <WindowBadge window={d.window} />
        <span className="muted">
          {t.lastInteraction}: {fmt(d.customer.lastInteractionAt)}
        </span>
      </header>
      <div className="conv__body">
        <div className="conv__thread">
          <Thread
            messages={messages.data ?? []}
            pageName={page.name}
            loading={!messages.data && !messages.error}
          />
          {messages.error ? (
            <p role="alert" className="error">
              {errorText(messages.error, lang)}
            </p>
          ) : null}
          <Composer customerId={customerId} composer={d.composer} onSent={refresh} />
          <UtilitySender
            pageId={page.id}
            customerId={customerId}
            insideWindow={d.composer.mode === 'normal'}
            onSent={refresh}
          />
        </div>
        <TopicPanel customerId={customerId} detail={d} onSent={refresh} />
      </div>
    </div>
  );
}
