// Cài đặt Messenger → Cấu hình chung: the notice shown when a topic was already sent or subscribed (R4f).
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
  useEffect(() => {
    if (notice.data) {
      setVi(notice.data.vi);
      setEn(notice.data.en);
    }
  }, [notice.data]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.setNotice(page.id, { vi, en });
      setStatus(t.saved);
    } catch (err) {
      setStatus(errorText(err, lang));
    }
  };
  return (
    <section className="card" aria-labelledby="h-notice">
      <h2 id="h-notice">{t.messengerSettings}</h2>
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
          <button type="submit" className="primary">
            {t.save}
          </button>
          {status ? <span role="status">{status}</span> : null}
        </div>
      </form>
    </section>
  );
}
