// Blank text (issue 10, item 7): a text made only of spaces, line breaks or invisible characters is
// refused everywhere a person writes one — replies, notifications, campaign content, chat assistant
// blocks, topic names and titles — so nothing blank is sent or spends an allowance.
import { DomainError } from './errors.ts';
import type { Bilingual } from './model.ts';

// Unicode white space (what trim() removes) plus zero-width characters that render as nothing.
const INVISIBLE = /[\s\u200B-\u200D\u2060\uFEFF]/gu;

export function isBlank(text: string): boolean {
  return text.replace(INVISIBLE, '') === '';
}

export const BLANK_TEXT: Bilingual = {
  vi: 'Nội dung đang để trống (chỉ có khoảng trắng). Hãy nhập nội dung.',
  en: 'The text is blank (only spaces). Write something.',
};

/** Throws `blank_text` naming the field (and the sentence in vi and en); returns the text as given. */
export function requireText(text: string, field: string): string {
  if (isBlank(text)) {
    throw new DomainError('blank_text', `${field}: ${BLANK_TEXT.en}`, { field, ...BLANK_TEXT });
  }
  return text;
}
