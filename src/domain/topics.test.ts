import { describe, expect, it } from 'vitest';
import { type DomainErrorCode, isDomainError } from './errors.ts';
import type { TopicState } from './model.ts';
import { CTA_TEXTS } from './platform.ts';
import { assertDeletable, type TopicInput, validateTopic } from './topics.ts';

const recurring: TopicInput = { name: 'Deals', kind: 'recurring', title: 'Daily deals', frequency: 'DAILY' };
const otn: TopicInput = { name: 'Restock', kind: 'one_time', title: 'Tell me when back in stock' };

function current(o: Partial<TopicState> = {}): TopicState {
  return {
    id: 1,
    name: 'Deals',
    kind: 'recurring',
    title: 'Daily deals',
    active: true,
    frequency: 'WEEKLY',
    ctaText: 'SIGN_UP',
    imageUrl: 'https://example.com/a.png',
    validityMonths: 6,
    ...o,
  };
}

function codeOf(fn: () => unknown): DomainErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (e) {
    if (isDomainError(e)) return e.code;
    throw e;
  }
}

describe('R5a topic validation', () => {
  it('R5a: a recurring topic gets the GET_UPDATES button by default and keeps its frequency', () => {
    expect(validateTopic({ ...recurring, title: '  Daily deals  ', imageUrl: '' })).toEqual({
      name: 'Deals',
      kind: 'recurring',
      title: 'Daily deals',
      imageUrl: null,
      ctaText: 'GET_UPDATES',
      frequency: 'DAILY',
      validityMonths: null,
    });
  });

  it.each([...CTA_TEXTS])('R5a: recurring button label %s is accepted', (cta) => {
    expect(validateTopic({ ...recurring, ctaText: cta }).ctaText).toBe(cta);
  });

  it.each(['DAILY', 'WEEKLY', 'MONTHLY'])('R5a: recurring frequency %s is accepted', (f) => {
    expect(validateTopic({ ...recurring, frequency: f }).frequency).toBe(f);
  });

  it('R5a: an OTN topic has no frequency and no button label (fixed "Notify me")', () => {
    expect(validateTopic(otn)).toMatchObject({
      kind: 'one_time',
      frequency: null,
      ctaText: null,
      validityMonths: null,
    });
  });

  it('R5a: a title of exactly 65 characters is accepted', () => {
    expect(validateTopic({ ...recurring, title: 'a'.repeat(65) }).title).toHaveLength(65);
    // counted in characters, not UTF-16 units: 65 emoji are 65 characters
    expect(codeOf(() => validateTopic({ ...recurring, title: '🔔'.repeat(65) }))).toBe('no error');
  });

  it('R5a: a title of 66 characters is refused with title_too_long', () => {
    let err: unknown;
    try {
      validateTopic({ ...recurring, title: 'a'.repeat(66) });
    } catch (e) {
      err = e;
    }
    expect(isDomainError(err, 'title_too_long')).toBe(true);
    expect(isDomainError(err) && err.details).toEqual({ max: 65, length: 66 });
  });

  const refusals: Array<{ id: string; what: string; input: TopicInput; code: DomainErrorCode }> = [
    {
      id: 'R5a',
      what: 'OTN with a frequency',
      input: { ...otn, frequency: 'DAILY' },
      code: 'frequency_on_otn',
    },
    { id: 'R5a', what: 'OTN with a button label', input: { ...otn, ctaText: 'SIGN_UP' }, code: 'cta_on_otn' },
    {
      id: 'R5a',
      what: 'recurring without a frequency',
      input: { ...recurring, frequency: undefined },
      code: 'frequency_required',
    },
    {
      id: 'R5a',
      what: 'recurring with frequency null',
      input: { ...recurring, frequency: null },
      code: 'frequency_required',
    },
    {
      id: 'R5a',
      what: 'recurring with an unknown frequency',
      input: { ...recurring, frequency: 'HOURLY' },
      code: 'invalid_frequency',
    },
    {
      id: 'R5a',
      what: 'recurring with an unknown button label',
      input: { ...recurring, ctaText: 'BUY_NOW' },
      code: 'invalid_cta_text',
    },
    { id: 'R5a', what: 'an unknown kind', input: { ...recurring, kind: 'weekly' }, code: 'invalid_kind' },
    { id: 'R5a', what: 'no name', input: { ...recurring, name: '' }, code: 'name_required' },
    { id: 'R5a', what: 'a blank name', input: { ...recurring, name: '   ' }, code: 'blank_text' },
    { id: 'R5a', what: 'a blank title', input: { ...recurring, title: ' \u200B ' }, code: 'blank_text' },
    {
      id: 'R5a',
      what: 'a name over 100 characters',
      input: { ...recurring, name: 'n'.repeat(101) },
      code: 'name_too_long',
    },
    { id: 'R5a', what: 'no title', input: { ...recurring, title: '' }, code: 'title_required' },
    {
      id: 'R5a',
      what: 'a title of 66 characters',
      input: { ...recurring, title: 'é'.repeat(66) },
      code: 'title_too_long',
    },
    {
      id: 'R5a',
      what: 'an image that is not http(s)',
      input: { ...recurring, imageUrl: 'ftp://x/y.png' },
      code: 'invalid_image_url',
    },
    {
      id: 'R8a',
      what: 'a validity of 0 months',
      input: { ...recurring, validityMonths: 0 },
      code: 'invalid_validity',
    },
    {
      id: 'R8a',
      what: 'a validity of 25 months',
      input: { ...recurring, validityMonths: 25 },
      code: 'invalid_validity',
    },
    {
      id: 'R8a',
      what: 'a fractional validity',
      input: { ...recurring, validityMonths: 1.5 },
      code: 'invalid_validity',
    },
  ];
  it.each(refusals)('$id: $what is refused with $code', ({ input, code }) => {
    expect(codeOf(() => validateTopic(input))).toBe(code);
  });

  it('R8a: a validity of 1 to 24 months overrides the default', () => {
    expect(validateTopic({ ...recurring, validityMonths: 1 }).validityMonths).toBe(1);
    expect(validateTopic({ ...recurring, validityMonths: 24 }).validityMonths).toBe(24);
  });
});

