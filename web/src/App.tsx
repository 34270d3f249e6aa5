// The console: public screens (sign-in, accept invitation), then — signed in — the shell: navigation
// limited to what the role may use, the user's corner, and the routed screen (or "not allowed").
import { Fragment, type ReactNode, useEffect, useState } from 'react';
import { ApiError, api, errorText, PAGES_CHANGED, type Page, type Role, roleAtLeast } from './api.ts';
import { Forbidden } from './components/Forbidden.tsx';
import { LangSwitch } from './components/LangSwitch.tsx';
import { UserMenu } from './components/UserMenu.tsx';
import { useLoad } from './hooks.ts';
import { type Dict, useI18n } from './i18n.tsx';
import { AccountsPage } from './pages/accounts/AccountsPage.tsx';
import { AssistantPage } from './pages/assistant/AssistantPage.tsx';
import { AcceptInvitePage } from './pages/auth/AcceptInvitePage.tsx';
import { Logo } from './pages/auth/AuthFrame.tsx';
import { SignInPage } from './pages/auth/SignInPage.tsx';
import { SignUpPage } from './pages/auth/SignUpPage.tsx';
import { CampaignsPage } from './pages/campaigns/CampaignsPage.tsx';
import { ConnectPage } from './pages/connect/ConnectPage.tsx';
import { HomePage } from './pages/home/HomePage.tsx';
import { InboxPage } from './pages/inbox/InboxPage.tsx';
import { ProfilePage } from './pages/profile/ProfilePage.tsx';
import { SettingsPage } from './pages/settings/SettingsPage.tsx';
import { TemplatesPage } from './pages/templates/TemplatesPage.tsx';
import { TopicsPage } from './pages/topics/TopicsPage.tsx';
import { navigate, usePath } from './router.ts';
import { rememberUser, type Session, SessionProvider, sessionFrom, useSession } from './session.tsx';
import { DEFAULT_TIME_ZONE, PageTimeZone } from './time.ts';

/** Top-level screens and the least role each needs (the API's own rule for what they call). */
const SCREENS: Array<{ path: string; key: keyof Dict; min: Role; nav: boolean }> = [
  { path: '/home', key: 'navHome', min: 'admin', nav: true },
  { path: '/topics', key: 'navTopics', min: 'admin', nav: true },
  { path: '/assistant', key: 'navAssistant', min: 'admin', nav: true },
  { path: '/inbox', key: 'navInbox', min: 'agent', nav: true },
  { path: '/campaigns', key: 'navCampaigns', min: 'admin', nav: true },
  { path: '/templates', key: 'navTemplates', min: 'admin', nav: true },
  { path: '/settings', key: 'navSettings', min: 'admin', nav: true },
  { path: '/pages/connect', key: 'navConnect', min: 'admin', nav: true },
  { path: '/accounts', key: 'navAccounts', min: 'owner', nav: true },
  { path: '/profile', key: 'profileTitle', min: 'agent', nav: false },
];

// The shop lands on Tổng quan; an agent (no statistics, no campaigns) on the inbox.
const homeOf = (role: Role) => (roleAtLeast(role, 'admin') ? '/home' : '/inbox');

function screen(path: string, page: Page | undefined): ReactNode {
  const [, first, second] = path.split('/');
  if (first === 'accounts') return <AccountsPage />;
  if (first === 'profile') return <ProfilePage />;
  if (first === 'pages') return <ConnectPage />;
  if (!page) return null;
  switch (first) {
    case 'home':
      return <HomePage page={page} />;
    case 'assistant':
      return <AssistantPage page={page} />;
    case 'inbox':
      return <InboxPage page={page} customerId={second ? Number(second) : null} />;
    case 'campaigns':
      return <CampaignsPage page={page} campaignId={second ? Number(second) : null} />;
    case 'settings':
      return <SettingsPage page={page} />;
    case 'templates':
      return <TemplatesPage page={page} />;
    default:
      return <TopicsPage page={page} />;
  }
}

const PAGE_KEY = 'renotify.pageId';

