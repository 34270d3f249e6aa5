// CSV input for imports: parsed by csv-parse, checked field by field, and every refusal names the
// line it comes from. An import is all or nothing, and it reports every bad line at once (RowErrors),
// so one round of fixes is enough; only a file that cannot be read (header, CSV syntax) stops at once.
import { parse } from 'csv-parse/sync';
import { DomainError } from '../domain/errors.ts';

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  get(column: string): string | null;
  columns: readonly string[];
}

export function rowError(line: number, message: string, column?: string): DomainError {
  return new DomainError('validation_failed', `line ${line}: ${message}`, {
    line,
    ...(column && { column }),
  });
}

/** Parses a CSV text with a header row; `required` columns must be in the header, unknown ones refused. */
export function readCsv(
  text: string,
  opts: {
    required: readonly string[];
    optional: readonly string[];
    prefixed?: readonly string[];
    maxRows: number;
  },
): CsvRecord[] {
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
      trim: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw rowError(err.lines ?? 1, `not valid CSV (${err.message.replace(/^Invalid Record Length: /, '')})`);
  }
  const [head, ...body] = parsed;
  if (!head) throw rowError(1, `the file is empty; expected a header: ${opts.required.join(',')}`);
  const columns = head.record.map((c) => c.toLowerCase());
  for (const c of opts.required) {
    if (!columns.includes(c)) throw rowError(1, `the header has no column "${c}"`, c);
  }
  const seen = new Set<string>();
  for (const c of columns) {
    const known =
      opts.required.includes(c) || opts.optional.includes(c) || opts.prefixed?.some((p) => c.startsWith(p));
    if (!known) throw rowError(1, `unknown column "${c}"`, c);
    if (seen.has(c)) throw rowError(1, `column "${c}" appears twice`, c);
    seen.add(c);
  }
  if (body.length > opts.maxRows)
    throw rowError(opts.maxRows + 2, `more than ${opts.maxRows} rows in one import`);
  const index = new Map(columns.map((c, i) => [c, i]));
  // info.lines is the line a record ends on; it started earlier by the line breaks quoted inside it.
  return body.map(({ record, info }) => {
    const line = info.lines - record.reduce((n, f) => n + (f.match(/\r?\n/g)?.length ?? 0), 0);
    return {
      line,
      columns,
      get(column: string) {
        const i = index.get(column);
        const v = i === undefined ? undefined : record[i];
        return v === undefined || v === '' ? null : v;
      },
    };
  });
}

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** An ISO 8601 date or date-time with its offset (a time without one would be read in the server's zone). */
export function parseTime(r: CsvRecord, column: string): Date | null {
  const v = r.get(column);
  if (v === null) return null;
  const d = new Date(v);
  if (!ISO_DATE_TIME.test(v) || Number.isNaN(d.getTime())) {
    throw rowError(
      r.line,
      `${column} "${v}" is not an ISO 8601 date or date-time with offset (2026-03-02T10:00:00+07:00)`,
      column,
    );
  }
  return d;
}

export function requireField(r: CsvRecord, column: string): string {
  const v = r.get(column);
  if (v === null) throw rowError(r.line, `${column} is required`, column);
  return v;
}

export function checkLength(r: CsvRecord, column: string, value: string | null, max: number): string | null {
  if (value !== null && [...value].length > max)
    throw rowError(r.line, `${column} is longer than ${max} characters`, column);
  return value;
}

/** A PSID or token: one word, no spaces. */
export function checkId(r: CsvRecord, column: string, value: string, max: number): string {
  if (/\s/.test(value) || value.length > max) {
    throw rowError(r.line, `${column} must be one word of at most ${max} characters`, column);
  }
  return value;
}

export interface BadLine {
  line: number;
  column?: string;
  message: string;
}

/** Shown in the message; `details.errors` carries every bad line up to MAX_REPORTED. */
const MAX_IN_MESSAGE = 20;
const MAX_REPORTED = 1000;

/** Collects the refusals of every row, then refuses the whole import with all of them (or none). */
export class RowErrors {
  readonly lines: BadLine[] = [];
  private total = 0;

  /** Runs one row's checks; a refusal naming a line is kept and `undefined` returned, anything else thrown. */
  async check<T>(line: number, fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (raw) {
      const e = withLine(line, raw);
      if (!(e instanceof DomainError) || typeof e.details?.line !== 'number') throw e;
      this.total++;
      if (this.lines.length < MAX_REPORTED) {
        const column = typeof e.details.column === 'string' ? e.details.column : undefined;
        this.lines.push({ line: e.details.line, ...(column && { column }), message: e.message });
      }
      return undefined;
    }
  }

  /** Throws one `validation_failed` listing every bad line, the first one's number in `details.line`. */
  throwIfAny(): void {
    if (this.total === 0) return;
    const shown = this.lines.slice(0, MAX_IN_MESSAGE).map((b) => b.message);
    const more = this.total > shown.length ? `; … and ${this.total - shown.length} more` : '';
    const summary = `${this.total} bad line${this.total === 1 ? '' : 's'}; nothing was imported`;
    throw new DomainError('validation_failed', `${shown.join('; ')}${more} (${summary})`, {
      line: this.lines[0]!.line,
      ...(this.lines[0]!.column && { column: this.lines[0]!.column }),
      badLines: this.total,
      errors: this.lines,
    });
  }
}

/** Re-raises a domain refusal (a label rule, say) with the line it came from. */
export function atLine<T>(line: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw withLine(line, e);
  }
}

function withLine(line: number, e: unknown): unknown {
  if (e instanceof DomainError && e.details?.line === undefined) {
    return new DomainError(e.code, `line ${line}: ${e.message}`, { ...e.details, line });
  }
  return e;
}
