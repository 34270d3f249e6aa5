// Issue 11 item 5: the console's option lists are the domain's (src/domain/options.ts), not copies, and
// every entry has its words in both languages — so adding a platform profile, a role, a frequency, a CTA
// text or a trigger kind touches the domain and the labels, and this fails until the labels exist.
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import * as domain from '../src/domain/options.ts';
import * as api from '../web/src/api.ts';

// The .tsx modules are type-checked by `tsc -p web` (DOM, JSX); here they are only run, so they are
// loaded by path and typed by what the test reads.
const WEB = path.resolve(import.meta.dirname, '../web/src');
type Dicts = Record<'vi' | 'en', Record<string, string>>;
const i18n = (await import(path.join(WEB, 'i18n.tsx'))) as { DICTS: Dicts; CTA_LABEL: Dicts };
const { RoleSelect } = (await import(path.join(WEB, 'components/RoleSelect.tsx'))) as {
  RoleSelect: (p: { label: string; value: string; onChange(v: string): void }) => never;
};

const LISTS: Array<[string, readonly string[], readonly string[]]> = [
  ['PROFILES', api.PROFILES, domain.PROFILES],
  ['ROLES', api.ROLES, domain.ROLES],
  ['FREQUENCIES', api.FREQUENCIES, domain.FREQUENCIES],
  ['CTA_TEXTS', api.CTA_TEXTS, domain.CTA_TEXTS],
  ['TRIGGER_KINDS', api.TRIGGER_KINDS, domain.TRIGGER_KINDS],
];

describe("the console's lists are the domain's", () => {
  it.each(LISTS)('web/src/api.ts %s is the domain list itself (not a copy)', (_name, console, rules) => {
    expect(console).toBe(rules);
  });

  it('the role picker offers exactly the domain roles, least to most, each labelled', () => {
    const html = renderToStaticMarkup(
      createElement(RoleSelect, { label: 'role', value: 'agent', onChange() {} }),
    );
    const values = [...html.matchAll(/<option value="([^"]+)"[^>]*>([^<]*)</g)];
    expect(values.map((m) => m[1])).toEqual([...domain.ROLES]);
    for (const m of values) expect(m[2], `label of ${m[1]}`).not.toBe('');
  });

  it.each(['vi', 'en'] as const)('%s: every role, trigger kind and CTA text has its words', (lang) => {
    const t = i18n.DICTS[lang];
    for (const r of domain.ROLES) expect(t[`role_${r}`], `role_${r}`).toBeTruthy();
    for (const k of domain.TRIGGER_KINDS) expect(t[`trig_${k}`], `trig_${k}`).toBeTruthy();
    expect(Object.keys(i18n.CTA_LABEL[lang]).sort()).toEqual([...domain.CTA_TEXTS, 'NOTIFY_ME'].sort());
  });

  it('the API accepts exactly these lists (the schemas are built from them)', async () => {
    const { topicFields } = await import('../src/http/schemas/topics.ts');
    const literals = (u: { anyOf: readonly object[] }) =>
      u.anyOf.map((s) => (s as { const?: unknown }).const).filter((c) => c !== undefined);
    expect(literals(topicFields.ctaText)).toEqual([...domain.CTA_TEXTS]);
    expect(literals(topicFields.frequency)).toEqual([...domain.FREQUENCIES]);
  });
});
