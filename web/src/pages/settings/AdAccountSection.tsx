// R14a: connect the workspace's ad account (checked by Facebook on save; the token is never shown
// again) with the budget default and the minimum conversation gap paid messages use.
import { type FormEvent, useState } from 'react';
import { type AdAccount, api, errorText } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

export function AdAccountSection() {
  const { t, lang } = useI18n();
  const loaded = useLoad(() => api.adAccount(), []);
  const [saved, setSaved] = useState<AdAccount | null>();
  const account = saved === undefined ? (loaded.data ?? null) : saved;
  const [id, setId] = useState('');
  const [token, setToken] = useState('');
  const [budget, setBudget] = useState('');
  const [gapHours, setGapHours] = useState('24');
  const [status, setStatus] = useState<{ ok: boolean; text: string }>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const a = await api.connectAdAccount({
        adAccountId: id,
        accessToken: token,
        defaultBudgetMinor: budget === '' ? null : Number(budget),
        minConversationGapSeconds: Math.round(Number(gapHours) * 3600),
      });
      setSaved(a);
      setToken('');
      setStatus({ ok: true, text: t.saved });
    } catch (err) {
      setStatus({ ok: false, text: errorText(err, lang) });
    }
  };
  const disconnect = async () => {
    try {
      await api.disconnectAdAccount();
      setSaved(null);
    } catch (err) {
      setStatus({ ok: false, text: errorText(err, lang) });
    }
  };

  return (
    <section className="card" aria-labelledby="h-ad-account">
      <h2 id="h-ad-account">{t.adAccountTitle}</h2>
      <p className="muted">{t.adAccountHelp}</p>
      {account ? (
        <dl className="dl" data-testid="ad-account">
          <dt>{t.adAccountId}</dt>
          <dd>
            act_{account.adAccountId} {account.name ? `(${account.name})` : ''}{' '}
            <span className="badge badge--ok">{t.adAccountConnected}</span>
          </dd>
          <dt>{t.currency}</dt>
          <dd>{account.currency}</dd>
          <dt>{t.defaultBudget}</dt>
          <dd>{account.defaultBudgetMinor ?? '—'}</dd>
          <dt>{t.minGapHours}</dt>
          <dd>{account.minConversationGapSeconds / 3600}</dd>
        </dl>
      ) : null}
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          {t.adAccountId}
          <input value={id} onChange={(e) => setId(e.target.value)} required />
        </label>
        <label>
          {t.systemUserToken}
          <input
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            required
            autoComplete="off"
          />
        </label>
        <label>
          {t.defaultBudget}
          <input type="number" min={0} step={1} value={budget} onChange={(e) => setBudget(e.target.value)} />
        </label>
        <label>
          {t.minGapHours}
          <input
            type="number"
            min={0}
            max={720}
            value={gapHours}
            onChange={(e) => setGapHours(e.target.value)}
          />
        </label>
        <div className="row">
          <button type="submit" className="primary">
            {t.connectAdAccount}
          </button>
          {account ? (
            <button type="button" onClick={() => void disconnect()}>
              {t.disconnectAdAccount}
            </button>
          ) : null}
        </div>
        <p className="muted">{t.secretNote}</p>
        {status ? <p className={status.ok ? 'ok' : 'error'}>{status.text}</p> : null}
      </form>
    </section>
  );
}
