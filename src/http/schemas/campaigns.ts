// The campaign bodies the API validates (R9a/b). The console's CampaignContent, Audience and create body
// are Static<> of these, so this module imports only TypeBox (web/ may import its types).
import { type Static, Type } from '@sinclair/typebox';

export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
export const DateTime = Type.String({ format: 'date-time' });
export const CampaignButton = Type.Union([
  Type.Object(
    { type: Type.Literal('postback'), title: Type.String({ maxLength: 20 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('url'),
      title: Type.String({ maxLength: 20 }),
      url: Type.String({ maxLength: 2000 }),
    },
    { additionalProperties: false },
  ),
]);
export const CampaignContent = Type.Union([
  Type.Object(
    { type: Type.Literal('text'), text: Type.String({ maxLength: 2000 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('buttons'),
      text: Type.String({ maxLength: 640 }),
      buttons: Type.Array(CampaignButton, { maxItems: 3 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('image'), url: Type.String({ maxLength: 2000 }) },
    { additionalProperties: false },
  ),
]);
export const CampaignAudience = Type.Object(
  {
    labels: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
    lastInteractionFrom: Type.Optional(DateTime),
    lastInteractionTo: Type.Optional(DateTime),
    optedInFrom: Type.Optional(DateTime),
    optedInTo: Type.Optional(DateTime),
    attributes: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 100 }),
        Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
      ),
    ),
  },
  { additionalProperties: false },
);
export const CampaignCreateBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    topicId: Id,
    content: CampaignContent,
    audience: Type.Optional(CampaignAudience),
    allowDefer: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** A draft is edited in place with any subset of the create body (issue 10.9). */
export const CampaignDraftBody = Type.Partial(CampaignCreateBody, { additionalProperties: false });

export type CampaignContent = Static<typeof CampaignContent>;
export type CampaignAudience = Static<typeof CampaignAudience>;
export type CampaignCreateBody = Static<typeof CampaignCreateBody>;
export type CampaignDraftBody = Static<typeof CampaignDraftBody>;
