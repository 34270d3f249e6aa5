// The one CSV writer: every cell a spreadsheet would run as a formula is neutralised (OWASP).
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLines } from './csv.ts';

describe('CSV cells', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1+1', "'+1+1"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['plain', 'plain'],
    ['a=1', 'a=1'],
    ['', ''],
  ])('trust: a text cell %j is written as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('numbers, dates, null and objects become plain text; objects as JSON', () => {
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(csvCell({ a: 1 })).toBe('{"a":1}');
  });

  it('lines quote what needs quoting and read back to the neutralised cells', () => {
    const text = csvLines([
      ['id', 'name'],
      [1, '=HYPERLINK("x","y")'],
      [2, 'a,b\r\nc'],
    ]);
    expect(parse(text)).toEqual([
      ['id', 'name'],
      ['1', `'=HYPERLINK("x","y")`],
      ['2', 'a,b\r\nc'],
    ]);
  });
});
