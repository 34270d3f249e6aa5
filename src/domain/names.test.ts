import { describe, expect, it } from 'vitest';
import { personalise } from './campaigns.ts';
import { givenName, nameOrder, splitName } from './names.ts';

describe('R9b: {{first_name}} is the given name', () => {
  it.each([
    ['Trần Văn An', 'family_first', 'An'],
    ['Nguyễn Thị Lan', 'family_first', 'Lan'],
    ['Nguyen Van An', 'family_first', 'An'], // written without diacritics
    ['Đặng Ngọc Trâm', 'family_first', 'Trâm'],
    ['Kim Ngọc Ánh', 'family_first', 'Ánh'], // a rarer family name, known by its letters
    ['James Nguyen', 'given_first', 'James'],
    ['Emily Carter', 'given_first', 'Emily'],
    ['An Nguyễn', 'given_first', 'An'], // Vietnamese, written the Western way
    ['Madonna', 'given_first', 'Madonna'],
  ] as const)('R9b: %s is %s → %s', (name, order, given) => {
    expect(nameOrder(name)).toBe(order);
    expect(givenName({ firstName: null, name })).toBe(given);
  });

  it("R9b: Meta's first_name profile field wins over any full name", () => {
    expect(givenName({ firstName: 'James', name: 'Nguyen James' })).toBe('James');
    expect(givenName({ firstName: '  ', name: 'Trần Văn An' })).toBe('An');
    expect(givenName({ firstName: null, name: null })).toBeNull();
  });

  it('R9b: a full name alone splits into given and family name by its order', () => {
    expect(splitName('Trần Văn An')).toEqual({ firstName: 'An', lastName: 'Trần Văn' });
    expect(splitName('Emily Carter')).toEqual({ firstName: 'Emily', lastName: 'Carter' });
    expect(splitName('Madonna')).toEqual({ firstName: 'Madonna', lastName: null });
  });

  it('R9b: personalise fills {{first_name}} from the given name in both orders', () => {
    const hi = (name: string) =>
      personalise('Chào {{first_name}}!', { firstName: null, lastName: null, name });
    expect(hi('James Nguyen')).toBe('Chào James!');
    expect(hi('Trần Văn An')).toBe('Chào An!');
  });
});
