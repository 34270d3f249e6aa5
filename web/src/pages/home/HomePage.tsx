// Tổng quan: the shop's landing page after sign-in — today's numbers (conversations waiting for a reply,
// subscribers by topic), the latest campaigns with their funnels, and anything that needs attention.
// One request (GET /api/pages/:id/overview); numbers are labelled from the domain's definitions.
import type { Attention, Overview, Page } from '../../api.ts';
import { api, errorText } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { type Dict, fill, useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';
import { useTime } from '../../time.ts';
import { statLabel } from '../topics/stats-labels.tsx';
import { pct } from '../topics/TopicsPage.tsx';

function Link({ to, children }: { to: string; children: React.ReactNode }) {
  return (
    <a
      href={to}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

function attentionText(a: Attention, t: Dict): { text: string; to: string } {
  switch (a.code) {
    case 'page_restricted':
      return { text: fill(t.attRestricted, { detail: a.detail }), to: '/settings' };
    case 'page_not_connected':
      return { text: t.attNotConnected, to: '/settings' };
    case 'optin_feature_disabled':
      return { text: t.attOptInOff, to: '/settings' };
    case 'otn_closed':
      return { text: fill(t.attOtnClosed, { detail: a.detail ?? '—' }), to: '/topics' };
    case 'campaign_paused':
      return {
        text: fill(t.attCampaignPaused, { name: a.name, reason: a.reason ?? '—' }),
        to: `/campaigns/${a.campaignId}`,
      };
    case 'topic_suspended':
      return { text: fill(t.attTopicSuspended, { name: a.name, n: a.subscribers }), to: '/topics' };
    case 'template_rejected':
      return {
        text: fill(t.attTemplateRejected, { name: a.name, reason: a.reason ?? '—' }),
        to: '/templates',
      };
  }
}

export function HomePage({ page }: { page: Page }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const o = useLoad(() => api.overview(page.id), [page.id], 15_000);
  const d: Overview | undefined = o.data;
  if (!d) return <p role={o.error ? 'alert' : 'status'}>{o.error ? errorText(o.error, lang) : t.loading}</p>;
  const lbl = (k: Parameters<typeof statLabel>[0]) => statLabel(k, lang);
  return (
    <div className="stack">
      <h1>{t.navHome}</h1>
      {d.attention.length ? (
        <section className="card attention" aria-labelledby="h-attention">
          <h2 id="h-attention">⚠ {t.needsAttention}</h2>
          <ul className="list">
            {d.attention.map((a) => {
              const x = attentionText(a, t);
              return (
                <li
                  key={`${a.code}-${'campaignId' in a ? a.campaignId : 'topicId' in a ? a.topicId : 'templateId' in a ? a.templateId : ''}`}
                  className="list__item"
                >
                  <span>{x.text}</span>
                  <Link to={x.to}>{t.open}</Link>
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
      <section className="kpis" aria-label={t.today}>
        <div className="kpi" title={lbl('waitingForReply').hint}>
          <span className="muted">{lbl('waitingForReply').label}</span>
          <strong data-testid="home-waiting">{d.waitingForReply}</strong>
          <Link to="/inbox">{t.navInbox} →</Link>
        </div>
        <div className="kpi" title={t.subscribersAnyTopic}>
          <span className="muted">{t.subscribersAnyTopic}</span>
          <strong data-testid="home-subscribers">{d.subscribers}</strong>
          <Link to="/topics">{t.navTopics} →</Link>
        </div>
      </section>
      <section className="card" aria-labelledby="h-home-topics">
        <h2 id="h-home-topics">{fill(t.subscribersByTopic, { label: lbl('validSubscribers').label })}</h2>
        <table className="table table--cards">
          <thead>
            <tr>
              <th>{t.topicName}</th>
              <th>{t.status}</th>
              <th title={lbl('validSubscribers').hint}>{lbl('validSubscribers').label}</th>
            </tr>
          </thead>
          <tbody>
            {d.topics.map((x) => (
              <tr key={x.id}>
                <td data-label={t.topicName}>{x.name}</td>
                <td data-label={t.status}>
                  <span className={`badge ${x.active ? 'badge--ok' : 'badge--off'}`}>
                    {x.active ? t.active : t.inactive}
                  </span>
                </td>
                <td data-label={lbl('validSubscribers').label} data-testid={`home-topic-${x.id}`}>
                  {x.validSubscribers}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" aria-labelledby="h-home-campaigns">
        <h2 id="h-home-campaigns">{t.latestCampaigns}</h2>
        {d.campaigns.length === 0 ? <p className="muted">{t.noCampaigns}</p> : null}
        <ul className="list">
          {d.campaigns.map((c) => (
            <li key={c.id} className="list__item home-campaign">
              <span>
                <Link to={`/campaigns/${c.id}`}>{c.name}</Link>{' '}
                <span className={`badge cs-${c.status}`}>{t[`cs_${c.status}`]}</span>
                <span className="muted small"> · {fmt(c.startedAt ?? c.createdAt)}</span>
              </span>
              <span className="funnel-line">
                {t.fSent} {c.sent} → {lbl('delivered').label} {c.delivered} ({pct(c.rates.delivered)}) →{' '}
                {lbl('read').label} {c.read} ({pct(c.rates.read)}) → {lbl('clicked').label} {c.clicked} (
                {pct(c.rates.clicked)})
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
