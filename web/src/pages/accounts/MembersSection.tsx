// Members of the workspace (GET /api/users): role change (PATCH) and removal (DELETE, confirmed); the API
// keeps at least one owner and says so.
import { useState } from 'react';
import { api, errorText, type Member, type Role } from '../../api.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { RoleSelect } from '../../components/RoleSelect.tsx';
import { useLoad } from '../../hooks.ts';
import { fill, useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { useTime } from '../../time.ts';
import { errText } from './errors.ts';
import { InviteForm } from './InviteForm.tsx';

export function MembersSection({ onChange }: { onChange(): void }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const me = useSession();
  const members = useLoad(() => api.members(), []);
  const [status, setStatus] = useState<{ ok: boolean; text: string }>();
  // A role change widens or narrows what someone may do: asked first, in the one confirmation dialog.
  const [roleChange, setRoleChange] = useState<{ m: Member; role: Role } | null>(null);

  const act = async (m: Member, action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      setStatus({ ok: true, text: fill(done, { email: m.email }) });
    } catch (err) {
      setStatus({ ok: false, text: errText(err, lang) });
    }
    await members.reload();
    onChange();
  };

  return (
    <section className="card" aria-labelledby="h-members">
      <h2 id="h-members">{t.members}</h2>
      {members.error ? <p role="alert">{errorText(members.error, lang)}</p> : null}
      <div className="table-wrap">
        <table className="table" aria-labelledby="h-members">
          <thead>
            <tr>
              <th>{t.name}</th>
              <th>{t.email}</th>
              <th>{t.role}</th>
              <th>{t.joined}</th>
              <th>
                <span className="sr-only">{t.delete}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(members.data ?? []).map((m) => {
              const self = m.id === me.userId;
              return (
                <tr key={m.id}>
                  <td>
                    {m.name} {self ? <span className="muted">{t.you}</span> : null}
                  </td>
                  <td>{m.email}</td>
                  <td>
                    <RoleSelect
                      label={fill(t.roleOf, { email: m.email })}
                      value={m.role}
                      onChange={(v) => setRoleChange({ m, role: v as Role })}
                    />
                  </td>
                  <td>{fmt(m.created_at)}</td>
                  <td>
                    {self ? null : (
                      <ConfirmButton
                        label={t.delete}
                        accessibleLabel={`${t.removeMember}: ${m.email}`}
                        question={fill(t.confirmRemove, { email: m.email })}
                        onConfirm={() => act(m, () => api.removeMember(m.id), t.memberRemoved)}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {status ? (
        <p
          role={status.ok ? 'status' : 'alert'}
          className={`alert ${status.ok ? 'alert--ok' : 'alert--error'}`}
        >
          {status.text}
        </p>
      ) : null}
      {roleChange ? (
        <ConfirmDialog
          title={fill(t.confirmRoleChange, {
            email: roleChange.m.email,
            from: t[`role_${roleChange.m.role}`],
            to: t[`role_${roleChange.role}`],
          })}
          onCancel={() => setRoleChange(null)}
          onConfirm={async () => {
            const { m, role } = roleChange;
            setRoleChange(null);
            await act(m, () => api.setMemberRole(m.id, role), t.roleChanged);
          }}
        />
      ) : null}
      <InviteForm onInvited={onChange} />
    </section>
  );
}
