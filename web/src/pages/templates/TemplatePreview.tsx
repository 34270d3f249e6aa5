// A utility template as Messenger draws it, in the phone frame: header, body with the example values
// filled in, and its buttons.
const PARAM = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function filled(text: string, values: Record<string, string | undefined>): string {
  return text.replace(PARAM, (m, name: string) => values[name] || m);
}

export interface PreviewOf {
  headerText?: string | null;
  bodyText?: string;
  buttons?: ReadonlyArray<{ text: string }>;
  examples?: Record<string, string>;
}

export function TemplatePreview({ t, label }: { t: PreviewOf; label: string }) {
  const values = t.examples ?? {};
  return (
    <figure className="phone-frame preview" aria-label={label}>
      <div className="tpl">
        <div className="tpl__text">
          {t.headerText ? <strong>{filled(t.headerText, values)}</strong> : null}
          {t.headerText ? <br /> : null}
          <span>{filled(t.bodyText || '…', values)}</span>
        </div>
        {(t.buttons ?? []).map((b, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: at most 3 buttons, no identity but their place
          <span key={i} className="tpl__btn">
            {b.text || '…'}
          </span>
        ))}
      </div>
    </figure>
  );
}
