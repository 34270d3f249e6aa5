// R5: what a topic is and what may be done to it. Validation returns a normalised draft or throws a
// DomainError with a stable code; storage enforces uniqueness with an index and reports the same code.
import { DomainError } from './errors.ts';
import type { TopicKind, TopicState } from './model.ts';
import { CTA_TEXTS, type CtaText, FREQUENCIES, type Frequency, LIMITS } from './platform.ts';
import { isBlank, requireText } from './text.ts';

export interface TopicInput {
  name?: unknown;
  kind?: unknown;
  title?: unknown;
  imageUrl?: unknown;
  ctaText?: unknown;
  frequency?: unknown;
  validityMonths?: unknown;
}

export type TopicDraft = Omit<TopicState, 'id' | 'active'>;

const NAME_MAX = 100;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.trim() : null;
}

/** A name or title: missing or "" is `*_required`; present but only spaces is `blank_text`. */
function text(v: unknown, field: string): string | null {
  if (typeof v === 'string' && v !== '' && isBlank(v)) requireText(v, field);
  return str(v);
}

/** Validates a new topic, or an edit merged over the current one (kind cannot change: its tokens are of it). */
export function validateTopic(input: TopicInput, current?: TopicState): TopicDraft {
  const merged: TopicInput = current
    ? {
        name: current.name,
        kind: current.kind,
        title: current.title,
        imageUrl: current.imageUrl,
        ctaText: current.ctaText,
        frequency: current.frequency,
        validityMonths: current.validityMonths,
        ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
      }
    : input;

  const kind = merged.kind;
  if (kind !== 'recurring' && kind !== 'one_time') {
    throw new DomainError('invalid_kind', 'A topic kind is "recurring" or "one_time".');
  }
  if (current && kind !== current.kind) {
    throw new DomainError(
      'kind_change_refused',
      'The kind of a topic cannot change; create a new topic instead.',
    );
  }
  const name = text(merged.name, 'name');
  if (!name) throw new DomainError('name_required', 'A topic needs a name.');
  if (name.length > NAME_MAX) {
    throw new DomainError('name_too_long', `A topic name is at most ${NAME_MAX} characters.`);
  }
  const title = text(merged.title, 'title');
  if (!title) throw new DomainError('title_required', 'A topic needs a title for its opt-in card.');
  if ([...title].length > LIMITS.titleMax) {
    throw new DomainError(
      'title_too_long',
      `The opt-in title is at most ${LIMITS.titleMax} characters (Meta's limit).`,
      {
        max: LIMITS.titleMax,
        length: [...title].length,
      },
    );
  }
  const imageUrl = merged.imageUrl === null || merged.imageUrl === undefined ? null : str(merged.imageUrl);
  if (imageUrl !== null && imageUrl !== '' && !/^https?:\/\/\S+$/i.test(imageUrl)) {
    throw new DomainError('invalid_image_url', 'The image must be an http(s) URL.');
  }

  let frequency: Frequency | null = null;
  let ctaText: CtaText | null = null;
  let validityMonths: number | null = null;
  if (kind === 'one_time') {
    // R5a: an OTN card has the fixed "Notify me" button and no frequency.
    if (input.frequency !== undefined && input.frequency !== null) {
      throw new DomainError('frequency_on_otn', 'A one-time (OTN) topic has no frequency.');
    }
    if (input.ctaText !== undefined && input.ctaText !== null) {
      throw new DomainError('cta_on_otn', 'The OTN button label is fixed ("Notify me").');
    }
  } else {
    if (merged.frequency === undefined || merged.frequency === null) {
      throw new DomainError(
        'frequency_required',
        'A recurring topic needs a frequency: DAILY, WEEKLY or MONTHLY.',
      );
    }
    if (!(FREQUENCIES as readonly unknown[]).includes(merged.frequency)) {
      throw new DomainError('invalid_frequency', 'The frequency is DAILY, WEEKLY or MONTHLY.');
    }
    frequency = merged.frequency as Frequency;
    const cta = merged.ctaText ?? 'GET_UPDATES';
    if (!(CTA_TEXTS as readonly unknown[]).includes(cta)) {
      throw new DomainError('invalid_cta_text', `The button label is one of ${CTA_TEXTS.join(', ')}.`);
    }
    ctaText = cta as CtaText;
    if (merged.validityMonths !== undefined && merged.validityMonths !== null) {
      const m = merged.validityMonths;
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 24) {
        throw new DomainError('invalid_validity', 'The validity is a whole number of months from 1 to 24.');
      }
      validityMonths = m;
    }
  }
  return {
    name,
    kind: kind as TopicKind,
    title,
    imageUrl: imageUrl || null,
    ctaText,
    frequency,
    validityMonths,
  };
}

/** R5c: a topic with live (held) subscriptions cannot be deleted; deactivate it instead. */
export function assertDeletable(liveSubscriptions: number): void {
  if (liveSubscriptions > 0) {
    throw new DomainError(
      'topic_has_live_subscriptions',
      `The topic has ${liveSubscriptions} live subscription(s); deactivate it instead of deleting it.`,
      { liveSubscriptions },
    );
  }
}
