// The customer's given name for {{first_name}} (R9b) [D]. Meta's `first_name` profile field wins when we
// have it (or an imported first_name). When only a full name is known, its order decides: Vietnamese
// names are family-first ("Trần Văn An" → "An"), Western names given-first ("James Nguyen" → "James").

// The common Vietnamese family names (about 90 % of people), compared without diacritics.
const VN_FAMILY_NAMES = new Set(
  (
    'nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh dao doan lam mai trinh ' +
    'truong luu quach cao ha kieu ta thai chau la luong tang vuong tong trieu van'
  ).split(' '),
);

// Letters only Vietnamese uses among Latin scripts (ă â đ ê ô ơ ư and the tone marks on vowels).
const VIETNAMESE_LETTERS = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/i;

const fold = (word: string) =>
  word.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

export type NameOrder = 'family_first' | 'given_first';

/**
 * Family-first when the name starts with a Vietnamese family name; else when it is written with
 * Vietnamese letters, unless it ends with a family name ("An Nguyễn", written the Western way);
 * else given-first.
 */
export function nameOrder(fullName: string): NameOrder {
  const words = fullName.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return 'given_first';
  if (VN_FAMILY_NAMES.has(fold(words[0]!))) return 'family_first';
  if (VIETNAMESE_LETTERS.test(fullName) && !VN_FAMILY_NAMES.has(fold(words.at(-1)!))) return 'family_first';
  return 'given_first';
}

/** The given name: the known first name, else the right word of the full name; null when neither. */
export function givenName(who: { firstName: string | null; name: string | null }): string | null {
  const first = who.firstName?.trim();
  if (first) return first;
  const words = (who.name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  return nameOrder(words.join(' ')) === 'family_first' ? words.at(-1)! : words[0]!;
}

/** Splits a full name into given and family name by its order (a seed or an import with one column). */
export function splitName(fullName: string): { firstName: string; lastName: string | null } {
  const words = fullName.trim().split(/\s+/).filter(Boolean);
  if (nameOrder(fullName) === 'family_first') {
    return { firstName: words.at(-1)!, lastName: words.slice(0, -1).join(' ') || null };
  }
  return { firstName: words[0] ?? fullName, lastName: words.slice(1).join(' ') || null };
}
