// Profile (every signed-in user): who you are, and "change my password" (POST /api/auth/password; the
// other sessions of the user end, this one stays).
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';

function ChangePasswordForm() {
  const { t, lang } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next.length < 10 || next.length > 200) return setStatus({ ok: false, text: t.errPasswordWeak });
    if (next !== confirm) return setStatus({ ok: false, text: t.errPasswordMismatch });
    setBusy(true);
    try {
      await api.changePassword(current, next);
      setStatus({ ok: true, text: t.passwordChanged });
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (err) {
      const text =
        err instanceof ApiError
          ? err.status === 403 && err.code === 'invalid_credentials'
            ? t.errCurrentWrong
            : err.status === 400 && err.code === 'validation_failed'
              ? t.errPasswordWeak
              : err.text(lang)
          : t.errNetwork;
      setStatus({ ok: false, text });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow" aria-labelledby="h-password">
      <h2 id="h-password">{t.changePassword}</h2>
      <form className="form" onSubmit={submit} aria-labelledby="h-password">
        <label>
          {t.currentPassword}
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </label>
        <label>
          {t.newPassword}
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
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
        {status ? (
          <p
            role={status.ok ? 'status' : 'alert'}
            className={`alert ${status.ok ? 'alert--ok' : 'alert--error'}`}
          >
            {status.text}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {t.changePassword}
        </button>
      </form>
    </section>
  );
}

export function ProfilePage() {
  const { t } = useI18n();
  const s = useSession();
  return (
    <div className="stack">
      <h1>{t.profileTitle}</h1>
      <section className="card narrow" aria-label={t.signedInAs}>
        <dl className="dl">
          <dt>{t.name}</dt>
          <dd>{s.name}</dd>
          <dt>{t.email}</dt>
          <dd>{s.email}</dd>
          <dt>{t.role}</dt>
          <dd>
            <span className={`role role--${s.role}`}>{t[`role_${s.role}`]}</span>
          </dd>
        </dl>
      </section>
      <ChangePasswordForm />
    </div>
  );
}
