// The campaign wizard (R9): content type and topic → audience filters → the message with
// personalisation and a preview → dry run with the reachability breakdown (R9c) → schedule or send.
import { useState } from 'react';
import { api, errorText, type Audience, type CampaignContent, type DryRun, type Page } from '../../api.ts';
import { BarChart } from '../../components/Charts.tsx';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { reasonLabel } from '../../reasons.ts';
import { MessageStep } from './MessageStep.tsx';

const STEPS = ['stepContent', 'stepAudience', 'stepMessage', 'stepDryRun', 'stepSchedule'] as const;

export function CampaignWizard(p: { page: Page; onCancel(): void; onStarted(id: number): void }) {
  const { t, lang } = useI18n();
  const topics = useLoad(() => api.topics(p.page.id), [p.page.id]);
  const [step, setStep] = useState(0);
  const [type, setType] = useState<CampaignContent['type']>('text');
  const [topicId, setTopicId] = useState(0);
  const [audience, setAudience] = useState<{ labels: string; li0: string; li1: string; op0: string; op1: string }>({ labels: '', li0: '', li1: '', op0: '', op1: '' });
  const [name, setName] = useState('');
  const [content, setContent] = useState<CampaignContent>({ type: 'text', text: '' });
  const [allowDefer, setAllowDefer] = useState(false);
  const [draftId, setDraftId] = useState<number | null>(null);
  const [dry, setDry] = useState<DryRun>();
  const [at, setAt] = useState('');
  const [error, setError] = useState<string>();
  const active = (topics.data ?? []).filter((x) => x.active);
  const topic = active.find((x) => x.id === topicId) ?? active[0];

  const audienceBody = (): Audience => {
    const iso = (d: string) => (d ? new Date(d).toISOString() : undefined);
    const labels = audience.labels.split(',').map((s) => s.trim()).filter(Boolean);
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
  // The draft is made at the dry run, from what the wizard holds then; going back makes a new one.
  const runDry = () =>
    guard(async () => {
      if (!topic) return;
      const c = await api.createCampaign(p.page.id, { name: name || topic.name, topicId: topic.id, content, audience: audienceBody(), allowDefer });
      setDraftId(c.id);
      setDry(await api.dryRun(c.id));
    });
  const start = (when?: string) =>
    guard(async () => {
      if (!draftId) return;
      const c = await api.startCampaign(draftId, when ? new Date(when).toISOString() : undefined);
      p.onStarted(c.id);
    });
  const go = (d: number) => {
    if (step + d <= 2) {
      setDraftId(null);
      setDry(undefined);
    }
    setStep(step + d);
  };

  return (
    <section className="card stack" aria-label={t.newCampaign}>
      <h2>{t.newCampaign}</h2>
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
                <input type="radio" name="ct" checked={type === ct} onChange={() => {
                  setType(ct);
                  setContent(ct === 'image' ? { type: 'image', url: '' } : ct === 'buttons' ? { type: 'buttons', text: '', buttons: [{ type: 'postback', title: '' }] } : { type: 'text', text: '' });
                }} />
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
            <input value={audience.labels} onChange={(e) => setAudience({ ...audience, labels: e.target.value })} />
          </label>
          <div className="split">
            <label>{t.interactedFrom}<input type="date" value={audience.li0} onChange={(e) => setAudience({ ...audience, li0: e.target.value })} /></label>
            <label>{t.interactedTo}<input type="date" value={audience.li1} onChange={(e) => setAudience({ ...audience, li1: e.target.value })} /></label>
            <label>{t.optedFrom}<input type="date" value={audience.op0} onChange={(e) => setAudience({ ...audience, op0: e.target.value })} /></label>
            <label>{t.optedTo}<input type="date" value={audience.op1} onChange={(e) => setAudience({ ...audience, op1: e.target.value })} /></label>
          </div>
          <label className="check">
            <input type="checkbox" checked={allowDefer} onChange={(e) => setAllowDefer(e.target.checked)} />
            {t.allowDefer}
          </label>
        </div>
      ) : null}
      {step === 2 ? <MessageStep name={name} setName={setName} content={content} setContent={setContent} topic={topic} /> : null}
      {step === 3 ? (
        <div className="stack">
          <button type="button" className="primary" onClick={() => void runDry()}>
            {t.runDryRun}
          </button>
          {dry ? (
            <div className="split" aria-label={t.stepDryRun}>
              <div className="kpis">
                <div className="kpi"><span className="muted">{t.audienceCount}</span><strong data-testid="dry-audience">{dry.audience}</strong></div>
                <div className="kpi"><span className="muted">{t.reachable}</span><strong data-testid="dry-reachable">{dry.reachable}</strong></div>
                <div className="kpi"><span className="muted">{t.deferred}</span><strong>{dry.deferred}</strong></div>
                <div className="kpi"><span className="muted">{t.estimated}</span><strong>{dry.estimatedSeconds}s</strong></div>
              </div>
              <BarChart title={t.notReachable} color="#9a6700" data={Object.entries(dry.skipped).map(([k, v]) => ({ label: reasonLabel(k, lang), value: v }))} />
            </div>
          ) : null}
        </div>
      ) : null}
      {step === 4 ? (
        <div className="row">
          <button type="button" className="primary" onClick={() => void start()}>
            {t.sendNow}
          </button>
          <label>
            {t.scheduleAt} <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
          </label>
          <button type="button" disabled={!at} onClick={() => void start(at)}>
            {t.schedule}
          </button>
        </div>
      ) : null}
      {error ? <p role="alert" className="error">{error}</p> : null}
      <div className="row">
        <button type="button" onClick={p.onCancel}>{t.cancel}</button>
        {step > 0 ? <button type="button" onClick={() => go(-1)}>{t.back}</button> : null}
        {step < STEPS.length - 1 ? (
          <button type="button" className="primary" disabled={(step === 0 && !topic) || (step === 3 && !dry)} onClick={() => go(1)}>
            {t.next}
          </button>
        ) : null}
      </div>
    </section>
  );
}
