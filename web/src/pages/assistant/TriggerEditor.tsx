// One trigger: when it fires, and the message blocks it answers with, each previewed as Messenger shows it.
import { type FormEvent, useState } from 'react';
import {
  api,
  type Block,
  errorText,
  type Page,
  type Topic,
  TRIGGER_KINDS,
  type Trigger,
  type TriggerKind,
} from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { BlockEditor, newBlock } from './BlockEditor.tsx';
import { BlockPreview } from './BlockPreview.tsx';

export function TriggerEditor(p: {
  page: Page;
  topics: Topic[];
  initial: Trigger | null;
  onDone(): void | Promise<void>;
  onCancel(): void;
}) {
  const { t, lang } = useI18n();
  const [kind, setKind] = useState<TriggerKind>(p.initial?.kind ?? 'keyword_contains');
  const [value, setValue] = useState(p.initial?.value ?? '');
  const [blocks, setBlocks] = useState<Block[]>(p.initial?.blocks ?? [newBlock('text', p.topics)]);
  const [error, setError] = useState<string>();
  const needsValue = kind !== 'default' && kind !== 'get_started';

  const set = (i: number, b: Block | null) =>
    setBlocks((bs) => (b ? bs.map((x, j) => (j === i ? b : x)) : bs.filter((_, j) => j !== i)));
  const move = (i: number, d: -1 | 1) =>
    setBlocks((bs) => {
      const out = [...bs];
      const [x] = out.splice(i, 1);
      out.splice(Math.max(0, Math.min(out.length, i + d)), 0, x!);
      return out;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const body = { kind, value: needsValue ? value : null, blocks };
    try {
      if (p.initial) await api.updateTrigger(p.initial.id, body);
      else await api.createTrigger(p.page.id, body);
      await p.onDone();
    } catch (err) {
      setError(errorText(err, lang));
    }
  };
  const remove = async () => {
    if (!p.initial) return;
    await api.deleteTrigger(p.initial.id);
    await p.onDone();
  };

  return (
    <section className="card" aria-label={t.messageEditor}>
      <h2>{t.messageEditor}</h2>
      <form className="form" onSubmit={submit}>
        <div className="row">
          <label>
            {t.triggerKind}
            <select value={kind} onChange={(e) => setKind(e.target.value as TriggerKind)}>
              {TRIGGER_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t[`trig_${k}`]}
                </option>
              ))}
            </select>
          </label>
          {needsValue ? (
            <label>
              {t.triggerValue}
              <input value={value} onChange={(e) => setValue(e.target.value)} required />
            </label>
          ) : null}
        </div>
        <h3>{t.blocks}</h3>
        {blocks.map((b, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: blocks have no identity beyond their position
          <div className="split block" key={i}>
            <BlockEditor
              block={b}
              index={i}
              topics={p.topics}
              onChange={(nb) => set(i, nb)}
              onMove={(d) => move(i, d)}
            />
            <figure className="phone-frame" aria-label={`${t.preview} ${i + 1}`}>
              <BlockPreview block={b} topics={p.topics} lang={lang} pageName={p.page.name} />
            </figure>
          </div>
        ))}
        {/* biome-ignore lint/a11y/useSemanticElements: a row of buttons, not a form's fieldset */}
        <div className="row" role="group" aria-label={t.addBlock}>
          <span>{t.addBlock}:</span>
          {(['text', 'image', 'buttons', 'otn_request', 'recurring_optin'] as const).map((type) => (
            <button
              key={type}
              type="button"
              onClick={() => setBlocks((bs) => [...bs, newBlock(type, p.topics)])}
            >
              {
                {
                  text: t.blockText,
                  image: t.blockImage,
                  buttons: t.blockButtons,
                  otn_request: t.blockOtnr,
                  recurring_optin: t.blockRecurring,
                }[type]
              }
            </button>
          ))}
        </div>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <div className="row">
          <button type="submit" className="primary">
            {t.save}
          </button>
          <button type="button" onClick={p.onCancel}>
            {t.cancel}
          </button>
          {p.initial ? (
            <button type="button" className="danger" onClick={() => void remove()}>
              {t.delete}
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