/** A shop with no page yet: what to do, instead of an empty or broken screen (issue 12.2). */
function NoPage({ role }: { role: Role }) {
  const { t, lang } = useI18n();
  const [error, setError] = useState<string>();
  // The same start as the connect screen's button: straight to Facebook's Login dialog.
  const connect = async () => {
    setError(undefined);
    try {
      window.location.assign(await api.startConnect());
    } catch (err) {
      setError(errorText(err, lang));
    }
  };
  return (
    <section className="card" aria-labelledby="h-no-page">
      <h1 id="h-no-page">{t.noPageTitle}</h1>
      <p>{t.noPageHint}</p>
      {roleAtLeast(role, 'admin') ? (
        <p>
          <button type="button" onClick={() => void connect()}>
            {t.connectButton}
          </button>
        </p>
      ) : (
        <p className="muted">{t.noPageOwnerOnly}</p>
      )}
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}

function Shell({ path }: { path: string }) {
  const { t, lang } = useI18n();
  const { role } = useSession();
  const pages = useLoad(() => api.pages(), []);
  // Connecting or disconnecting a page (the connect screen) changes the picker and the screens.
  const reloadPages = pages.reload;
  useEffect(() => {
    const onChange = () => void reloadPages();
    window.addEventListener(PAGES_CHANGED, onChange);
    return () => window.removeEventListener(PAGES_CHANGED, onChange);
  }, [reloadPages]);
  // Several pages per workspace: the chosen one is remembered in this browser; the first by default.
  const [chosen, setChosen] = useState(() => Number(localStorage.getItem(PAGE_KEY)) || null);
  const page = pages.data?.find((p) => p.id === chosen) ?? pages.data?.[0];
  const choose = (id: number) => {
    localStorage.setItem(PAGE_KEY, String(id));
    setChosen(id);
  };
  const route = path === '/' ? homeOf(role) : path;
  const target = SCREENS.find((s) => route.startsWith(s.path)) ?? SCREENS[0]!;
  const allowed = roleAtLeast(role, target.min);
  // Connecting pages is how a shop with none gets one: that screen must not wait for a page.
  const needsPage = !['/accounts', '/profile', '/pages/connect'].includes(target.path);
  // Under 760 px the navigation folds behind a menu button (styles.css); choosing a screen folds it.
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">
          <Logo />
          {t.appName}
        </span>
        {pages.data && pages.data.length > 1 && page ? (
          <label className="page-picker">
            <select
              aria-label={t.pagePicker}
              value={page.id}
              onChange={(e) => choose(Number(e.target.value))}
            >
              {pages.data.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        ) : page ? (
          <span className="page-name">{page.name}</span>
        ) : null}
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span> {t.menu}
        </button>
        <nav aria-label="main" id="main-nav" className={menuOpen ? 'nav nav--open' : 'nav'}>
          {SCREENS.filter((s) => s.nav && roleAtLeast(role, s.min)).map((n) => (
            <a
              key={n.path}
              href={n.path}
              aria-current={target.path === n.path ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                setMenuOpen(false);
                navigate(n.path);
              }}
            >
              {t[n.key]}
            </a>
          ))}
        </nav>
        <LangSwitch />
        <UserMenu />
      </header>
      <main className="main">
        {!allowed ? (
          <Forbidden needed={target.min} role={role} />
        ) : pages.error instanceof ApiError && pages.error.status === 403 ? (
          <Forbidden needed={target.min} role={role} />
        ) : needsPage && pages.error ? (
          <p role="alert">{errorText(pages.error, lang)}</p>
        ) : needsPage && !pages.data ? (
          <p>{t.loading}</p>
        ) : needsPage && !page ? (
          <NoPage role={role} />
        ) : (
          // Every time on every screen is the page's (issue 10.14), not the browser's. Keyed by the
          // page: switching pages starts each screen afresh on the other page's data (a screen that
          // needs no page keeps its state when the first one is connected).
          <PageTimeZone.Provider value={page?.timeZone ?? DEFAULT_TIME_ZONE}>
            <Fragment key={needsPage ? (page?.id ?? 0) : target.path}>{screen(route, page)}</Fragment>
          </PageTimeZone.Provider>
        )}
      </main>
    </div>
  );
}

export function App() {
  const path = usePath();
  if (path === '/accept-invite') return <AcceptInvitePage />;
  return <Gate path={path} />;
}

function Gate({ path }: { path: string }) {
  const { t, lang } = useI18n();
  const me = useLoad(() => api.me(), []);
  const signedOut = me.error instanceof ApiError && me.error.status === 401;
  if (signedOut && path === '/sign-up') {
    return (
      <SignUpPage
        onSignedIn={(user) => {
          rememberUser(user);
          navigate('/');
          void me.reload();
        }}
      />
    );
  }
  if (signedOut) {
    return (
      <SignInPage
        onSignedIn={(user) => {
          rememberUser(user);
          if (path === '/sign-in') navigate('/');
          void me.reload();
        }}
      />
    );
  }
  if (me.error) return <p role="alert">{errorText(me.error, lang)}</p>;
  if (!me.data) return <p className="main">{t.loading}</p>;
  if (path === '/sign-in' || path === '/sign-up') {
    queueMicrotask(() => navigate('/'));
    return null;
  }
  const session: Session = sessionFrom(me.data, () => {
    void api.signOut().finally(() => location.assign('/sign-in'));
  });
  return (
    <SessionProvider value={session}>
      <Shell path={path} />
    </SessionProvider>
  );
}
