// The campaign message (R9b): a text, a text with up to 3 buttons, or one image; {{first_name}}
// personalisation; previewed as the customer will see it (with a sample first name).
import type { CampaignContent, Topic } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';

const SAMPLE = { vi: 'Lan', en: 'Emily' };

export function MessageStep(p: {
  name: string;
  setName(v: string): void;
  content: CampaignContent;
  setContent(c: CampaignContent): void;
  topic: Topic | undefined;
}) {
  const { t, lang } = useI18n();
  const c = p.content;
  const personal = (s: string) => s.replaceAll('{{first_name}}', SAMPLE[lang]);
  const insert = () => {
    if (c.type !== 'image') p.setContent({ ...c, text: `${c.text}{{first_name}}` });
  };
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
            <input value={c.url} placeholder="https://…" onChange={(e) => p.setContent({ ...c, url: e.target.value })} />
          </label>
        ) : (
          <>
            <label>
              {t.text}
              <textarea aria-label={t.text} value={c.text} rows={3} maxLength={c.type === 'buttons' ? 640 : 2000} onChange={(e) => p.setContent({ ...c, text: e.target.value })} />
            </label>
            <button type="button" onClick={insert}>
              {t.insertFirstName}
            </button>
          </>
        )}
        {c.type === 'buttons'
          ? c.buttons.map((b, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity
              <div className="row" key={i}>
                <input aria-label={`${t.buttonTitle} ${i + 1}`} placeholder={t.buttonTitle} maxLength={20} value={b.title}
                  onChange={(e) => p.setContent({ ...c, buttons: c.buttons.map((x, j) => (j === i ? { ...x, title: e.target.value } : x)) })} />
                <input aria-label={`${t.url} ${i + 1}`} placeholder={`${t.url} (${t.none})`} value={b.type === 'url' ? b.url : ''}
                  onChange={(e) => p.setContent({ ...c, buttons: c.buttons.map((x, j) => (j !== i ? x : e.target.value ? { type: 'url', title: x.title, url: e.target.value } : { type: 'postback', title: x.title })) })} />
              </div>
            ))
          : null}
        {c.type === 'buttons' && c.buttons.length < 3 ? (
          <button type="button" onClick={() => p.setContent({ ...c, buttons: [...c.buttons, { type: 'postback', title: '' }] })}>
            + {t.addButton}
          </button>
        ) : null}
      </div>
      <div className="phone-frame" aria-label={t.preview}>
        {c.type === 'image' ? (
          c.url ? <img className="bubble-img" src={c.url} alt="" /> : <div className="bubble">🖼</div>
        ) : c.type === 'buttons' ? (
          <div className="tpl">
            <div className="tpl__text">{personal(c.text) || '…'}</div>
            {c.buttons.map((b, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity
              <span key={i} className="tpl__btn">{b.title || '…'}</span>
            ))}
          </div>
        ) : (
          <div className="bubble" data-testid="campaign-preview">{personal(c.text) || '…'}</div>
        )}
      </div>
    </div>
  );
}
