import { describe, expect, it } from 'vitest';
import { isHttpUrl } from './urls.ts';

describe('link rule (R9b, shared by the console and the API)', () => {
  it.each([
    ['https://shop.example/sale', true],
    ['http://shop.example', true],
    [' https://shop.example ', true],
    ['shop.example/sale', false],
    ['javascript:alert(1)', false],
    ['ftp://shop.example', false],
    ['https://', false],
    ['', false],
  ])('%s → %s', (url, ok) => expect(isHttpUrl(url)).toBe(ok));
});
