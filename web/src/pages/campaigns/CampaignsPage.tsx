// Chiến dịch → Tin nhắn thông báo: the campaigns of the page, the wizard, and one campaign's progress.
// A draft is edited, sent (asked with its count) or deleted from the list.
import { useState } from 'react';
import { ApiError, api, type Campaign, type Page } from '../../api.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { useLoad } from '../../hooks.ts';
import { fill, useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { useTime } from '../../time.ts';
import { CampaignDetail } from './CampaignDetail.tsx';
import { CampaignWizard } from './CampaignWizard.tsx';
import { StartDraftButton } from './StartCampaign.tsx';

export function CampaignsPage({ page, campaignId }: { page: Page; campaignId: number | null }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const [wizard, setWizard] = useState<{ draft: Campaign | null } | null>(null);
  const [error, setError] = useState<string>();
  const list = useLoad(() => api.campaigns(page.id), [page.id, campaignId], 5000);
  if (campaignId) return <CampaignDetail id={campaignId} />;
  const open = (id: number) => navigate(`/campaigns/${id}`);
  const remove = async (c: Campaign) => {
    setError(undefined);
    try {
      await api.deleteCampaign(c.id);
    } catch (e) {
      setError(e instanceof ApiError ? e.text(lang) : String(e));
    }
    await list.reload();
  };
  return (
    <div className="stack">
      <div className="card__head">
        <h1>{t.campaignsTitle}</h1>
        {!wizard ? (
          <button type="button" className="primary" onClick={() => setWizard({ draft: null })}>
            + {t.newCampaign}
          </button>
        ) : null}
      </div>
      {wizard ? (
        <CampaignWizard
          key={wizard.draft?.id ?? 'new'}
          page={page}
          draft={wizard.draft}
          onCancel={() => {
            setWizard(null);
            void list.reload();
          }}
          onStarted={open}
        />
      ) : null}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <section className="card" aria-label={t.navCampaigns}>
        {list.error ? <p className="muted">{t.campaignsUnavailable}</p> : null}
        <table className="table table--cards">
          <thead>
            <tr>
              <th>{t.campaignName}</th>
              <th>{t.status}</th>
              <th>{t.targeted}</th>
              <th>{t.fSent}</th>
              <th>{t.date}</th>
              <th>
                <span className="sr-only">{t.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((c) => (
              <tr key={c.id}>
                <td data-label={t.campaignName}>
                  <a
                    href={`/campaigns/${c.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      open(c.id);
                    }}
                  >
                    {c.name}
                  </a>
                </td>
                <td data-label={t.status}>
                  <span className={`badge cs-${c.status}`}>{t[`cs_${c.status}`]}</span>
                </td>
                <td data-label={t.targeted}>{c.targeted ?? '—'}</td>
                <td data-label={t.fSent}>{c.sent}</td>
                <td data-label={t.date} className="muted">
                  {fmt(c.startedAt ?? c.scheduledAt ?? c.createdAt)}
                </td>
                <td className="actions">
                  {c.status === 'draft' ? (
                    <>
                      <button
                        type="button"
                        aria-label={`${t.edit} ${c.name}`}
                        onClick={() => setWizard({ draft: c })}
                      >
                        {t.edit}
                      </button>
                      <StartDraftButton id={c.id} name={c.name} onStarted={open} />
                      <ConfirmButton
                        label={t.delete}
                        accessibleLabel={`${t.delete} ${c.name}`}
                        question={fill(t.confirmDeleteDraft, { name: c.name })}
                        onConfirm={() => remove(c)}
                      />
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
            {list.data?.length === 0 ? (
              <tr>
                <td colSpan={6}>{t.noCampaigns}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
    </div>
  );
}
