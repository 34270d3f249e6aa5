// The inbox's query and rows (GET /api/pages/:id/conversations). The console's ConversationRow is
// Static<typeof ConversationItem> with dates as the ISO strings they travel as (web/src/api.ts).
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { LABEL_LIMITS, WINDOW_STATES } from '../../domain/inbox.ts';

export const ConversationsQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Search name, PSID and message text' })),
    window: Type.Optional(Type.Union(WINDOW_STATES.map((w) => Type.Literal(w)))),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: LABEL_LIMITS.maxLength })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    after: Type.Optional(
      Type.String({ maxLength: 200, description: 'The `next` cursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
// Dates leave as ISO strings; the serializer formats the Date objects the use-cases return.
export const DateTime = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });
export const ConversationItem = Type.Object({
  customerId: Type.Integer(),
  psid: Type.String(),
  name: Nullable(Type.String()),
  labels: Type.Array(Type.String()),
  lastInteractionAt: Nullable(DateTime),
  window: Type.Union(WINDOW_STATES.map((w) => Type.Literal(w))),
  unreachableReason: Nullable(Type.String()),
  lastMessage: Nullable(
    Type.Object({
      preview: Type.String({
        description: "One line of what the customer saw (text, card title, buttons' text); '' when wordless",
      }),
      kind: Type.String(),
      direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
      sender: Type.String(),
      at: DateTime,
    }),
  ),
  unread: Type.Boolean({ description: 'The customer wrote last (nothing sent after their latest message)' }),
});

export type ConversationsQuery = Static<typeof ConversationsQuery>;
export type ConversationItem = Static<typeof ConversationItem>;
