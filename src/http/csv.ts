// The one way the product writes CSV (audit log, consent history). A spreadsheet runs a cell that
// starts with = + - @ (or a tab / CR, which some importers strip first) as a formula, so such cells get
// a leading single quote, as OWASP recommends: the value is shown as text, never executed.
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell as text: dates as ISO, objects as JSON, null as empty; formula starts neutralised. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** Rows as CSV text (each line ends with \n); quoting and escaping by csv-stringify. */
export function csvLines(rows: readonly (readonly unknown[])[]): string {
  return stringify(rows.map((r) => r.map(csvCell)));
}