describe('R5a edits', () => {
  it('R5a: the kind of a topic cannot change (recurring → OTN and back)', () => {
    expect(codeOf(() => validateTopic({ kind: 'one_time' }, current()))).toBe('kind_change_refused');
    const otnCurrent = current({ kind: 'one_time', frequency: null, ctaText: null, validityMonths: null });
    expect(codeOf(() => validateTopic({ kind: 'recurring', frequency: 'DAILY' }, otnCurrent))).toBe(
      'kind_change_refused',
    );
  });

  it('R5a: an edit merges over the current topic (only the title changes)', () => {
    expect(validateTopic({ title: 'New title' }, current())).toEqual({
      name: 'Deals',
      kind: 'recurring',
      title: 'New title',
      imageUrl: 'https://example.com/a.png',
      ctaText: 'SIGN_UP',
      frequency: 'WEEKLY',
      validityMonths: 6,
    });
  });

  it('R5a: an edit of an OTN topic may not add a frequency or a button label', () => {
    const otnCurrent = current({ kind: 'one_time', frequency: null, ctaText: null, validityMonths: null });
    expect(codeOf(() => validateTopic({ title: 'Back in stock' }, otnCurrent))).toBe('no error');
    expect(codeOf(() => validateTopic({ frequency: 'DAILY' }, otnCurrent))).toBe('frequency_on_otn');
    expect(codeOf(() => validateTopic({ ctaText: 'GET' }, otnCurrent))).toBe('cta_on_otn');
  });

  it('R5a: an edit may not make the title longer than 65 characters', () => {
    expect(codeOf(() => validateTopic({ title: 'x'.repeat(66) }, current()))).toBe('title_too_long');
  });
});

describe('R5c deletion', () => {
  it('R5c: a topic without live subscriptions can be deleted', () => {
    expect(() => assertDeletable(0)).not.toThrow();
  });
  it('R5c: a topic with live subscriptions cannot be deleted (deactivate instead)', () => {
    expect(codeOf(() => assertDeletable(1))).toBe('topic_has_live_subscriptions');
    expect(codeOf(() => assertDeletable(40))).toBe('topic_has_live_subscriptions');
  });
});
