// Issue 10 item 8: every error code the server can answer has a vi and an en sentence in the console's
// dictionary (web/src/errors.ts). The codes are collected from the source, so a code someone adds later
// (a new DomainError code, an errorBody/HttpError in a route, a refusal reason, a Graph error class)
// fails here until it is translated.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_ERROR_CODES } from '../src/domain/errors.ts';
import { REASON_TEXT } from '../src/domain/reasons.ts';
import { ApiError, describeError, ERROR_TEXT, errorText } from '../web/src/errors.ts';

const SRC = path.resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    // The sandbox is Meta's stand-in: its errors are Graph's, which reach the console as graph_* codes.
    if (e.isDirectory()) return e.name === 'sandbox' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const PATTERNS = [
  /new DomainError\(\s*'([a-z0-9_]+)'/g,
  /errorBody\(\s*'([a-z0-9_]+)'/g,
  /new HttpError\(\s*\d+,\s*'([a-z0-9_]+)'/g,
  /error: \{\s*code: '([a-z0-9_]+)'/g,
  /FST_ERR_[A-Z_]+: '([a-z0-9_]+)'/g,
  /fe\.code \?\? '([a-z0-9_]+)'/g,
];

function serverCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const code of DOMAIN_ERROR_CODES) found.set(code, 'src/domain/errors.ts DOMAIN_ERROR_CODES');
  for (const code of Object.keys(REASON_TEXT)) found.set(code, 'src/domain/reasons.ts (refusal reasons)');
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const re of PATTERNS) for (const m of text.matchAll(re)) found.set(m[1]!, path.relative(SRC, file));
    // A Graph failure answers `graph_<class>`: every class of the send-error table is a code.
    if (text.includes('`graph_${')) {
      const table = readFileSync(path.join(SRC, 'domain/send-errors.ts'), 'utf8');
      const union = /export type SendErrorClass =([^;]+);/.exec(table)?.[1] ?? '';
      for (const m of union.matchAll(/\| '([a-z_]+)'/g)) found.set(`graph_${m[1]}`, path.relative(SRC, file));
    }
  }
  return found;
}

describe('error dictionary (web/src/errors.ts)', () => {
  const codes = serverCodes();

  it('the scan finds the codes of every source (domain, http table, routes, reasons, Graph classes)', () => {
    for (const code of [
      'duplicate_topic_name',
      'invalid_credentials',
      'rate_limited',
      'cooldown',
      'graph_unknown',
      'bad_request',
    ])
      expect(codes.has(code), code).toBe(true);
  });

  it('every code the server can answer has a vi and an en sentence', () => {
    const missing = [...codes].filter(([code]) => !ERROR_TEXT[code]?.vi || !ERROR_TEXT[code]?.en);
    expect(missing.map(([code, where]) => `${code} (${where})`)).toEqual([]);
  });

  it('the vi and en sentences differ (a vi sentence is not an English copy)', () => {
    const same = Object.entries(ERROR_TEXT).filter(([, t]) => t.vi === t.en);
    expect(same.map(([c]) => c)).toEqual([]);
  });

  it("a server error is shown in the reader's language, not the server's English message", () => {
    const e = new ApiError(409, 'duplicate_topic_name', 'A topic named "Sale" already exists on this page.');
    expect(e.text('vi')).toBe(ERROR_TEXT.duplicate_topic_name!.vi);
    expect(e.text('en')).toBe(ERROR_TEXT.duplicate_topic_name!.en);
    const graph = new ApiError(502, 'graph_token_invalid', '(#100) The parameter recipient is invalid');
    expect(graph.text('vi')).not.toContain('(#100)');
    expect(graph.text('vi')).toContain('đăng ký lại');
  });

  it('R1d: the refusal sentence the server sent (vi/en) wins over the dictionary', () => {
    const e = new ApiError(422, 'cooldown', 'x', { vi: 'câu của máy chủ', en: "the server's sentence" });
    expect(e.text('vi')).toBe('câu của máy chủ');
  });

  it('an unknown code never shows raw English to a vi reader; network failures have a sentence', () => {
    const text = describeError(
      { code: 'brand_new_code', message: 'Something odd happened.', status: 400 },
      'vi',
    );
    expect(text).not.toContain('Something odd');
    expect(text).toContain('brand_new_code');
    expect(describeError({ code: 'x', message: 'Boom', status: 503 }, 'vi')).toBe(
      `${ERROR_TEXT.internal_error!.vi} (x)`,
    );
    expect(errorText(new TypeError('Failed to fetch'), 'vi')).toBe(ERROR_TEXT.network!.vi);
  });
});
