// Utility templates, order-event mappings and order events (R13): the bodies the API validates and the
// rows it answers. The console's types are Static<> of these (web/ may import this module's types).
import { type Static, Type } from '@sinclair/typebox';
import { ORDER_EVENT_TYPES } from '../../domain/order-events.ts';
import { TEMPLATE_LANGUAGES } from '../../domain/utility-templates.ts';

const Language = Type.Union(TEMPLATE_LANGUAGES.map((l) => Type.Literal(l)));
export const TemplateButtonBody = Type.Union([
  Type.Object(
    {
      type: Type.Literal('URL'),
      text: Type.String({ maxLength: 100 }),
      url: Type.String({ maxLength: 2000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('POSTBACK'),
      text: Type.String({ maxLength: 100 }),
      payload: Type.String({ maxLength: 1000 }),
    },
    { additionalProperties: false },
  ),
]);
export const TemplateBody = Type.Object(
  {
    name: Type.String({ maxLength: 512 }),
    language: Language,
    headerText: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    bodyText: Type.String({ maxLength: 2000 }),
    buttons: Type.Optional(Type.Array(TemplateButtonBody, { maxItems: 10 })),
    examples: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 200 }))),
  },
  { additionalProperties: false },
);
export const TemplateCloneBody = Type.Object(
  {
    libraryTemplateName: Type.String({ minLength: 1, maxLength: 512 }),
    name: Type.String({ maxLength: 512 }),
    language: Language,
    buttons: Type.Optional(Type.Array(TemplateButtonBody, { maxItems: 10 })),
  },
  { additionalProperties: false },
);
export const EventType = Type.Union(ORDER_EVENT_TYPES.map((t) => Type.Literal(t)));
export const MappingBody = Type.Object(
  {
    templateId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    params: Type.Record(Type.String(), Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export const OrderEventBody = Type.Object(
  {
    type: EventType,
    orderId: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Integer()])),
    customer: Type.Object(
      {
        psid: Type.Optional(Type.String({ maxLength: 100 })),
        phone: Type.Optional(Type.String({ maxLength: 40 })),
      },
      { additionalProperties: false },
    ),
    fields: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 1000 }), Type.Number()])),
    ),
  },
  { additionalProperties: false },
);
export const UtilitySendBody = Type.Object(
  {
    templateId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    values: Type.Record(Type.String(), Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export const CustomerPhoneBody = Type.Object(
  { phone: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]) },
  { additionalProperties: false },
);

export interface TemplateView {
  id: number;
  pageId: number;
  name: string;
  language: string;
  category: string;
  headerText: string | null;
  bodyText: string;
  buttons: Static<typeof TemplateButtonBody>[];
  parameterFormat: 'NAMED' | 'POSITIONAL';
  parameters: string[];
  examples: Record<string, string>;
  libraryTemplateName: string | null;
  status: string;
  statusReason: string | null;
  statusAt: string;
  sendable: boolean;
  updatedAt: string;
}

export interface MappingView {
  eventType: string;
  templateId: number;
  params: Record<string, string>;
  updatedAt: string;
}

export interface OrderEventView {
  id: number;
  idempotencyKey: string;
  type: string;
  orderId: string | null;
  customer: { psid: string | null; phone: string | null; id: number | null };
  fields: Record<string, string>;
  status: 'pending' | 'sent' | 'sent_as_reply' | 'refused';
  reason: string | null;
  reasonText: { vi: string; en: string } | null;
  templateId: number | null;
  messageId: string | null;
  text: string | null;
  attempts: number;
  createdAt: string;
  settledAt: string | null;
}

export interface LibraryTemplateView {
  id: string;
  name: string;
  language: string;
  category: string;
  topic: string | null;
  usecase: string | null;
  industry: string[];
  header: string | null;
  body: string;
  bodyParams: string[];
  buttons: Array<{ type: string; text: string; url?: string; payload?: string }>;
}

export type TemplateInput = Static<typeof TemplateBody>;
export type TemplateCloneInput = Static<typeof TemplateCloneBody>;
export type MappingInput = Static<typeof MappingBody>;
export type UtilitySendInput = Static<typeof UtilitySendBody>;
