// A secret or link shown once: read-only, selected on focus, with a copy button that says when it copied.
import { useRef, useState } from 'react';
import { useI18n } from '../i18n.tsx';

export function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      document.execCommand('copy'); // no clipboard API (permissions, non-secure origin): the selection
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2500);
  };
  return (
    <div className="copy">
      <input
        ref={input}
        className="copy__value"
        aria-label={label}
        readOnly
        value={value}
        onFocus={(e) => e.currentTarget.select()}
        spellCheck={false}
      />
      <button type="button" onClick={() => void copy()} aria-label={`${t.copy}: ${label}`}>
        {copied ? `✓ ${t.copied}` : t.copy}
      </button>
      <span className="sr-only" role="status">
        {copied ? t.copied : ''}
      </span>
    </div>
  );
}
