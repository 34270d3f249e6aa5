// /sign-up (issue 12.2): a shop creates its workspace and owner account when the operator opened
// sign-up (SIGNUP=open); the new shop is signed in and asked to connect a page. Closed, the server's
// refusal (signup_closed) is shown in the console's language.
import { type FormEvent, useState } from 'react';
import { api, errorText, type SignedInUser } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { AuthFrame } from './AuthFrame.tsx';

export function SignUpPage({ onSignedIn }: { onSignedIn(user: SignedInUser): void }) {
  const { t, lang } = useI18n();
  const [form, setForm] = useState({ shopName: '', ownerName: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    setBusy(true);
    try {
      onSignedIn(
        await api.signUp({
          shopName: form.shopName.trim(),
          ownerName: form.ownerName.trim(),
          email: form.email.trim(),
          password: form.password,
        }),
      );
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t.signUpTitle} titleId="h-signup">
      <form className="form" onSubmit={submit} aria-labelledby="h-signup">
        <label>
          {t.shopName}
          <input name="shopName" value={form.shopName} onChange={set('shopName')} maxLength={100} required />
        </label>
        <label>
          {t.ownerName}
          <input
            name="ownerName"
            autoComplete="name"
            value={form.ownerName}
            onChange={set('ownerName')}
            maxLength={100}
            required
          />
        </label>
        <label>
          {t.email}
          <input
            type="email"
            name="email"
            autoComplete="username"
            value={form.email}
            onChange={set('email')}
            required
          />
        </label>
        <label>
          {t.password}
          <input
            type="password"
            name="password"
            autoComplete="new-password"
            minLength={10}
            maxLength={200}
            value={form.password}
            onChange={set('password')}
            required
            aria-describedby="signup-password-rule"
          />
        </label>
        <p id="signup-password-rule" className="muted small">
          {t.passwordRule}
        </p>
        {failure ? (
          <p role="alert" className="alert alert--error">
            {errorText(failure, lang)}
          </p>
        ) : null}
        <button type="submit" className="primary big" disabled={busy}>
          {busy ? t.signingUp : t.signUpSubmit}
        </button>
      </form>
      <p className="muted small">
        <a
          href="/sign-in"
          onClick={(e) => {
            e.preventDefault();
            navigate('/sign-in');
          }}
        >
          {t.signUpHaveAccount}
        </a>
      </p>
    </AuthFrame>
  );
}
