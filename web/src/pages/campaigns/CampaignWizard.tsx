// The campaign wizard (R9): content type and topic → audience filters → the message with
// personalisation and a preview → dry run with the reachability breakdown (R9c) → schedule or send.
// One draft per wizard: made at the first dry run, then rewritten in place (PATCH); opened again from
// the list to edit it. Sending or scheduling asks first, with the count.
import { useState } from 'react';
import {
  type Audience,
  api,
  type Campaign,
  type CampaignContent,
  type CampaignInput,
  type DryRun,
  errorText,
  type Page,
  type RouteName,
} from '../../api.ts';
import { BarChart } from '../../components/Charts.tsx';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { reasonLabel } from '../../reasons.ts';
import { MessageStep, messageProblems } from './MessageStep.tsx';
import { RouteEstimateView } from './RouteEstimateView.tsx';
import { StartDialog } from './StartCampaign.tsx';

const STEPS = ['stepContent', 'stepAudience', 'stepMessage', 'stepDryRun', 'stepSchedule'] as const;
type AudienceForm = { labels: string; li0: string; li1: string; op0: string; op1: string };

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');
const formOf = (a: Audience | undefined): AudienceForm => ({
  labels: (a?.labels ?? []).join(', '),
  li0: day(a?.lastInteractionFrom),
  li1: day(a?.lastInteractionTo),
  op0: day(a?.optedInFrom),
  op1: day(a?.optedInTo),
});
const emptyContent = (ct: CampaignContent['type']): CampaignContent =>
  ct === 'image'
    ? { type: 'image', url: '' }
    : ct === 'buttons'
      ? { type: 'buttons', text: '', buttons: [{ type: 'postback', title: '' }] }
      : { type: 'text', text: '' };

