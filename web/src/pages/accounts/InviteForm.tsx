// Invite a member (POST /api/users/invites): the link is shown once, with a copy button. The email is
// appended to the link so the invited person's sign-in is prefilled.
import { type FormEvent, useState } from 'react';
import { api, type Invitation, type Role } from '../../api.ts';
import { CopyField } from '../../components/CopyField.tsx';
import { RoleSelect } from '../../components/RoleSelect.tsx';
import { fill, useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';
import { errText } from './errors.ts';

export function InviteForm({ onInvited }: { onInvited(): void }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [invite, setInvite] = useState<Invitation>();
  const [error, setError] = useState<string>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      setInvite(await api.inviteMember(email.trim(), role));
      setEmail('');
      onInvited();
    } catch (err) {
      setError(errText(err, lang));
    }
  };

  const link = invite ? `${location.origin}${invite.link}&email=${encodeURIComponent(invite.email)}` : '';
  return (
    <section className="subcard" aria-labelledby="h-invite">
      <h3 id="h-invite">{t.inviteTitle}</h3>
      <form className="inline-form" onSubmit={submit} aria-labelledby="h-invite">
        <label>
          {t.email}
          <input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            placeholder="ten@congty.vn"
          />
        </label>
        {/* biome-ignore lint/a11y/noLabelWithoutControl: RoleSelect renders the select inside this label */}
        <label>
          {t.role}
          <RoleSelect label={t.role} value={role} onChange={(v) => setRole(v as Role)} />
        </label>
        <button type="submit" className="primary">
          {t.invite}
        </button>
      </form>
      {error ? (
        <p role="alert" className="alert alert--error">
          {error}
        </p>
      ) : null}
      {invite ? (
        <div className="once" role="status">
          <p>{fill(t.inviteOnce, { at: fmt(invite.expires_at), email: invite.email })}</p>
          <CopyField label={t.inviteLink} value={link} />
        </div>
      ) : null}
    </section>
  );
}
