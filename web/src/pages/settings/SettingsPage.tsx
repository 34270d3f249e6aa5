// Settings: the page connection (connected or not — secrets are never echoed), the platform profile, the
// time zone and region (PATCH /api/pages/:id).
import { type FormEvent, useState } from 'react';
import { api, errorText, type Page, PROFILES, type Profile } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { AdAccountSection } from './AdAccountSection.tsx';

export function SettingsPage({ page }: { page: Page }) {
  const { t, lang } = useI18n();
  const [current, setCurrent] = useState(page);
  const [profile, setProfile] = useState<Profile>(page.profile);
  const [timeZone, setTimeZone] = useState(page.timeZone);
  const [region, setRegion] = useState(page.region ?? '');
  const [optIn, setOptIn] = useState(page.optInFeatureEnabled);
  const [status, setStatus] = useState<{ ok: boolean; text: string }>();
  const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.(
    'timeZone',
  ) ?? [page.timeZone];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const p = await api.updatePage(page.id, {
        profile,
        timeZone,
        region: region || null,
        optInFeatureEnabled: optIn,
      });
      setCurrent(p);
      setStatus({ ok: true, text: t.saved });
    } catch (err) {
      setStatus({ ok: false, text: errorText(err, lang) });
    }
  };

  return (
    <div className="stack">
      <h1>{t.settingsTitle}</h1>
      <section className="card" aria-labelledby="h-conn">
        <h2 id="h-conn">{t.pageConnection}</h2>
        <dl className="dl">
          <dt>{t.pageName}</dt>
          <dd>{current.name}</dd>
          <dt>{t.fbPageId}</dt>
          <dd>{current.fbPageId}</dd>
          <dt>{t.status}</dt>
          <dd>
            <span className={`badge ${current.connected ? 'badge--ok' : 'badge--off'}`}>
              {current.connected ? t.connected : t.notConnected}
            </span>
            {current.restrictedReason ? (
              <span className="badge badge--off">
                {' '}
                {t.restricted}: {current.restrictedReason}
              </span>
            ) : null}
          </dd>
        </dl>
        <p className="muted">{t.secretNote}</p>
      </section>
      <section className="card" aria-labelledby="h-rules">
        <h2 id="h-rules">{t.profile}</h2>
        <form className="form" onSubmit={submit}>
          <label>
            {t.profile}
            <select value={profile} onChange={(e) => setProfile(e.target.value as Profile)}>
              {PROFILES.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.timeZone}
            <select value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
              {(zones.includes(timeZone) ? zones : [timeZone, ...zones]).map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.region}
            <input value={region} onChange={(e) => setRegion(e.target.value.toUpperCase())} maxLength={8} />
          </label>
          <label className="check">
            <input type="checkbox" checked={optIn} onChange={(e) => setOptIn(e.target.checked)} />
            {t.optInFeature}
          </label>
          <div className="row">
            <button type="submit" className="primary">
              {t.save}
            </button>
            {status ? (
              <span role={status.ok ? 'status' : 'alert'} className={status.ok ? 'ok' : 'error'}>
                {status.text}
              </span>
            ) : null}
          </div>
        </form>
      </section>
      <AdAccountSection />
    </div>
  );
}
