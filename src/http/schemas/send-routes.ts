// The route of a message as the API shows it (R12h): GET /api/customers/:id/route, the `route` of a send
// response, and the campaign dry run's route counts. The console reads the same shape (web/src/api.ts).
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { MESSAGE_KINDS, ROUTE_SENDERS, ROUTES } from '../../domain/send-routes.ts';

// Schemas import nothing but TypeBox and the domain (architecture test), so these two are local.
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });

export const RouteName = Type.Union(ROUTES.map((r) => Type.Literal(r)));

export const RouteQuery = Type.Object(
  {
    kind: Type.Union(
      MESSAGE_KINDS.map((k) => Type.Literal(k)),
      { default: 'free_text' },
    ),
    topicId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
    /** `utility_event`: the template picked; absent = the page's first APPROVED template, if any. */
    templateId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
    sender: Type.Union(
      ROUTE_SENDERS.map((s) => Type.Literal(s)),
      { default: 'agent' },
    ),
  },
  { additionalProperties: false },
);

const Money = Type.Object({ currency: Type.String(), amount: Type.Number() });

export const RoutePreview = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    route: RouteName,
    /** False for a route this version has no sending code for (every R12 route is sendable today). */
    sendable: Type.Boolean(),
    messagingType: Nullable(Type.String()),
    tag: Nullable(Type.String()),
    template: Nullable(Type.Object({ id: Type.Integer(), name: Type.String(), language: Type.String() })),
    /**
     * marketing_message: the price of one message when known (the page's live message campaign commits
     * Meta's estimate per send); otherwise the campaign wizard's route estimate asks Meta.
     */
    estimate: Type.Optional(Money),
  }),
  Type.Object({
    ok: Type.Literal(false),
    route: Nullable(RouteName),
    reason: Type.String(),
    text: Type.Object({ vi: Type.String(), en: Type.String() }),
    nextAt: Nullable(DateTime),
  }),
]);

/** POST /api/campaigns/:id/dry-run (R9c, R12h): the response, serialised by this schema. */
export const DryRunResult = Type.Object({
  audience: Type.Integer(),
  reachable: Type.Integer(),
  deferred: Type.Integer(),
  /** Why the rest would not get the message (R9c), by reason code. */
  skipped: Type.Record(Type.String(), Type.Integer()),
  estimatedSeconds: Type.Number(),
  /** R12h: recipients per route name (RouteName), and the others by refusal reason. */
  routes: Type.Record(Type.String(), Type.Integer()),
  refusals: Type.Record(Type.String(), Type.Integer()),
  routeNotAvailable: Type.Integer(),
  /** R14d: the paid recipients at Meta's estimated unit price, in the currency's smallest unit; absent while unknown. */
  estimate: Type.Optional(Money),
});

export type RouteQuery = Static<typeof RouteQuery>;
export type RoutePreview = Static<typeof RoutePreview>;
export type DryRunResult = Static<typeof DryRunResult>;
