// A destructive action asked twice, inline (no window.confirm): the button turns into the question with
// "Xác nhận" and "Hủy".
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';

export function ConfirmButton(props: { label: string; accessibleLabel?: string; question: string; onConfirm(): Promise<void> | void }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" aria-label={props.accessibleLabel} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        type="button"
        className="danger-solid"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await props.onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {t.confirm}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {t.cancel}
      </button>
    </div>
  );
}
