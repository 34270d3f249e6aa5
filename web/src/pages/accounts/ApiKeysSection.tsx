// API keys (GET/POST/DELETE /api/api-keys): the new key is shown once in a highlighted box; afterwards
// only its prefix is listed. Revoking is confirmed and takes effect at once.
import { type FormEvent, useState } from 'react';
import { api, errorText, type NewApiKey, type Role } from '../../api.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { CopyField } from '../../components/CopyField.tsx';
import { RoleSelect } from '../../components/RoleSelect.tsx';
import { useLoad } from '../../hooks.ts';
import { fill, useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';
import { errText } from './errors.ts';

function CreateKeyForm({ onCreated }: { onCreated(k: NewApiKey): void }) {
  const { t, lang } = useI18n();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('admin');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      onCreated(await api.createApiKey(name.trim(), role));
      setName('');
    } catch (err) {
      setError(errText(err, lang));
    }
  };
  return (
    <>
      <form className="inline-form" onSubmit={submit} aria-label={t.createKey}>
        <label>
          {t.keyName}
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
            placeholder="CI, CRM…"
          />
        </label>
        {/* biome-ignore lint/a11y/noLabelWithoutControl: RoleSelect renders the select inside this label */}
        <label>
          {t.role}
          <RoleSelect label={t.role} value={role} onChange={(v) => setRole(v as Role)} />
        </label>
        <button type="submit" className="primary">
          {t.createKey}
        </button>
      </form>
      {error ? (
        <p role="alert" className="alert alert--error">
          {error}
        </p>
      ) : null}
    </>
  );
}

export function ApiKeysSection({ onChange }: { onChange(): void }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const keys = useLoad(() => api.apiKeys(), []);
  const [fresh, setFresh] = useState<NewApiKey>();
  const [error, setError] = useState<string>();

  const changed = async () => {
    await keys.reload();
    onChange();
  };

  return (
    <section className="card" aria-labelledby="h-keys">
      <h2 id="h-keys">{t.apiKeys}</h2>
      <p className="muted small">{t.apiKeysHint}</p>
      {fresh ? (
        <section className="once once--secret" aria-label={t.newKeyTitle}>
          <strong>⚠ {t.newKeyOnce}</strong>
          <CopyField label={fill(t.newKeyValue, { name: fresh.name })} value={fresh.key} />
          <button type="button" onClick={() => setFresh(undefined)}>
            {t.keySaved}
          </button>
        </section>
      ) : null}
      {keys.error ? <p role="alert">{errorText(keys.error, lang)}</p> : null}
      <div className="table-wrap">
        <table className="table" aria-labelledby="h-keys">
          <thead>
            <tr>
              <th>{t.keyName}</th>
              <th>{t.prefix}</th>
              <th>{t.role}</th>
              <th>{t.created}</th>
              <th>{t.lastUsed}</th>
              <th>{t.status}</th>
              <th>
                <span className="sr-only">{t.revoke}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(keys.data ?? []).map((k) => (
              <tr key={k.id} className={k.revoked_at ? 'revoked' : undefined}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{t[`role_${k.role}`]}</td>
                <td>{fmt(k.created_at)}</td>
                <td>{k.last_used_at ? fmt(k.last_used_at) : t.never}</td>
                <td>
                  {k.revoked_at ? (
                    <span className="badge badge--off">
                      {t.keyRevoked} {fmt(k.revoked_at)}
                    </span>
                  ) : (
                    <span className="badge badge--ok">{t.keyActive}</span>
                  )}
                </td>
                <td>
                  {k.revoked_at ? null : (
                    <ConfirmButton
                      label={t.revoke}
                      accessibleLabel={fill(t.revokeKey, { name: k.name })}
                      question={fill(t.confirmRevoke, { name: k.name })}
                      onConfirm={async () => {
                        setError(undefined);
                        try {
                          await api.revokeApiKey(k.id);
                          if (fresh?.id === k.id) setFresh(undefined);
                        } catch (err) {
                          setError(errText(err, lang));
                        }
                        await changed();
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
            {keys.data?.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  {t.none}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {error ? (
        <p role="alert" className="alert alert--error">
          {error}
        </p>
      ) : null}
      <CreateKeyForm
        onCreated={(k) => {
          setFresh(k);
          void changed();
        }}
      />
    </section>
  );
}
