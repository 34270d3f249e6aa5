import { describe, expect, it } from 'vitest';
import { validateBlocks } from './assistant.ts';
import { validateCampaign } from './campaigns.ts';
import { isDomainError } from './errors.ts';
import { isBlank, requireText } from './text.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (e) {
    return isDomainError(e) ? { code: e.code, field: e.details?.field } : 'not a DomainError';
  }
};

describe('blank text (issue 10 item 7)', () => {
  it.each([
    ['', true],
    ['   ', true],
    ['\t\n\r ', true],
    ['\u00A0\u3000', true], // no-break space, ideographic space
    ['\u200B\u200D\uFEFF\u2060', true], // zero-width characters render as nothing
    ['a', false],
    [' 👍 ', false],
    ['  xin chào  ', false],
  ])('isBlank(%j) is %s', (text, blank) => {
    expect(isBlank(text)).toBe(blank);
  });

  it('requireText refuses blank text with blank_text, the field and a sentence in vi and en', () => {
    expect(requireText(' hi ', 'text')).toBe(' hi ');
    try {
      requireText(' \n ', 'text');
      expect.unreachable();
    } catch (e) {
      expect(isDomainError(e, 'blank_text')).toBe(true);
      const details = (e as { details: Record<string, string> }).details;
      expect(details.field).toBe('text');
      expect(details.vi).toMatch(/trống/);
      expect(details.en).toMatch(/blank/);
    }
  });

  it('R9b: campaign content, button titles and name refuse blank text, including a text that is only placeholders', () => {
    const base = { name: 'Sale', audience: {}, allowDefer: false };
    const check = (o: object) => codeOf(() => validateCampaign({ ...base, ...o } as never));
    expect(check({ content: { type: 'text', text: '   ' } })).toEqual({
      code: 'blank_text',
      field: 'content.text',
    });
    // Blank for every customer without a first name: refused until it has words or a fallback.
    expect(check({ content: { type: 'text', text: ' {{first_name}} ' } })).toEqual({
      code: 'blank_text',
      field: 'content.text',
    });
    expect(check({ content: { type: 'text', text: '{{first_name|bạn}}' } })).toBeNull();
    expect(
      check({ content: { type: 'buttons', text: 'Hi', buttons: [{ type: 'postback', title: '  ' }] } }),
    ).toEqual({ code: 'blank_text', field: 'content.buttons' });
    expect(check({ name: ' ', content: { type: 'text', text: 'hi' } })).toEqual({
      code: 'blank_text',
      field: 'name',
    });
  });

  it('chat assistant blocks refuse blank text, button titles and descriptions', () => {
    const check = (block: object) => codeOf(() => validateBlocks([block]));
    expect(check({ type: 'text', text: ' \u200B ' })).toMatchObject({ code: 'blank_text' });
    expect(
      check({ type: 'buttons', text: 'Hi', buttons: [{ type: 'postback', title: '   ', payload: 'P' }] }),
    ).toMatchObject({ code: 'blank_text' });
    expect(check({ type: 'otn_request', topicId: 1, description: '\t' })).toMatchObject({
      code: 'blank_text',
    });
    expect(check({ type: 'text', text: 'Chào bạn' })).toBeNull();
  });
});
