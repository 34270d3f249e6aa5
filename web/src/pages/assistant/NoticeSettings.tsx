// Cài đặt Messenger → Cấu hình chung: the notice shown when a topic was already sent or subscribed (R4f).
// Until the saved text arrives the form is not shown (empty boxes would invite saving blanks over it);
// Save is on only once something changed.
import { type FormEvent, useEffect, useState } from 'react';
import { api, errorText, type Page } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

export function NoticeSettings({ page }: { page: Page }) {
  const { t, lang } = useI18n();
  const notice = useLoad(() => api.notice(page.id), [page.id]);
  const [vi, setVi] = useState('');
  const [en, setEn] = useState('');
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (notice.data) {
      setVi(notice.data.vi);
      setEn(notice.data.en);
    }
  }, [notice.data]);
  const changed = notice.data !== undefined && (vi !== notice.data.vi || en !== notice.data.en);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!changed) return;
    setBusy(true);
    try {
      await api.setNotice(page.id, { vi, en });
      await notice.reload();
      setStatus(t.saved);
    } catch (err) {
      setStatus(errorText(err, lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="h-notice" aria-busy={!notice.data}>
      <h2 id="h-notice">{t.messengerSettings}</h2>
      {notice.error ? (
        <p role="alert" className="error">
          {errorText(notice.error, lang)}
        </p>
      ) : !notice.data ? (
        <p className="muted" role="status">
          {t.loading}
        </p>
      ) : (
        <form className="form" onSubmit={submit}>
          <p className="muted">{t.noticeText}</p>
          <label>
            {t.noticeVi}
            <textarea value={vi} onChange={(e) => setVi(e.target.value)} maxLength={640} rows={2} />
          </label>
          <label>
            {t.noticeEn}
            <textarea value={en} onChange={(e) => setEn(e.target.value)} maxLength={640} rows={2} />
          </label>
          <div className="row">
            <button type="submit" className="primary" disabled={!changed || busy}>
              {t.save}
            </button>
            {status ? <span role="status">{status}</span> : null}
          </div>
        </form>
      )}
    </section>
  );
}
