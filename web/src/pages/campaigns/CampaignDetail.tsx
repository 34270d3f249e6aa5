// One campaign live (R9e): progress, pause / resume / cancel; results (R10a) as a funnel
// sent → delivered → read → clicked, stops after, and failures / skips by reason.
import { useState } from 'react';
import { api, errorText } from '../../api.ts';
import { BarChart, FunnelChart } from '../../components/Charts.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { useLoad } from '../../hooks.ts';
import { fill, useI18n } from '../../i18n.tsx';
import { reasonLabel } from '../../reasons.ts';
import { navigate } from '../../router.ts';
import { useTime } from '../../time.ts';
import { pct } from '../topics/TopicsPage.tsx';
import { PaidStatsView } from './PaidStatsView.tsx';
import { StartDraftButton } from './StartCampaign.tsx';

export function CampaignDetail({ id }: { id: number }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const c = useLoad(() => api.campaign(id), [id], 1500);
  const s = useLoad(() => api.campaignStats(id), [id], 1500);
  const [error, setError] = useState<string>();
  const [asking, setAsking] = useState(false);
  const act = async (verb: 'pause' | 'resume' | 'cancel') => {
    setError(undefined);
    try {
      await api.campaignAction(id, verb);
      await Promise.all([c.reload(), s.reload()]);
    } catch (e) {
      setError(errorText(e, lang));
    }
  };
  const camp = c.data;
  const st = s.data;
  if (!camp) return <p>{c.error ? errorText(c.error, lang) : t.loading}</p>;
  const counts = camp.progress?.counts;
  const done = counts ? counts.sent + counts.failed + counts.skipped : camp.sent + camp.failed + camp.skipped;
  const total = camp.targeted ?? 0;
  const reasons = st
    ? [
        ...Object.entries(st.failed.byReason).map(([k, v]) => ({
          label: `${t.failed}: ${reasonLabel(k, lang)}`,
          value: v,
        })),
        ...Object.entries(st.skipped.byReason).map(([k, v]) => ({
          label: `${t.skipped}: ${reasonLabel(k, lang)}`,
          value: v,
        })),
      ]
    : [];
  return (
    <div className="stack">
      <div className="card__head">
        <h1>
          <button type="button" className="link" onClick={() => navigate('/campaigns')} aria-label={t.back}>
            ←
          </button>{' '}
          {camp.name}
        </h1>
        <span className={`badge cs-${camp.status}`} data-testid="campaign-status">
          {t[`cs_${camp.status}`]}
        </span>
      </div>
      <section className="card" aria-label={t.progress}>
        <h2>{t.progress}</h2>
        <progress className="progress" max={Math.max(1, total)} value={done} aria-label={t.progress} />
        <p>
          <strong data-testid="campaign-done">{done}</strong> / {total}
          {camp.scheduledAt && camp.status === 'scheduled'
            ? ` · ${t.scheduleAt}: ${fmt(camp.scheduledAt)}`
            : ''}
          {camp.pauseReason ? ` · ${camp.pauseReason}` : ''}
        </p>
        <div className="kpis">
          <Kpi label={t.targeted} value={total} />
          <Kpi label={t.fSent} value={counts?.sent ?? camp.sent} />
          <Kpi label={t.failed} value={counts?.failed ?? camp.failed} />
          <Kpi label={t.skipped} value={counts?.skipped ?? camp.skipped} />
          <Kpi label={t.inFlight} value={st?.inFlight ?? 0} />
        </div>
        <div className="row">
          {camp.status === 'running' || camp.status === 'scheduled' ? (
            <button type="button" onClick={() => void act('pause')}>
              ⏸ {t.pause}
            </button>
          ) : null}
          {camp.status === 'paused' ? (
            <button type="button" onClick={() => void act('resume')}>
              ▶ {t.resume}
            </button>
          ) : null}
          {camp.status === 'draft' ? (
            <StartDraftButton id={camp.id} name={camp.name} onStarted={() => void c.reload()} />
          ) : null}
          {['running', 'scheduled', 'paused', 'draft'].includes(camp.status) ? (
            <button type="button" className="danger" onClick={() => setAsking(true)}>
              ✕ {t.cancelCampaign}
            </button>
          ) : null}
          {asking ? (
            <ConfirmDialog
              title={fill(t.confirmCancelCampaign, { name: camp.name })}
              confirmLabel={t.cancelCampaign}
              danger
              onCancel={() => setAsking(false)}
              onConfirm={async () => {
                await act('cancel');
                setAsking(false);
              }}
            >
              <p>
                {camp.targeted === null
                  ? t.confirmCancelDraft
                  : fill(t.confirmCancelBody, { n: Math.max(0, total - done) })}
              </p>
              <p className="muted">{t.confirmNoUndo}</p>
            </ConfirmDialog>
          ) : null}
          {error ? (
            <span role="alert" className="error">
              {error}
            </span>
          ) : null}
        </div>
      </section>
      {st ? (
        <section className="card split" aria-label={t.results}>
          <div>
            <FunnelChart
              title={t.funnel}
              stages={[
                { label: t.fSent, value: st.sent },
                { label: t.fDelivered, value: st.delivered },
                { label: t.fRead, value: st.read },
                { label: t.fClicked, value: st.clicked },
              ]}
            />
            <p className="muted">
              {t.fDelivered} {pct(st.rates.delivered)} · {t.fRead} {pct(st.rates.read)} · {t.fClicked}{' '}
              {pct(st.rates.clicked)} · {t.stoppedAfter}: {st.stoppedAfter}
            </p>
          </div>
          <BarChart title={t.failuresByReason} data={reasons} color="#b42318" />
        </section>
      ) : null}
      <PaidStatsView by={{ campaignId: id }} />
    </div>
  );
}

function Kpi({ label, value }: { label: string; value: number }) {
  return (
    <div className="kpi">
      <span className="muted">{label}</span>
      <strong>{value}</strong>
    </div>
  );
}
