// Starting a campaign asks first, with the number of people it will reach (R9c's dry run): sending to
// thousands is one click otherwise. Paid messages (R14d) also state what Meta's estimate says they cost.
import { useState } from 'react';
import { ApiError, api, type DryRun } from '../../api.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { fill, useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';

/** The question for `reachable` people, now or at `at`. */
export function StartDialog(p: {
  name: string;
  dry: DryRun;
  at?: string;
  onConfirm(): Promise<void>;
  onCancel(): void;
}) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const n = p.dry.reachable.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');
  return (
    <ConfirmDialog
      title={p.at ? fill(t.confirmSchedule, { n, at: fmt(p.at) }) : fill(t.confirmSendNow, { n })}
      confirmLabel={p.at ? t.schedule : t.sendNow}
      onConfirm={p.onConfirm}
      onCancel={p.onCancel}
    >
      <p>
        <strong data-testid="confirm-count">{n}</strong> {t.confirmSendBody} “{p.name}”.
      </p>
      {p.dry.routes?.marketing_message ? (
        <p data-testid="confirm-cost">
          {p.dry.estimate
            ? fill(t.confirmCost, {
                n: p.dry.routes.marketing_message,
                amount: p.dry.estimate.amount.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB'),
                currency: p.dry.estimate.currency,
              })
            : fill(t.confirmCostUnknown, { n: p.dry.routes.marketing_message })}
        </p>
      ) : null}
      {p.dry.deferred ? <p className="muted">{fill(t.confirmDeferred, { n: p.dry.deferred })}</p> : null}
      {p.dry.audience > p.dry.reachable + p.dry.deferred ? (
        <p className="muted">
          {fill(t.confirmNotReached, { n: p.dry.audience - p.dry.reachable - p.dry.deferred })}
        </p>
      ) : null}
      <p className="muted">{t.confirmNoUndo}</p>
    </ConfirmDialog>
  );
}

/** "Gửi…" for a draft in the list or its page: dry-runs it, then asks with the count. */
export function StartDraftButton(p: { id: number; name: string; onStarted(id: number): void }) {
  const { t, lang } = useI18n();
  const [dry, setDry] = useState<DryRun>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const ask = async () => {
    setError(undefined);
    setBusy(true);
    try {
      setDry(await api.dryRun(p.id));
    } catch (e) {
      setError(e instanceof ApiError ? e.text(lang) : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => void ask()}
        aria-label={`${t.sendEllipsis} ${p.name}`}
      >
        {t.sendEllipsis}
      </button>
      {error ? (
        <span role="alert" className="error">
          {error}
        </span>
      ) : null}
      {dry ? (
        <StartDialog
          name={p.name}
          dry={dry}
          onCancel={() => setDry(undefined)}
          onConfirm={async () => {
            try {
              const c = await api.startCampaign(p.id);
              setDry(undefined);
              p.onStarted(c.id);
            } catch (e) {
              setDry(undefined);
              setError(e instanceof ApiError ? e.text(lang) : String(e));
            }
          }}
        />
      ) : null}
    </>
  );
}
