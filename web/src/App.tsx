// The console shell: navigation, language switch, the current page (Fanpage) and the routed screen.
import type { ReactNode } from 'react';
import { ApiError, api, type Page } from './api.ts';
import { useLoad } from './hooks.ts';
import { type Dict, useI18n } from './i18n.tsx';
import { AssistantPage } from './pages/assistant/AssistantPage.tsx';
import { CampaignsPage } from './pages/campaigns/CampaignsPage.tsx';
import { InboxPage } from './pages/inbox/InboxPage.tsx';
import { SettingsPage } from './pages/settings/SettingsPage.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { TopicsPage } from './pages/topics/TopicsPage.tsx';
import { navigate, usePath } from './router.ts';

const NAV: Array<{ path: string; key: keyof Dict }> = [
  { path: '/topics', key: 'navTopics' },
  { path: '/assistant', key: 'navAssistant' },
  { path: '/inbox', key: 'navInbox' },
  { path: '/campaigns', key: 'navCampaigns' },
  { path: '/settings', key: 'navSettings' },
];

function screen(path: string, page: Page): ReactNode {
  const [, first, second] = path.split('/');
  switch (first) {
    case 'assistant':
      return <AssistantPage page={page} />;
    case 'inbox':
      return <InboxPage page={page} customerId={second ? Number(second) : null} />;
    case 'campaigns':
      return <CampaignsPage page={page} campaignId={second ? Number(second) : null} />;
    case 'settings':
      return <SettingsPage page={page} />;
    default:
      return <TopicsPage page={page} />;
  }
}

export function App() {
  const { t, lang, setLang } = useI18n();
  const path = usePath();
  const pages = useLoad(() => api.pages(), []);
  const page = pages.data?.[0];
  const signedOut = pages.error instanceof ApiError && pages.error.status === 401;
  const current = NAV.find((n) => path.startsWith(n.path))?.path ?? '/topics';
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">{t.appName}</span>
        {page ? <span className="page-name">{page.name}</span> : null}
        <nav aria-label="main" className="nav">
          {NAV.map((n) => (
            <a
              key={n.path}
              href={n.path}
              aria-current={current === n.path ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(n.path);
              }}
            >
              {t[n.key]}
            </a>
          ))}
        </nav>
        <label className="lang">
          <span className="sr-only">{t.language}</span>
          <select aria-label={t.language} value={lang} onChange={(e) => setLang(e.target.value as 'vi' | 'en')}>
            <option value="vi">Tiếng Việt</option>
            <option value="en">English</option>
          </select>
        </label>
        {page ? (
          <button type="button" className="link" onClick={() => void api.signOut().finally(() => location.reload())}>
            {t.signOut}
          </button>
        ) : null}
      </header>
      <main className="main">
        {signedOut ? <SignIn onSignedIn={() => void pages.reload()} /> : null}
        {pages.error && !signedOut ? <p role="alert">{pages.error.message}</p> : null}
        {page ? screen(path, page) : signedOut ? null : <p>{t.loading}</p>}
      </main>
    </div>
  );
}
