// R12h: the route the next message would take — or the refusal with its reason and the time it could
// go — shown in the composer before anything is sent. It asks the server's resolver (the same one the
// send path uses), so what is shown is what would happen.
import { useEffect, useState } from 'react';
import { api, type RoutePreview } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useTime } from '../../time.ts';

/** Re-asked when the customer or the topic changes; the composer re-mounts it when its mode changes. */
export function RouteLine(p: { customerId: number; topicId: number | null }) {
  const { t, lang } = useI18n();
  const fmt = useTime();
  const [route, setRoute] = useState<RoutePreview>();
  useEffect(() => {
    let live = true;
    const q =
      p.topicId === null
        ? { kind: 'free_text' as const }
        : { kind: 'notification' as const, topicId: p.topicId };
    api.route(p.customerId, { ...q, sender: 'agent' }).then(
      (r) => live && setRoute(r),
      () => live && setRoute(undefined),
    );
    return () => {
      live = false;
    };
  }, [p.customerId, p.topicId]);
  if (!route) return null;
  if (!route.ok) {
    return (
      <p
        className="muted"
        role="status"
        data-testid="route"
        data-route={route.route ?? 'none'}
        data-reason={route.reason}
      >
        {t.routeTitle}: <strong>{route.route ? t[`route_${route.route}`] : t.routeNone}</strong> —{' '}
        {route.text[lang]}
        {route.nextAt ? ` ${t.nextAt}: ${fmt(route.nextAt)}` : ''}
      </p>
    );
  }
  const price =
    route.route === 'marketing_message'
      ? route.estimate
        ? ` · ${t.priceEstimate}: ${route.estimate.amount} ${route.estimate.currency}`
        : ` · ${t.priceSeeDryRun}`
      : '';
  return (
    <p className="muted" role="status" data-testid="route" data-route={route.route}>
      {t.routeTitle}: <strong>{t[`route_${route.route}`]}</strong>
      {price}
      {route.sendable ? '' : ` — ${t.routeNotSendable}`}
    </p>
  );
}
