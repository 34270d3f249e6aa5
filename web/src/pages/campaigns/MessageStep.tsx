// The campaign message (R9b): a text, a text with up to 3 buttons, or one image; {{first_name}}
// personalisation; previewed as the customer will see it (with a sample first name). Links are checked
// where they are typed, with the server's own rule (src/domain/urls.ts).
import { useState } from 'react';
import { isHttpUrl } from '../../../../src/domain/urls.ts';
import type { CampaignContent, Topic } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';

const SAMPLE = { vi: 'Lan', en: 'Emily' };

/** The message's fields that the server would refuse, by field key (for the wizard's Next). */
export function messageProblems(c: CampaignContent): string[] {
  if (c.type === 'image') return isHttpUrl(c.url) ? [] : ['url'];
  const out = c.text.trim() ? [] : ['text'];
  if (c.type === 'buttons')
    c.buttons.forEach((b, i) => {
      if (!b.title.trim()) out.push(`title${i}`);
      if (b.type === 'url' && !isHttpUrl(b.url)) out.push(`url${i}`);
    });
  return out;
}

export function MessageStep(p: {
  name: string;
  setName(v: string): void;
  content: CampaignContent;
  setContent(c: CampaignContent): void;
  topic: Topic | undefined;
}) {
  const { t, lang } = useI18n();
  const c = p.content;
  // A field says it is wrong once the shop has left it (then live while they fix it).
  const [left, setLeft] = useState<Set<string>>(new Set());
  const leave = (k: string) => setLeft((s) => new Set(s).add(k));
  // A link is checked as it is typed; an empty field only once it was left.
  const typed = (k: string) => k.startsWith('url') && (c.type !== 'image' || c.url !== '');
  const bad = new Set(messageProblems(c).filter((k) => left.has(k) || typed(k)));
  const personal = (s: string) => s.replaceAll('{{first_name}}', SAMPLE[lang]);
  const insert = () => {
    if (c.type !== 'image') p.setContent({ ...c, text: `${c.text}{{first_name}}` });
  };
  const fieldError = (k: string, text: string) =>
    bad.has(k) ? (
      <small className="error" id={`err-${k}`}>
        {text}
      </small>
    ) : null;
  const urlError = (k: string) => fieldError(k, t.badUrl);
  return (
    <div className="split">
      <div className="form">
        <label>
          {t.campaignName}
          <input value={p.name} onChange={(e) => p.setName(e.target.value)} placeholder={p.topic?.name} />
        </label>
        <p className="muted">
          {t.promiseNote} {p.topic ? `“${p.topic.title}”` : ''}
        </p>
        {c.type === 'image' ? (
          <label>
            {t.url}
            <input
              value={c.url}
              placeholder="https://…"
              aria-invalid={bad.has('url')}
              aria-describedby={bad.has('url') ? 'err-url' : undefined}
              onBlur={() => leave('url')}
              onChange={(e) => p.setContent({ ...c, url: e.target.value })}
            />
            {urlError('url')}
          </label>
        ) : (
          <>
            <label>
              {t.text}
              <textarea
                aria-label={t.text}
                value={c.text}
                rows={3}
                maxLength={c.type === 'buttons' ? 640 : 2000}
                aria-invalid={bad.has('text')}
                aria-describedby={bad.has('text') ? 'err-text' : undefined}
                onBlur={() => leave('text')}
                onChange={(e) => p.setContent({ ...c, text: e.target.value })}
              />
              {fieldError('text', t.textRequired)}
            </label>
            <button type="button" onClick={insert}>
              {t.insertFirstName}
            </button>
          </>
        )}
        {c.type === 'buttons'
          ? c.buttons.map((b, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity
              <div className="button-fields" key={i}>
                <input
                  aria-label={`${t.buttonTitle} ${i + 1}`}
                  placeholder={t.buttonTitle}
                  maxLength={20}
                  value={b.title}
                  aria-invalid={bad.has(`title${i}`)}
                  aria-describedby={bad.has(`title${i}`) ? `err-title${i}` : undefined}
                  onBlur={() => leave(`title${i}`)}
                  onChange={(e) =>
                    p.setContent({
                      ...c,
                      buttons: c.buttons.map((x, j) => (j === i ? { ...x, title: e.target.value } : x)),
                    })
                  }
                />
                <input
                  aria-label={`${t.url} ${i + 1}`}
                  placeholder={`${t.url} (${t.none})`}
                  value={b.type === 'url' ? b.url : ''}
                  aria-invalid={bad.has(`url${i}`)}
                  aria-describedby={bad.has(`url${i}`) ? `err-url${i}` : undefined}
                  onBlur={() => leave(`url${i}`)}
                  onChange={(e) =>
                    p.setContent({
                      ...c,
                      buttons: c.buttons.map((x, j) =>
                        j !== i
                          ? x
                          : e.target.value
                            ? { type: 'url', title: x.title, url: e.target.value }
                            : { type: 'postback', title: x.title },
                      ),
                    })
                  }
                />
                {fieldError(`title${i}`, t.buttonTitleRequired)}
                {urlError(`url${i}`)}
              </div>
            ))
          : null}
        {c.type === 'buttons' && c.buttons.length < 3 ? (
          <button
            type="button"
            onClick={() => p.setContent({ ...c, buttons: [...c.buttons, { type: 'postback', title: '' }] })}
          >
            + {t.addButton}
          </button>
        ) : null}
      </div>
      <figure className="phone-frame" aria-label={t.preview}>
        {c.type === 'image' ? (
          c.url ? (
            <img className="bubble-img" src={c.url} alt="" />
          ) : (
            <div className="bubble">🖼</div>
          )
        ) : c.type === 'buttons' ? (
          <div className="tpl">
            <div className="tpl__text">{personal(c.text) || '…'}</div>
            {c.buttons.map((b, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity
              <span key={i} className="tpl__btn">
                {b.title || '…'}
              </span>
            ))}
          </div>
        ) : (
          <div className="bubble" data-testid="campaign-preview">
            {personal(c.text) || '…'}
          </div>
        )}
      </figure>
    </div>
  );
}
