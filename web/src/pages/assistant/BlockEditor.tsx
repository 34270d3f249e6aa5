// The editor of one block: text (+ quick replies), image, buttons, "+OTNR" (topic, description ≤ 65,
// fixed button) and the recurring opt-in block (topic; title / image / label default to the topic's).
import { type Block, CTA_TEXTS, type CtaText, type Topic } from '../../api.ts';
import { CTA_LABEL, useI18n } from '../../i18n.tsx';

export function newBlock(type: Block['type'], topics: Topic[]): Block {
  switch (type) {
    case 'text':
      return { type: 'text', text: '' };
    case 'image':
      return { type: 'image', url: '' };
    case 'buttons':
      return { type: 'buttons', text: '', buttons: [{ type: 'postback', title: '', payload: '' }] };
    case 'otn_request':
      return {
        type: 'otn_request',
        topicId: topics.find((x) => x.kind === 'one_time')?.id ?? 0,
        description: '',
      };
    case 'recurring_optin':
      return { type: 'recurring_optin', topicId: topics.find((x) => x.kind === 'recurring')?.id ?? 0 };
  }
}

const TITLE = {
  text: 'blockText',
  image: 'blockImage',
  buttons: 'blockButtons',
  otn_request: 'blockOtnr',
  recurring_optin: 'blockRecurring',
} as const;

export function BlockEditor(p: {
  block: Block;
  index: number;
  topics: Topic[];
  onChange(b: Block | null): void;
  onMove(d: -1 | 1): void;
}) {
  const { t, lang } = useI18n();
  const b = p.block;
  const n = p.index + 1;
  const topicPicker = (kind: Topic['kind'], topicId: number, set: (id: number) => void) => (
    <label>
      {t.chooseTopic}
      <select
        aria-label={`${t.chooseTopic} ${n}`}
        value={topicId}
        onChange={(e) => set(Number(e.target.value))}
        required
      >
        <option value={0}>—</option>
        {p.topics
          .filter((x) => x.kind === kind)
          .map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
      </select>
    </label>
  );
  return (
    <fieldset className="block__edit">
      <legend>
        {n}. {t[TITLE[b.type]]}
      </legend>
      {b.type === 'text' ? (
        <>
          <label>
            {t.text}
            <textarea
              aria-label={`${t.text} ${n}`}
              value={b.text}
              rows={2}
              onChange={(e) => p.onChange({ ...b, text: e.target.value })}
            />
          </label>
          {(b.quickReplies ?? []).map((q, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity
            <div className="row" key={i}>
              <input
                aria-label={`${t.quickReplies} ${i + 1}`}
                placeholder={t.buttonTitle}
                value={q.title}
                onChange={(e) =>
                  p.onChange({
                    ...b,
                    quickReplies: b.quickReplies!.map((x, j) =>
                      j === i ? { ...x, title: e.target.value } : x,
                    ),
                  })
                }
              />
              <input
                aria-label={`${t.payload} ${i + 1}`}
                placeholder={t.payload}
                value={q.payload}
                onChange={(e) =>
                  p.onChange({
                    ...b,
                    quickReplies: b.quickReplies!.map((x, j) =>
                      j === i ? { ...x, payload: e.target.value } : x,
                    ),
                  })
                }
              />
            </div>
          ))}
          <button
            type="button"
            onClick={() =>
              p.onChange({ ...b, quickReplies: [...(b.quickReplies ?? []), { title: '', payload: '' }] })
            }
          >
            + {t.addQuickReply}
          </button>
        </>
      ) : null}
      {b.type === 'image' ? (
        <label>
          {t.url}
          <input
            value={b.url}
            placeholder="https://…"
            onChange={(e) => p.onChange({ ...b, url: e.target.value })}
          />
        </label>
      ) : null}
      {b.type === 'buttons' ? (
        <>
          <label>
            {t.text}
            <textarea value={b.text} rows={2} onChange={(e) => p.onChange({ ...b, text: e.target.value })} />
          </label>
          {b.buttons.map((x, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity
            <div className="row" key={i}>
              <input
                aria-label={`${t.buttonTitle} ${i + 1}`}
                placeholder={t.buttonTitle}
                value={x.title}
                maxLength={20}
                onChange={(e) =>
                  p.onChange({
                    ...b,
                    buttons: b.buttons.map((y, j) => (j === i ? { ...y, title: e.target.value } : y)),
                  })
                }
              />
              <input
                aria-label={`${t.payload} ${i + 1}`}
                placeholder={x.type === 'web_url' ? t.url : t.payload}
                value={x.type === 'web_url' ? x.url : x.payload}
                onChange={(e) =>
                  p.onChange({
                    ...b,
                    buttons: b.buttons.map((y, j) =>
                      j !== i
                        ? y
                        : y.type === 'web_url'
                          ? { ...y, url: e.target.value }
                          : { ...y, payload: e.target.value },
                    ),
                  })
                }
              />
            </div>
          ))}
          {b.buttons.length < 3 ? (
            <button
              type="button"
              onClick={() =>
                p.onChange({ ...b, buttons: [...b.buttons, { type: 'postback', title: '', payload: '' }] })
              }
            >
              + {t.addButton}
            </button>
          ) : null}
        </>
      ) : null}
      {b.type === 'otn_request' ? (
        <>
          {topicPicker('one_time', b.topicId, (id) => p.onChange({ ...b, topicId: id }))}
          <label>
            {t.otnDescription}
            <input
              aria-label={`${t.otnDescription} ${n}`}
              value={b.description}
              maxLength={65}
              required
              onChange={(e) => p.onChange({ ...b, description: e.target.value })}
            />
            <small className="muted">
              {65 - [...b.description].length} {t.charsLeft}
            </small>
          </label>
          <p className="muted">{t.otnFixedButton}</p>
        </>
      ) : null}
      {b.type === 'recurring_optin' ? (
        <>
          {topicPicker('recurring', b.topicId, (id) => p.onChange({ ...b, topicId: id }))}
          <label>
            {t.topicTitle}
            <input
              value={b.title ?? ''}
              placeholder={t.topicDefault}
              maxLength={65}
              onChange={(e) => p.onChange(strip({ ...b, title: e.target.value }))}
            />
          </label>
          <label>
            {t.buttonLabel}
            <select
              value={b.ctaText ?? ''}
              onChange={(e) =>
                p.onChange(strip({ ...b, ctaText: (e.target.value || undefined) as CtaText | undefined }))
              }
            >
              <option value="">{t.topicDefault}</option>
              {CTA_TEXTS.map((c) => (
                <option key={c} value={c}>
                  {CTA_LABEL[lang][c]}
                </option>
              ))}
            </select>
          </label>
        </>
      ) : null}
      <div className="row">
        <button type="button" onClick={() => p.onMove(-1)}>
          ↑ {t.moveUp}
        </button>
        <button type="button" onClick={() => p.onMove(1)}>
          ↓ {t.moveDown}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => p.onChange(null)}
          aria-label={`${t.delete} ${n}`}
        >
          {t.delete}
        </button>
      </div>
    </fieldset>
  );
}

/** Optional overrides left empty mean "the topic's own": drop them so the API uses the topic's. */
function strip<B extends Block>(b: B): B {
  const out = { ...b } as Record<string, unknown>;
  for (const k of ['title', 'ctaText', 'imageUrl']) if (out[k] === '' || out[k] === undefined) delete out[k];
  return out as B;
}
