// R12h/R14d in the wizard: how the campaign's messages go on this page and, for paid messages,
// Facebook's delivery and cost estimate for the budget, before anything is sent.
import { useState } from 'react';
import { api, errorText, type RouteEstimate } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';

export function RouteEstimateView({ pageId, campaignId }: { pageId: number; campaignId: number | null }) {
  const { t, lang } = useI18n();
  const [budget, setBudget] = useState('');
  const [est, setEst] = useState<RouteEstimate>();
  const [error, setError] = useState<string>();
  const load = async () => {
    try {
      const b = budget === '' ? null : Number(budget);
      if (campaignId !== null) await api.setCampaignBudget(campaignId, b);
      setEst(await api.routeEstimate(pageId, b));
      setError(undefined);
    } catch (err) {
      setError(errorText(err, lang));
    }
  };
  return (
    <section className="card" aria-label={t.routeTitle} data-testid="route-estimate">
      <h3>{t.routeTitle}</h3>
      <div className="row">
        <label>
          {t.budget}
          <input type="number" min={0} step={1} value={budget} onChange={(e) => setBudget(e.target.value)} />
        </label>
        <button type="button" onClick={() => void load()}>
          {t.estimateCost}
        </button>
      </div>
      {error ? <p className="error">{error}</p> : null}
      {est?.route === 'recurring_token' ? <p>{t.routeRecurring}</p> : null}
      {est?.route === 'marketing_message' ? (
        <div>
          <p>{t.routePaid}</p>
          {'closed' in est ? <p className="error">{est.closed.text[lang]}</p> : null}
          {'estimateError' in est ? <p className="muted">{t.estimateUnavailable}</p> : null}
          {'estimate' in est ? (
            <dl className="dl">
              <dt>{t.estimateDelivered}</dt>
              <dd data-testid="estimate-delivered">
                {est.estimate.deliveryLower}–{est.estimate.deliveryUpper}
              </dd>
              <dt>{t.estimateCost}</dt>
              <dd data-testid="estimate-cost">
                {est.estimate.costLowerMinor}–{est.estimate.costUpperMinor} {est.currency}
              </dd>
              <dt>{t.estimateUnit}</dt>
              <dd>
                {est.unitCostUpperMinor} {est.currency}
              </dd>
            </dl>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
