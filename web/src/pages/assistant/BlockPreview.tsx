// How one assistant block looks in Messenger: bubbles, quick-reply chips, button templates, opt-in cards.
import type { Block, Lang, Topic } from '../../api.ts';
import { OptInCard } from '../../components/OptInCard.tsx';

export function BlockPreview(p: { block: Block; topics: Topic[]; lang: Lang; pageName: string }) {
  const b = p.block;
  switch (b.type) {
    case 'text':
      return (
        <div className="bubbles">
          <div className="bubble bubble--page">{b.text || '…'}</div>
          {b.quickReplies?.length ? (
            <div className="chips">
              {b.quickReplies.map((q) => (
                <span key={q.payload + q.title} className="chip">
                  {q.title}
                </span>
              ))}
            </div>
          ) : null}
        </div>
      );
    case 'image':
      return b.url ? (
        <img className="bubble-img" src={b.url} alt="" />
      ) : (
        <div className="bubble bubble--page">🖼</div>
      );
    case 'buttons':
      return (
        <div className="tpl">
          <div className="tpl__text">{b.text || '…'}</div>
          {b.buttons.map((x) => (
            <span key={x.title + x.type} className="tpl__btn">
              {x.title}
            </span>
          ))}
        </div>
      );
    case 'otn_request':
      return <OptInCard kind="one_time" title={b.description} lang={p.lang} />;
    case 'recurring_optin': {
      const topic = p.topics.find((x) => x.id === b.topicId);
      return (
        <OptInCard
          kind="recurring"
          title={b.title ?? topic?.title ?? ''}
          imageUrl={b.imageUrl ?? topic?.imageUrl ?? null}
          ctaText={b.ctaText ?? topic?.ctaText ?? 'GET_UPDATES'}
          frequency={topic?.frequency ?? null}
          lang={p.lang}
          pageName={p.pageName}
        />
      );
    }
  }
}
