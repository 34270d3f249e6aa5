// The sign-in screen (POST /api/auth/sign-in sets the HttpOnly session cookie). Errors in the UI's
// language: wrong credentials (401), blocked after repeated failures (429 + Retry-After, shown as a time).
import { type FormEvent, useState } from 'react';
import { ApiError, api, type Lang, type SignedInUser } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { type Dict, fill, useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { AuthFrame } from './AuthFrame.tsx';

export function signInError(err: unknown, t: Dict, lang: Lang, now = Date.now()): string {
  if (!(err instanceof ApiError)) return t.errNetwork;
  if (err.code === 'invalid_credentials') return t.errWrongCredentials;
  if (err.code === 'sign_in_blocked') {
    const s = err.details.retryAfterS ?? 15 * 60;
    const at = new Date(now + s * 1000).toLocaleTimeString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
      hour: '2-digit',
      minute: '2-digit',
    });
    return fill(t.errBlocked, { minutes: Math.max(1, Math.ceil(s / 60)), time: at });
  }
  if (err.status === 429) return t.errRateLimited;
  return err.text(lang);
}

export function SignInPage({ onSignedIn }: { onSignedIn(user: SignedInUser): void }) {
  const { t, lang } = useI18n();
  const params = new URLSearchParams(location.search);
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  // The failure itself is kept (not its text), so switching the language re-words the message.
  const [failure, setFailure] = useState<{ err: unknown; at: number }>();
  const error = failure ? signInError(failure.err, t, lang, failure.at) : undefined;
  const invited = params.get('invited') === '1';
  // Shown only where the operator opened sign-up (SIGNUP=open).
  const signUpOpen = useLoad(() => api.signUpOpen(), []).data === true;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    setBusy(true);
    try {
      onSignedIn(await api.signIn(email.trim(), password));
    } catch (err) {
      setFailure({ err, at: Date.now() });
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t.signInTitle} titleId="h-signin">
      {invited ? (
        <p className="ok" role="status">
          {t.invitedReady}
        </p>
      ) : null}
      <form className="form" onSubmit={submit} aria-labelledby="h-signin">
        <label>
          {t.email}
          <input
            type="email"
            name="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            // biome-ignore lint/a11y/noAutofocus: signing in is the screen's one task; focus its first empty field
            autoFocus={!email}
          />
        </label>
        <label>
          {t.password}
          <input
            type={show ? 'text' : 'password'}
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            // biome-ignore lint/a11y/noAutofocus: the email is known (an accepted invitation): focus the password
            autoFocus={!!email}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'signin-error' : undefined}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} />
          {t.showPassword}
        </label>
        {error ? (
          <p role="alert" id="signin-error" className="alert alert--error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary big" disabled={busy}>
          {busy ? t.signingIn : t.signIn}
        </button>
      </form>
      <p className="muted small">{t.signInHint}</p>
      {signUpOpen ? (
        <p>
          <a
            href="/sign-up"
            onClick={(e) => {
              e.preventDefault();
              navigate('/sign-up');
            }}
          >
            {t.signUpLink}
          </a>
        </p>
      ) : null}
    </AuthFrame>
  );
}
