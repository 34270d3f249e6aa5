// /accept-invite?token=…(&email=…): the invited person picks a name and a password (or gives the password
// of their existing account), then goes to sign-in with the email prefilled when the link carried it.
import { type FormEvent, useState } from 'react';
import { ApiError, api, type Lang } from '../../api.ts';
import { type Dict, fill, useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { AuthFrame } from './AuthFrame.tsx';

function acceptError(err: unknown, t: Dict, lang: Lang): string {
  if (!(err instanceof ApiError)) return t.errNetwork;
  if (err.code === 'invite_invalid') return t.errInviteInvalid;
  if (err.code === 'wrong_password') return t.errExistingPassword;
  if (err.code === 'weak_password') return t.errPasswordWeak;
  return err.text(lang);
}

export function AcceptInvitePage() {
  const { t, lang } = useI18n();
  const params = new URLSearchParams(location.search);
  const token = params.get('token') ?? '';
  const email = params.get('email') ?? '';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password.length < 10 || password.length > 200) return setError(t.errPasswordWeak);
    if (password !== confirm) return setError(t.errPasswordMismatch);
    setError(undefined);
    setBusy(true);
    try {
      await api.acceptInvite({ token, name: name.trim() || undefined, password });
      navigate(`/sign-in?invited=1${email ? `&email=${encodeURIComponent(email)}` : ''}`);
    } catch (err) {
      setError(acceptError(err, t, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t.acceptTitle} titleId="h-accept">
      {!token ? (
        <p role="alert" className="alert alert--error">
          {t.errNoToken}
        </p>
      ) : (
        <form className="form" onSubmit={submit} aria-labelledby="h-accept">
          {email ? <p>{fill(t.acceptFor, { email })}</p> : null}
          <p className="muted small">{t.acceptHint}</p>
          <label>
            {t.yourName}
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoComplete="name"
              maxLength={100}
            />
          </label>
          <label>
            {t.newPassword}
            <input
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              aria-describedby="pw-rule"
            />
            <span id="pw-rule" className="muted small">
              {t.passwordRule}
            </span>
          </label>
          <label>
            {t.confirmPassword}
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              required
            />
          </label>
          {error ? (
            <p role="alert" className="alert alert--error">
              {error}
            </p>
          ) : null}
          <button type="submit" className="primary big" disabled={busy}>
            {t.acceptButton}
          </button>
        </form>
      )}
    </AuthFrame>
  );
}
