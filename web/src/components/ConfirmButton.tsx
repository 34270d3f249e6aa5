// A destructive action behind the console's one confirmation dialog (no window.confirm).
import { useState } from 'react';
import { ConfirmDialog } from './ConfirmDialog.tsx';

export function ConfirmButton(props: {
  label: string;
  accessibleLabel?: string;
  question: string;
  detail?: string;
  onConfirm(): Promise<void> | void;
}) {
  const [asking, setAsking] = useState(false);
  return (
    <>
      <button
        type="button"
        className="danger"
        aria-label={props.accessibleLabel}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
      {asking ? (
        <ConfirmDialog
          title={props.question}
          danger
          onCancel={() => setAsking(false)}
          onConfirm={async () => {
            try {
              await props.onConfirm();
            } finally {
              setAsking(false);
            }
          }}
        >
          {props.detail ? <p>{props.detail}</p> : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
