// "Kết nối Fanpage": the workspace's pages with their connection status, the button that runs the Facebook
// Login flow (connect or reconnect), the tick list after Facebook sends the owner back
// (/pages/connect?offer=N, or ?error=…), and disconnect.
import { type FormEvent, useState } from 'react';
import { api, errorText, type OfferedPage, PAGES_CHANGED, type Page } from '../../api.ts';
import { ERROR_TEXT } from '../../errors.ts';
import { useLoad } from '../../hooks.ts';
import { fill, useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.ts';

const REGIONS = ['VN', 'TH', 'ID', 'PH', 'MY', 'SG', 'US', 'UK', 'EU', 'AU', 'JP', 'KR'];

function StatusBadge({ page }: { page: Page }) {
  const { t } = useI18n();
  const [cls, text] =
    page.connection === 'connected'
      ? ['badge--ok', t.statusConnected]
      : page.connection === 'needs_reconnect'
        ? ['badge--off', t.statusNeedsReconnect]
        : ['badge--off', t.statusDisconnected];
  return <span className={`badge ${cls}`}>{text}</span>;
}

function TickList({ offerId, onDone }: { offerId: number; onDone: (n: number) => void }) {
  const { t, lang } = useI18n();
  const offer = useLoad(() => api.offer(offerId), [offerId]);
  const [ticked, setTicked] = useState<Record<string, boolean>>({});
  const [region, setRegion] = useState('VN');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (offer.error) return <p role="alert">{errorText(offer.error, lang)}</p>;
  if (!offer.data) return <p>{t.loading}</p>;
  const selectable = (p: OfferedPage) => !p.taken && p.here !== 'connected';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const chosen = offer.data!.filter((p) => ticked[p.fbPageId] && selectable(p));
      const rows = await api.connectPages(
        offerId,
        chosen.map((p) => ({ fbPageId: p.fbPageId, region })),
      );
      onDone(rows.length);
    } catch (err) {
      setError(errorText(err, lang));
    } finally {
      setBusy(false);
    }
  };
  if (offer.data.length === 0) return <p>{t.noPagesOffered}</p>;
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="h-tick">
      <h2 id="h-tick">{t.choosePages}</h2>
      <ul className="plain" data-testid="offered-pages">
        {offer.data.map((p) => (
          <li key={p.fbPageId}>
            <label>
              <input
                type="checkbox"
                name={`page-${p.fbPageId}`}
                disabled={!selectable(p)}
                checked={Boolean(ticked[p.fbPageId]) && selectable(p)}
                onChange={(e) => setTicked({ ...ticked, [p.fbPageId]: e.target.checked })}
              />{' '}
              {p.name} <span className="muted">({p.fbPageId})</span>
              {p.here === 'connected' ? <span className="badge badge--ok"> {t.alreadyHere}</span> : null}
              {p.taken ? <span className="badge badge--off"> {t.takenElsewhere}</span> : null}
            </label>
          </li>
        ))}
      </ul>
      <label>
        {t.regionAsk}
        <select value={region} onChange={(e) => setRegion(e.target.value)}>
          {REGIONS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      {error ? <p role="alert">{error}</p> : null}
      <button type="submit" disabled={busy || !offer.data.some((p) => ticked[p.fbPageId] && selectable(p))}>
        {t.connectTicked}
      </button>
    </form>
  );
}

export function ConnectPage() {
  const { t, lang } = useI18n();
  const params = new URLSearchParams(location.search);
  const offerId = Number(params.get('offer')) || null;
  const returned = params.get('error');
  const pages = useLoad(() => api.pages(), []);
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<string>();

  const login = async () => {
    setError(undefined);
    try {
      // Facebook's dialog is a full-page redirect; it comes back to /api/facebook/callback, then here.
      window.location.assign(await api.startConnect());
    } catch (err) {
      setError(errorText(err, lang));
    }
  };
  const disconnect = async (p: Page) => {
    if (!window.confirm(fill(t.confirmDisconnect, { name: p.name }))) return;
    try {
      await api.disconnectPage(p.id);
      await pages.reload();
      window.dispatchEvent(new Event(PAGES_CHANGED));
    } catch (err) {
      setError(errorText(err, lang));
    }
  };
  const returnedText =
    returned === 'login_denied'
      ? t.loginDenied
      : returned
        ? (ERROR_TEXT[returned]?.[lang] ?? returned)
        : null;

  return (
    <div className="stack">
      <h1>{t.connectTitle}</h1>
      <p className="muted">{t.connectIntro}</p>
      {returnedText ? <p role="alert">{returnedText}</p> : null}
      {note ? <p role="status">{note}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      {offerId ? (
        <TickList
          offerId={offerId}
          onDone={(n) => {
            setNote(fill(t.connectDone, { n }));
            navigate('/pages/connect');
            void pages.reload();
            window.dispatchEvent(new Event(PAGES_CHANGED));
          }}
        />
      ) : null}
      <section className="card" aria-labelledby="h-connected">
        <h2 id="h-connected">{t.connectedPages}</h2>
        <p>
          <button type="button" onClick={() => void login()}>
            {t.connectButton}
          </button>
        </p>
        {pages.error ? <p role="alert">{errorText(pages.error, lang)}</p> : null}
        {/* At phone width each page is a card (the table was 2 px wider than a 390 px screen). */}
        <div className="table-wrap">
          <table className="table table--cards" data-testid="connected-pages" aria-labelledby="h-connected">
            <tbody>
              {(pages.data ?? []).map((p) => (
                <tr key={p.id} data-fb-page-id={p.fbPageId}>
                  <td>{p.name}</td>
                  <td className="muted">{p.fbPageId}</td>
                  <td>
                    {p.profile}
                    {p.region ? ` · ${p.region}` : ''}
                  </td>
                  <td>
                    <StatusBadge page={p} />
                    {p.connection === 'needs_reconnect' && p.connectionReason ? (
                      <div className="muted">{p.connectionReason}</div>
                    ) : null}
                  </td>
                  <td>
                    {p.connection === 'connected' ? (
                      <button type="button" onClick={() => void disconnect(p)}>
                        {t.disconnect}
                      </button>
                    ) : (
                      <button type="button" onClick={() => void login()}>
                        {t.reconnect}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
