// The dependency direction of docs/ARCHITECTURE.md: the domain imports nothing of the project but
// itself, reads no clock and does no I/O.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DOMAIN = path.resolve(import.meta.dirname, '../src/domain');
const files = readdirSync(DOMAIN).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('architecture', () => {
  it.each(files)('domain/%s imports only the domain and pure libraries', (file) => {
    const text = readFileSync(path.join(DOMAIN, file), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    for (const spec of imports) {
      const ok = spec.startsWith('./') || spec === 'luxon';
      expect(ok, `${file} imports ${spec}`).toBe(true);
    }
    expect(text, `${file} reads the system clock`).not.toMatch(/Date\.now\(|new Date\(\)/);
    expect(text, `${file} does I/O`).not.toMatch(/node:(fs|http|net|child_process)|fetch\(|process\.env/);
  });

  it('the domain folder is not empty (the check above ran on something)', () => {
    expect(files.length).toBeGreaterThan(5);
  });
});
