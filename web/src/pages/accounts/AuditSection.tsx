// The audit log (GET /api/audit): who did what, when, with which outcome — newest first — and the CSV
// export (the same endpoint with format=csv, downloaded with the session cookie).
import { useEffect } from 'react';
import { type AuditRow, api, type Lang } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { fmtDate, useI18n } from '../../i18n.tsx';

/** Readable names for the accounts actions; other actions are shown as "METHOD /route". */
const ACTIONS: Record<string, { vi: string; en: string }> = {
  'POST /api/users/invites': { vi: 'Mời thành viên', en: 'Invited a member' },
  'PATCH /api/users/:id': { vi: 'Đổi vai trò thành viên', en: 'Changed a member’s role' },
  'DELETE /api/users/:id': { vi: 'Xóa thành viên', en: 'Removed a member' },
  'POST /api/api-keys': { vi: 'Tạo khóa API', en: 'Created an API key' },
  'DELETE /api/api-keys/:id': { vi: 'Thu hồi khóa API', en: 'Revoked an API key' },
};

function Action({ row, lang }: { row: AuditRow; lang: Lang }) {
  const label = ACTIONS[row.action]?.[lang];
  return label ? (
    <>
      {label}
      <br />
      <code className="muted small">{row.action}</code>
    </>
  ) : (
    <code>{row.action}</code>
  );
}

export function AuditSection({ version }: { version: number }) {
  const { t, lang } = useI18n();
  const audit = useLoad(() => api.audit(200), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when a change was made elsewhere
  useEffect(() => {
    if (version > 0) void audit.reload();
  }, [version]);
  return (
    <section className="card" aria-labelledby="h-audit">
      <div className="card__head">
        <div>
          <h2 id="h-audit">{t.auditLog}</h2>
          <p className="muted small">{t.auditHint}</p>
        </div>
        <a className="button" href={api.auditCsvUrl()} download="audit.csv">
          ⬇ {t.exportCsv}
        </a>
      </div>
      {audit.error ? <p role="alert">{audit.error.message}</p> : null}
      <div className="table-wrap">
        <table className="table" aria-labelledby="h-audit">
          <thead>
            <tr>
              <th>{t.when}</th>
              <th>{t.who}</th>
              <th>{t.what}</th>
              <th>{t.target}</th>
              <th>{t.status}</th>
            </tr>
          </thead>
          <tbody>
            {(audit.data ?? []).map((r, i) => (
              <tr key={r.id ?? `${r.at}-${i}`}>
                <td className="nowrap">{fmtDate(r.at, lang)}</td>
                <td>{r.actor.replace(/^user:/, '')}</td>
                <td>
                  <Action row={r} lang={lang} />
                </td>
                <td>
                  <code className="small">{r.target ?? '—'}</code>
                </td>
                <td>
                  <span className={`badge ${r.status < 400 ? 'badge--ok' : 'badge--off'}`}>{r.status}</span>
                </td>
              </tr>
            ))}
            {audit.data?.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  {t.noEntries}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
