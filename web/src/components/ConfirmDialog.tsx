// The one confirmation of the console for what cannot be undone or reaches many people: a modal that
// says what will happen (and to how many), with "Xác nhận" and "Hủy". Escape or "Hủy" closes it.
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n.tsx';

export function ConfirmDialog(p: {
  title: string;
  children?: ReactNode;
  confirmLabel?: string;
  /** Red for destructive actions (cancel, delete, deactivate); blue for sending. */
  danger?: boolean;
  onConfirm(): Promise<void> | void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const bodyId = useId();
  const { onCancel } = p;
  useEffect(() => {
    confirmRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  return (
    <div className="modal">
      <div
        className="modal__box"
        role="alertdialog"
        aria-modal="true"
        aria-label={p.title}
        aria-describedby={p.children ? bodyId : undefined}
      >
        <h2>{p.title}</h2>
        {p.children ? <div id={bodyId}>{p.children}</div> : null}
        <div className="row modal__actions">
          <button
            ref={confirmRef}
            type="button"
            className={p.danger ? 'danger-solid' : 'primary'}
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await p.onConfirm();
              } finally {
                setBusy(false);
              }
            }}
          >
            {p.confirmLabel ?? t.confirm}
          </button>
          <button type="button" onClick={p.onCancel} disabled={busy}>
            {t.cancel}
          </button>
        </div>
      </div>
    </div>
  );
}
