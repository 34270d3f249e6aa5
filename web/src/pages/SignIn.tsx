// A minimal sign-in (accounts: POST /api/auth/sign-in sets the session cookie); shown when the API says 401.
import { type FormEvent, useState } from 'react';
import { api, ApiError } from '../api.ts';
import { useI18n } from '../i18n.tsx';

export function SignIn({ onSignedIn }: { onSignedIn(): void }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.signIn(email, password);
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <section className="card signin" aria-labelledby="h-signin">
      <h1 id="h-signin">{t.signIn}</h1>
      <form className="form" onSubmit={submit}>
        <label>
          {t.email}
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          {t.password}
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary">
          {t.signIn}
        </button>
      </form>
    </section>
  );
}
