// The frame of the public screens (sign-in, accept invitation): the brand, the language menu, one card.
import type { ReactNode } from 'react';
import { LangSwitch } from '../../components/LangSwitch.tsx';
import { useI18n } from '../../i18n.tsx';

export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true">
      <rect width="32" height="32" rx="9" fill="#0866ff" />
      <path
        d="M16 7.5a6 6 0 0 0-6 6v4.2l-1.6 2.6c-.3.5.1 1.2.7 1.2h13.8c.6 0 1-.7.7-1.2L22 17.7v-4.2a6 6 0 0 0-6-6Z"
        fill="#fff"
      />
      <path d="M13.5 23.5a2.5 2.5 0 0 0 5 0" fill="#fff" />
    </svg>
  );
}

export function AuthFrame({
  title,
  titleId,
  children,
}: {
  title: string;
  titleId: string;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="auth">
      <div className="auth__top">
        <LangSwitch />
      </div>
      <main className="auth__main">
        <div className="auth__brand">
          <Logo />
          <span className="auth__name">{t.appName}</span>
        </div>
        <p className="auth__tagline muted">{t.tagline}</p>
        <section className="card auth__card" aria-labelledby={titleId}>
          <h1 id={titleId}>{title}</h1>
          {children}
        </section>
      </main>
    </div>
  );
}
