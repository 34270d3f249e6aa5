// The topic bodies the API validates (R5). The console's TopicInput is Static<typeof TopicCreateBody>,
// so this module imports only TypeBox and the domain (web/ may import its types; see test/architecture).
import { type Static, Type } from '@sinclair/typebox';
import { CTA_TEXTS, FREQUENCIES } from '../../domain/options.ts';

export const topicFields = {
  name: Type.String({ maxLength: 200 }),
  kind: Type.Union([Type.Literal('recurring'), Type.Literal('one_time')]),
  title: Type.String({ maxLength: 500 }),
  imageUrl: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
  ctaText: Type.Union([...CTA_TEXTS.map((c) => Type.Literal(c)), Type.Null()]),
  frequency: Type.Union([...FREQUENCIES.map((f) => Type.Literal(f)), Type.Null()]),
  validityMonths: Type.Union([Type.Integer(), Type.Null()]),
};
export const TopicCreateBody = Type.Object(
  {
    name: topicFields.name,
    kind: topicFields.kind,
    title: topicFields.title,
    imageUrl: Type.Optional(topicFields.imageUrl),
    ctaText: Type.Optional(topicFields.ctaText),
    frequency: Type.Optional(topicFields.frequency),
    validityMonths: Type.Optional(topicFields.validityMonths),
  },
  { additionalProperties: false },
);
export const TopicEditBody = Type.Partial(TopicCreateBody, { additionalProperties: false });

export type TopicKind = Static<typeof topicFields.kind>;
export type TopicInput = Static<typeof TopicCreateBody>;