export function CampaignWizard(p: {
  page: Page;
  draft?: Campaign | null;
  onCancel(): void;
  onStarted(id: number): void;
}) {
  const { t, lang } = useI18n();
  const d = p.draft ?? null;
  const topics = useLoad(() => api.topics(p.page.id), [p.page.id]);
  const [step, setStep] = useState(0);
  const [topicId, setTopicId] = useState(d?.topicId ?? 0);
  const [audience, setAudience] = useState<AudienceForm>(formOf(d?.audience));
  const [name, setName] = useState(d?.name ?? '');
  const [content, setContent] = useState<CampaignContent>(d?.content ?? emptyContent('text'));
  const [allowDefer, setAllowDefer] = useState(d?.allowDefer ?? false);
  const [draftId, setDraftId] = useState<number | null>(d?.id ?? null);
  const [dry, setDry] = useState<DryRun>();
  const [at, setAt] = useState('');
  const [asking, setAsking] = useState<'now' | 'at' | null>(null);
  const [error, setError] = useState<string>();
  const active = (topics.data ?? []).filter((x) => x.active);
  const topic = active.find((x) => x.id === topicId) ?? active[0];
  const problems = messageProblems(content);

  const audienceBody = (): Audience => {
    const iso = (v: string) => (v ? new Date(v).toISOString() : undefined);
    const labels = audience.labels
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return {
      ...(labels.length && { labels }),
      ...(audience.li0 && { lastInteractionFrom: iso(audience.li0) }),
      ...(audience.li1 && { lastInteractionTo: iso(audience.li1) }),
      ...(audience.op0 && { optedInFrom: iso(audience.op0) }),
      ...(audience.op1 && { optedInTo: iso(audience.op1) }),
    };
  };
  const guard = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e, lang));
    }
  };
  // The draft holds what the wizard holds at the dry run: created once, rewritten after.
  const runDry = () =>
    guard(async () => {
      if (!topic) return;
      const body: CampaignInput = {
        name: name || topic.name,
        topicId: topic.id,
        content,
        audience: audienceBody(),
        allowDefer,
      };
      const c = draftId ? await api.updateCampaign(draftId, body) : await api.createCampaign(p.page.id, body);
      setDraftId(c.id);
      setDry(await api.dryRun(c.id));
    });
  const start = async (when?: string) => {
    if (!draftId) return;
    await guard(async () => {
      const c = await api.startCampaign(draftId, when ? new Date(when).toISOString() : undefined);
      p.onStarted(c.id);
    });
    setAsking(null);
  };
  // Going back to change the campaign makes the dry run stale (the draft itself is kept).
  const go = (delta: number) => {
    if (step + delta <= 2) setDry(undefined);
    setStep(step + delta);
  };
  const setAud = (k: keyof AudienceForm, v: string) => setAudience({ ...audience, [k]: v });

  return (
    <section className="card stack" aria-label={d ? `${t.edit}: ${d.name}` : t.newCampaign}>
      <h2>{d ? `${t.edit}: ${d.name}` : t.newCampaign}</h2>
      <ol className="wizard-steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? 'step' : undefined}>
            {i + 1}. {t[s]}
          </li>
        ))}
      </ol>
      {step === 0 ? (
        <div className="form">
          <label>
            {t.topicForCampaign}
            <select value={topic?.id ?? 0} onChange={(e) => setTopicId(Number(e.target.value))}>
              {active.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name} ({x.kind === 'one_time' ? 'OTN' : t.kindRecurring})
                </option>
              ))}
            </select>
          </label>
          <fieldset className="topic-pick">
            <legend>{t.contentType}</legend>
            {(['text', 'buttons', 'image'] as const).map((ct) => (
              <label key={ct} className="radio">
                <input
                  type="radio"
                  name="ct"
                  checked={content.type === ct}
                  onChange={() => setContent(emptyContent(ct))}
                />
                {t[ct === 'text' ? 'ctText' : ct === 'buttons' ? 'ctButtons' : 'ctImage']}
              </label>
            ))}
          </fieldset>
        </div>
      ) : null}
      {step === 1 ? (
        <div className="form">
          <label>
            {t.labels}
            <input value={audience.labels} onChange={(e) => setAud('labels', e.target.value)} />
          </label>
          <div className="split">
            {(
              [
                ['li0', t.interactedFrom],
                ['li1', t.interactedTo],
                ['op0', t.optedFrom],
                ['op1', t.optedTo],
              ] as const
            ).map(([k, label]) => (
              <label key={k}>
                {label}
                <input type="date" value={audience[k]} onChange={(e) => setAud(k, e.target.value)} />
              </label>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={allowDefer} onChange={(e) => setAllowDefer(e.target.checked)} />
            {t.allowDefer}
          </label>
        </div>
      ) : null}
      {step === 2 ? (
        <MessageStep name={name} setName={setName} content={content} setContent={setContent} topic={topic} />
      ) : null}
      {step === 3 ? (
        <div className="stack">
          <button type="button" className="primary" onClick={() => void runDry()}>
            {t.runDryRun}
          </button>
          {dry ? <DryRunView dry={dry} /> : null}
          {dry ? <RouteEstimateView pageId={p.page.id} campaignId={draftId} /> : null}
        </div>
      ) : null}
      {step === 4 && dry ? (
        <div className="row">
          <button type="button" className="primary" onClick={() => setAsking('now')}>
            {t.sendNow}
          </button>
          <label>
            {t.scheduleAt} <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
          </label>
          <button type="button" disabled={!at} onClick={() => setAsking('at')}>
            {t.schedule}
          </button>
        </div>
      ) : null}
      {asking && dry ? (
        <StartDialog
          name={name || topic?.name || ''}
          dry={dry}
          {...(asking === 'at' && { at: new Date(at).toISOString() })}
          onCancel={() => setAsking(null)}
          onConfirm={() => start(asking === 'at' ? at : undefined)}
        />
      ) : null}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="button" onClick={p.onCancel}>
          {draftId ? t.closeKeepDraft : t.cancel}
        </button>
        {step > 0 ? (
          <button type="button" onClick={() => go(-1)}>
            {t.back}
          </button>
        ) : null}
        {step < STEPS.length - 1 ? (
          <button
            type="button"
            className="primary"
            disabled={(step === 0 && !topic) || (step === 2 && problems.length > 0) || (step === 3 && !dry)}
            onClick={() => go(1)}
          >
            {t.next}
          </button>
        ) : null}
      </div>
    </section>
  );
}

/** R12h: recipients per route (with the paid route's price estimate) and the others by reason. */
function RouteCounts({ dry }: { dry: DryRun }) {
  const { t, lang } = useI18n();
  const routes = Object.entries(dry.routes ?? {}) as Array<[RouteName, number]>;
  const paid = dry.routes?.marketing_message;
  return (
    <div data-testid="dry-routes">
      <BarChart
        title={t.routeTitle}
        color="#0969da"
        data={routes.map(([r, n]) => ({ label: t[`route_${r}`], value: n }))}
      />
      {paid ? (
        <p className="muted">
          {dry.estimate
            ? `${t.priceEstimate}: ${dry.estimate.amount} ${dry.estimate.currency}`
            : t.priceSeeDryRun}
        </p>
      ) : null}
      {dry.routeNotAvailable > 0 ? (
        <p role="status">
          {dry.routeNotAvailable} — {t.routeNotSendable}
        </p>
      ) : null}
      <BarChart
        title={t.routeNone}
        color="#9a6700"
        data={Object.entries(dry.refusals ?? {}).map(([k, v]) => ({ label: reasonLabel(k, lang), value: v }))}
      />
    </div>
  );
}

function DryRunView({ dry }: { dry: DryRun }) {
  const { t, lang } = useI18n();
  return (
    <section className="split" aria-label={t.stepDryRun}>
      <div className="kpis">
        <div className="kpi">
          <span className="muted">{t.audienceCount}</span>
          <strong data-testid="dry-audience">{dry.audience}</strong>
        </div>
        <div className="kpi">
          <span className="muted">{t.reachable}</span>
          <strong data-testid="dry-reachable">{dry.reachable}</strong>
        </div>
        <div className="kpi">
          <span className="muted">{t.deferred}</span>
          <strong>{dry.deferred}</strong>
        </div>
        <div className="kpi">
          <span className="muted">{t.estimated}</span>
          <strong>{dry.estimatedSeconds}s</strong>
        </div>
      </div>
      <BarChart
        title={t.notReachable}
        color="#9a6700"
        data={Object.entries(dry.skipped).map(([k, v]) => ({ label: reasonLabel(k, lang), value: v }))}
      />
      <RouteCounts dry={dry} />
    </section>
  );
}
