// The audit log (GET /api/audit): who did what, when, with which outcome — newest first — and the CSV
// export (the same endpoint with format=csv, downloaded with the session cookie).
import { useEffect } from 'react';
import { type AuditRow, api, errorText, type Lang } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';

type Say = (name: string) => string;
const q = (name: string) => (name ? ` “${name}”` : '');

/** Each action key (src/http/audit-actions.ts) as a sentence; the target's name is filled in. */
const ACTIONS: Record<string, { vi: Say; en: Say }> = {
  'member.invite': { vi: (n) => `Mời thành viên${q(n)}`, en: (n) => `Invited a member${q(n)}` },
  'member.role_change': {
    vi: (n) => `Đổi vai trò thành viên${q(n)}`,
    en: (n) => `Changed the role of${q(n)}`,
  },
  'member.remove': { vi: (n) => `Xóa thành viên${q(n)}`, en: (n) => `Removed the member${q(n)}` },
  'api_key.create': { vi: (n) => `Tạo khóa API${q(n)}`, en: (n) => `Created the API key${q(n)}` },
  'api_key.revoke': { vi: (n) => `Thu hồi khóa API${q(n)}`, en: (n) => `Revoked the API key${q(n)}` },
  'page.edit': { vi: (n) => `Sửa cài đặt Fanpage${q(n)}`, en: (n) => `Changed the settings of page${q(n)}` },
  'page.notice_edit': {
    vi: (n) => `Sửa câu thông báo của Fanpage${q(n)}`,
    en: (n) => `Changed the notice text of page${q(n)}`,
  },
  'topic.create': { vi: (n) => `Tạo chủ đề${q(n)}`, en: (n) => `Created the topic${q(n)}` },
  'topic.edit': { vi: (n) => `Sửa chủ đề${q(n)}`, en: (n) => `Edited the topic${q(n)}` },
  'topic.deactivate': {
    vi: (n) => `Ngừng kích hoạt chủ đề${q(n)}`,
    en: (n) => `Deactivated the topic${q(n)}`,
  },
  'topic.activate': { vi: (n) => `Kích hoạt lại chủ đề${q(n)}`, en: (n) => `Activated the topic${q(n)}` },
  'topic.delete': { vi: (n) => `Xóa chủ đề${q(n)}`, en: (n) => `Deleted the topic${q(n)}` },
  'trigger.create': {
    vi: (n) => `Tạo kịch bản trợ lý chat${q(n)}`,
    en: (n) => `Created the chat assistant trigger${q(n)}`,
  },
  'trigger.edit': {
    vi: (n) => `Sửa kịch bản trợ lý chat${q(n)}`,
    en: (n) => `Edited the chat assistant trigger${q(n)}`,
  },
  'trigger.delete': {
    vi: (n) => `Xóa kịch bản trợ lý chat${q(n)}`,
    en: (n) => `Deleted the chat assistant trigger${q(n)}`,
  },
  'campaign.create': { vi: (n) => `Tạo chiến dịch${q(n)}`, en: (n) => `Created the campaign${q(n)}` },
  'campaign.update': {
    vi: (n) => `Sửa bản nháp chiến dịch${q(n)}`,
    en: (n) => `Edited the campaign draft${q(n)}`,
  },
  'campaign.delete': {
    vi: (n) => `Xóa bản nháp chiến dịch${q(n)}`,
    en: (n) => `Deleted the campaign draft${q(n)}`,
  },
  'campaign.dry_run': { vi: (n) => `Chạy thử chiến dịch${q(n)}`, en: (n) => `Dry-ran the campaign${q(n)}` },
  'campaign.start': { vi: (n) => `Bắt đầu chiến dịch${q(n)}`, en: (n) => `Started the campaign${q(n)}` },
  'campaign.pause': { vi: (n) => `Tạm dừng chiến dịch${q(n)}`, en: (n) => `Paused the campaign${q(n)}` },
  'campaign.resume': { vi: (n) => `Tiếp tục chiến dịch${q(n)}`, en: (n) => `Resumed the campaign${q(n)}` },
  'campaign.cancel': { vi: (n) => `Hủy chiến dịch${q(n)}`, en: (n) => `Cancelled the campaign${q(n)}` },
  'import.customers': {
    vi: (n) => `Nhập khách hàng vào Fanpage${q(n)}`,
    en: (n) => `Imported customers into page${q(n)}`,
  },
  'import.subscriptions': {
    vi: (n) => `Nhập đăng ký vào Fanpage${q(n)}`,
    en: (n) => `Imported subscriptions into page${q(n)}`,
  },
  'import.tokens': {
    vi: (n) => `Lấy mã đăng ký từ Meta cho Fanpage${q(n)}`,
    en: (n) => `Pulled tokens from Meta for page${q(n)}`,
  },
  'template.create': {
    vi: (n) => `Tạo mẫu tiện ích${q(n)}`,
    en: (n) => `Created the utility template${q(n)}`,
  },
  'template.clone': {
    vi: (n) => `Sao chép mẫu tiện ích từ thư viện${q(n)}`,
    en: (n) => `Cloned the utility template${q(n)}`,
  },
  'template.edit': {
    vi: (n) => `Sửa và gửi duyệt lại mẫu tiện ích${q(n)}`,
    en: (n) => `Edited and resubmitted the utility template${q(n)}`,
  },
  'order_event_mapping.edit': {
    vi: (n) => `Gán mẫu cho sự kiện đơn hàng của Fanpage${q(n)}`,
    en: (n) => `Mapped an order event to a template on page${q(n)}`,
  },
  'order_event_mapping.delete': {
    vi: (n) => `Bỏ gán mẫu cho sự kiện đơn hàng của Fanpage${q(n)}`,
    en: (n) => `Removed an order event mapping on page${q(n)}`,
  },
  'facebook.login_start': {
    vi: () => 'Bắt đầu kết nối Fanpage qua Facebook',
    en: () => 'Started connecting pages through Facebook',
  },
  'page.connect': { vi: () => 'Kết nối Fanpage', en: () => 'Connected pages' },
  'page.disconnect': {
    vi: (n) => `Ngắt kết nối Fanpage${q(n)}`,
    en: (n) => `Disconnected page${q(n)}`,
  },
  'ad_account.connect': {
    vi: () => 'Kết nối tài khoản quảng cáo',
    en: () => 'Connected the ad account',
  },
  'ad_account.disconnect': {
    vi: () => 'Ngắt kết nối tài khoản quảng cáo',
    en: () => 'Disconnected the ad account',
  },
  'campaign.budget': {
    vi: (n) => `Đặt ngân sách cho chiến dịch${q(n)}`,
    en: (n) => `Set the budget of the campaign${q(n)}`,
  },
  'marketing_tokens.sync': {
    vi: (n) => `Đồng bộ danh sách người đăng ký nhận tin marketing của Fanpage${q(n)} từ Facebook`,
    en: (n) => `Synchronised the marketing message subscribers of page${q(n)} from Facebook`,
  },
  'user.password_reset': {
    vi: (n) => `Đặt lại mật khẩu của${q(n)} trên máy chủ`,
    en: (n) => `Reset the password of${q(n)} on the server`,
  },
};

/** The action as a sentence; entries from before action keys show the route that was called. */
function Action({ row, lang }: { row: AuditRow; lang: Lang }) {
  const say = row.action_key ? ACTIONS[row.action_key]?.[lang] : undefined;
  return say ? (
    <>
      {say(row.target_name ?? '')}
      <br />
      <code className="muted small">{row.action}</code>
    </>
  ) : (
    <code>{row.action}</code>
  );
}

export function AuditSection({ version }: { version: number }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
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
      {audit.error ? <p role="alert">{errorText(audit.error, lang)}</p> : null}
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
                <td className="nowrap">{fmt(r.at)}</td>
                <td>{r.actor.replace(/^user:/, '')}</td>
                <td>
                  <Action row={r} lang={lang} />
                </td>
                <td>{r.target_name ?? <code className="small">{r.target ?? '—'}</code>}</td>
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
