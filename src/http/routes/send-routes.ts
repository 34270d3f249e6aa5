// R12h: the route a message to a customer would take, shown before anything is sent (GET
// /api/customers/:customerId/route?kind=…&topicId=…&sender=…), for the composer, scripts and the CLI.
import { Type } from '@sinclair/typebox';
import { previewRoute, SENDABLE_ROUTES } from '../../app/send-routes.ts';
import type { RouteResolution } from '../../domain/send-routes.ts';
import type { App, ServerDeps } from '../deps.ts';
import { RoutePreview, RouteQuery } from '../schemas/send-routes.ts';

const CustomerParams = Type.Object({ customerId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

/** The wire form of a route decision: the route and how it goes, or the refusal with reason and time. */
export function presentRoute(r: RouteResolution) {
  if (!r.ok) return { ok: false as const, route: r.route, reason: r.reason, text: r.text, nextAt: r.nextAt };
  return {
    ok: true as const,
    route: r.route,
    sendable: SENDABLE_ROUTES.has(r.route),
    messagingType: r.plan?.messagingType ?? null,
    tag: r.plan?.tag ?? null,
    template: r.template ? { id: r.template.id, name: r.template.name, language: r.template.language } : null,
    ...(r.estimate ? { estimate: r.estimate } : {}),
  };
}

export async function sendRouteRoutes(app: App, deps: ServerDeps) {
  app.get(
    '/customers/:customerId/route',
    {
      config: { role: 'agent' },
      schema: {
        tags: ['conversations'],
        summary: 'R12h: the route a message would take now (or why not, and when it could go)',
        params: CustomerParams,
        querystring: RouteQuery,
        response: { 200: RoutePreview },
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const r = await previewRoute(deps.ctx, {
        workspaceId: ws,
        customerId: req.params.customerId,
        sender: req.query.sender,
        kind: req.query.kind,
        ...(req.query.topicId !== undefined && { topicId: req.query.topicId }),
        ...(req.query.templateId !== undefined && { templateId: req.query.templateId }),
      });
      return presentRoute(r);
    },
  );
}
