// Chiến dịch → Tin nhắn thông báo: the campaigns of the page, the wizard, and one campaign's progress.
import { useState } from 'react';
import { api, type Page } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { fmtDate, useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { CampaignDetail } from './CampaignDetail.tsx';
import { CampaignWizard } from './CampaignWizard.tsx';

export function CampaignsPage({ page, campaignId }: { page: Page; campaignId: number | null }) {
  const { t, lang } = useI18n();
  const [wizard, setWizard] = useState(false);
  const list = useLoad(() => api.campaigns(page.id), [page.id, campaignId], 5000);
  if (campaignId) return <CampaignDetail id={campaignId} />;
  return (
    <div className="stack">
      <div className="card__head">
        <h1>{t.campaignsTitle}</h1>
        {!wizard ? (
          <button type="button" className="primary" onClick={() => setWizard(true)}>
            + {t.newCampaign}
          </button>
        ) : null}
      </div>
      {wizard ? (
        <CampaignWizard page={page} onCancel={() => setWizard(false)} onStarted={(id) => navigate(`/campaigns/${id}`)} />
      ) : null}
      <section className="card" aria-label={t.navCampaigns}>
        {list.error ? <p className="muted">{t.campaignsUnavailable}</p> : null}
        <table className="table">
          <thead>
            <tr>
              <th>{t.campaignName}</th>
              <th>{t.status}</th>
              <th>{t.targeted}</th>
              <th>{t.fSent}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`/campaigns/${c.id}`} onClick={(e) => { e.preventDefault(); navigate(`/campaigns/${c.id}`); }}>
                    {c.name}
                  </a>
                </td>
                <td>
                  <span className={`badge cs-${c.status}`}>{t[`cs_${c.status}`]}</span>
                </td>
                <td>{c.targeted ?? '—'}</td>
                <td>{c.sent}</td>
                <td className="muted">{fmtDate(c.startedAt ?? c.scheduledAt ?? c.createdAt, lang)}</td>
              </tr>
            ))}
            {list.data?.length === 0 ? (
              <tr>
                <td colSpan={5}>{t.noCampaigns}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
    </div>
  );
}
