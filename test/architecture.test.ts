// The dependency direction of docs/ARCHITECTURE.md, checked on every import of every source file:
//   http | cli | runtime → app → domain,   app → storage | channel | jobs,   domain imports nothing of
//   the project. See RULES for every part and the reason of each allowance.
// The table below says, per folder, which parts of the project a file there may import. The imports are
// read with the TypeScript parser (static, `export … from`, `import(…)`, `import('…').T` types), so a
// multi-line or dynamic import cannot slip past. A failure names file → import and the rule it breaks;
// fix it by moving the code to the right part (e.g. a route calling storage gets a use-case in app/).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The parts of the project; a file belongs to the first whose test matches its repo-relative path. */
const PARTS = {
  domain: 'src/domain/',
  storage: 'src/storage/',
  channel: 'src/channel/',
  app: 'src/app/',
  dispatcher: 'src/dispatcher/',
  jobs: 'src/jobs/',
  http: 'src/http/',
  cli: 'src/cli/',
  sandbox: 'src/sandbox/',
  /** The composition root: builds storage, queue, Graph client, HTTP, workers, sandbox and demo data. */
  root: [
    'src/runtime.ts',
    'src/worker.ts',
    'src/first-page.ts',
    'src/facebook-app.ts',
    'src/remote-sandbox.ts',
    'src/main.ts',
    'src/demo.ts',
    'src/offline.ts',
    'src/sandbox-process.ts',
  ],
  config: 'src/config.ts',
  clock: 'src/clock.ts',
  web: 'web/',
} as const;
type Part = keyof typeof PARTS;

interface Rule {
  /** Parts whose code (values and types) this part may import. Its own part is always allowed. */
  may: Part[];
  /** Parts this part may import with `import type` only (erased at build; no code, no cycle at run time). */
  typesFrom?: Part[];
  why: string;
}

/**
 * The allowed imports, one row per part. Read it as the blueprint: a part not listed is forbidden.
 * Deviations from the bare blueprint, and why they are not skips:
 * - app → jobs: a use-case enqueues in its own transaction (load → domain → save → enqueue); jobs/queue.ts
 *   holds the job names, payloads and the Enqueuer port and imports only storage, so this makes no cycle.
 *   Job handlers are wired in runtime.ts (the root), not in jobs/, so jobs never needs app.
 * - dispatcher → storage: types only — the store it is given (storage/dispatch-store.ts, passed in by
 *   runtime.ts) is its one door to the database, as listmonk's manager.Store is.
 * - http → storage, jobs: types only — the row types app's use-cases return (presenters shape them) and
 *   the Enqueuer in ServerDeps. Calling a storage function from a route is a violation: add a use-case.
 * - web → http: types only, and only the TypeBox schemas (src/http/schemas/), so the console's API types
 *   are `Static<typeof Schema>` of what the server validates and nothing of the server is bundled.
 */
const RULES: Record<Part, Rule> = {
  domain: { may: [], why: 'the domain imports nothing of the project (pure rules)' },
  storage: { may: ['domain'], why: 'storage holds the SQL; it knows the domain nouns, nothing above' },
  channel: { may: ['domain'], why: 'channel talks to Meta; it knows the domain error table and limits' },
  jobs: { may: ['storage'], why: 'jobs is queue wiring over the storage executor' },
  app: {
    may: ['domain', 'storage', 'channel', 'jobs'],
    why: 'use-cases: load (storage) → decide (domain) → save → send (channel) / enqueue (jobs)',
  },
  dispatcher: {
    may: ['domain', 'channel'],
    typesFrom: ['storage'],
    why: 'campaign sending is a peer of app; it reaches the database only through the store it is given (dispatcher/store.ts), naming storage row types',
  },
  http: {
    may: ['app', 'domain'],
    typesFrom: ['storage', 'jobs'],
    why: 'routes call use-cases (app); storage row types and the Enqueuer type may be named, not called',
  },
  cli: {
    may: ['app', 'domain', 'config', 'clock', 'root'],
    why: 'the CLI is an HTTP client, `worker` starts the runtime, offline commands go through offline.ts',
  },
  sandbox: {
    may: ['domain', 'clock'],
    why: 'the Graph API simulator shares only the platform rules and clock',
  },
  root: {
    may: ['domain', 'storage', 'channel', 'app', 'dispatcher', 'jobs', 'http', 'sandbox', 'config', 'clock'],
    why: 'the composition root wires every part',
  },
  config: { may: ['domain'], why: 'env → typed config' },
  clock: { may: ['domain'], why: 'system and manual clocks implement the domain Clock' },
  web: {
    may: ['domain'],
    typesFrom: ['http'],
    why: 'the console shares the domain lists and the API schemas',
  },
};

/** Parts entered through one module only: imports from outside must use it, not the files behind it. */
const ENTRY: Partial<Record<Part, string>> = {
  channel: 'src/channel/index.ts',
  sandbox: 'src/sandbox/index.ts',
};
/** web may name http's types only from the schemas, which import nothing but TypeBox and the domain. */
const WEB_HTTP_TYPES = 'src/http/schemas/';

/**
 * KNOWN violations that could not be fixed yet, as "file → import" with the reason. Keep it empty; an
 * entry here must say why and who fixes it — it is not a place to hide a skip.
 */
const KNOWN: Record<string, string> = {};

function partOf(rel: string): Part | undefined {
  for (const [part, test] of Object.entries(PARTS) as [Part, string | readonly string[]][]) {
    if (typeof test === 'string' ? rel === test || rel.startsWith(test) : test.includes(rel)) return part;
  }
  return undefined;
}

/** Test code and test doubles may reach anywhere; they are not part of the shipped layering. */
const isTestCode = (rel: string) =>
  /\.test\.tsx?$/.test(rel) || rel.includes('/testing/') || rel.endsWith('/test-helpers.ts');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    if (name === 'node_modules' || name === 'dist') continue;
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts') && !isTestCode(rel)) out.push(rel);
  }
  return out;
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

/** Every module a file names: static imports/exports (type-only when every name is), `import(…)`. */
function importsOf(fileName: string, text: string): Import[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: Import[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const bindings = c?.namedBindings;
      const allNamedTypes =
        !!bindings &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((e) => e.isTypeOnly);
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && allNamedTypes));
      found.push({ spec: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const e = node.exportClause;
      const allNamedTypes =
        !!e && ts.isNamedExports(e) && e.elements.length > 0 && e.elements.every((x) => x.isTypeOnly);
      found.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || allNamedTypes });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Why `file` may not import `spec`, or undefined when it may. */
function violation(file: string, imp: Import): string | undefined {
  const from = partOf(file)!;
  if (file.startsWith(WEB_HTTP_TYPES)) {
    // The console type-checks these files: they stay TypeBox over the domain, nothing of the server.
    const ok = imp.spec === '@sinclair/typebox' || imp.spec.startsWith('../../domain/');
    if (!ok) return `${WEB_HTTP_TYPES} imports only @sinclair/typebox and the domain (web/ reads its types)`;
  }
  if (!imp.spec.startsWith('.')) {
    // Packages: the domain stays pure (luxon only); elsewhere packages are each part's own business.
    if (from === 'domain' && imp.spec !== 'luxon') return 'the domain imports no package but luxon';
    return undefined;
  }
  const target = path
    .relative(ROOT, path.resolve(ROOT, path.dirname(file), imp.spec))
    .split(path.sep)
    .join('/');
  const to = partOf(target);
  if (!to) return `${target} belongs to no part of the table`;
  if (to === from) return undefined;
  const rule = RULES[from];
  const typeOk = imp.typeOnly && rule.typesFrom?.includes(to);
  if (!rule.may.includes(to) && !typeOk) {
    const kind = imp.typeOnly ? 'types from' : 'code from';
    const types = rule.typesFrom?.length ? `; types only from ${rule.typesFrom.join(', ')}` : '';
    return `${from} may not import ${kind} ${to} (${from} may import: ${rule.may.join(', ') || 'nothing'}${types} — ${rule.why})`;
  }
  if (from === 'web' && to === 'http' && !target.startsWith(WEB_HTTP_TYPES)) {
    return `web names http types only from ${WEB_HTTP_TYPES} (the route files pull in the server)`;
  }
  const entry = ENTRY[to];
  if (entry && target !== entry) return `${to} is entered through ${entry}; import from it, not ${target}`;
  return undefined;
}

const files = [...sourceFiles('src'), ...sourceFiles('web')];

/** The strongly connected groups of more than one file (Tarjan), each as a closed path a → … → a. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      group.push(w);
    } while (w !== v);
    if (group.length > 1) out.push([...group.reverse(), group[0]!]);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('architecture (docs/ARCHITECTURE.md: the direction of dependencies)', () => {
  it('every import of every source file follows the table', () => {
    const found: string[] = [];
    for (const file of files) {
      for (const imp of importsOf(file, readFileSync(path.join(ROOT, file), 'utf8'))) {
        const why = violation(file, imp);
        if (why && !KNOWN[`${file} → ${imp.spec}`]) found.push(`${file} → ${imp.spec}\n    ${why}`);
      }
    }
    // One line per violation, so the whole list shows in one run. Fix by moving the code to the right
    // part (a route calling storage gets a use-case in app/), not by widening the table.
    expect(found.join('\n'), `${found.length} import(s) against the direction of dependencies`).toBe('');
  });

  it('every KNOWN violation still occurs (remove the entry once it is fixed)', () => {
    const all = new Set(
      files.flatMap((file) =>
        importsOf(file, readFileSync(path.join(ROOT, file), 'utf8'))
          .filter((imp) => violation(file, imp))
          .map((imp) => `${file} → ${imp.spec}`),
      ),
    );
    expect(Object.keys(KNOWN).filter((k) => !all.has(k))).toEqual([]);
  });

  it('no import cycles between files of src/ (types included: http/deps.ts keeps the routes off server.ts)', () => {
    const graph = new Map<string, string[]>();
    for (const file of files.filter((f) => f.startsWith('src/'))) {
      const targets = importsOf(file, readFileSync(path.join(ROOT, file), 'utf8'))
        .filter((imp) => imp.spec.startsWith('.'))
        .map((imp) => path.posix.normalize(path.posix.join(path.posix.dirname(file), imp.spec)));
      graph.set(file, targets);
    }
    expect(cyclesOf(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('every source file belongs to a part of the table', () => {
    expect(files.filter((f) => !partOf(f))).toEqual([]);
  });

  it.each(files.filter((f) => partOf(f) === 'domain'))('%s reads no clock and does no I/O', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    expect(text, `${file} reads the system clock`).not.toMatch(/Date\.now\(|new Date\(\)/);
    expect(text, `${file} does I/O`).not.toMatch(/node:(fs|http|net|child_process)|fetch\(|process\.env/);
  });

  it('the parser sees every form of import (the checks above ran on something real)', () => {
    const got = importsOf(
      'x.ts',
      [
        "import { a,\n  b } from '../storage/a.ts';",
        "import type { T } from '../storage/b.ts';",
        "import { type U, type V } from '../storage/c.ts';",
        "import d, { type W } from '../storage/d.ts';",
        "export { e } from '../storage/e.ts';",
        "export type * from '../storage/f.ts';",
        "const g = await import('../storage/g.ts');",
        "let h: import('../storage/h.ts').H;",
        "import '../storage/i.ts';",
      ].join('\n'),
    );
    expect(got).toEqual([
      { spec: '../storage/a.ts', typeOnly: false },
      { spec: '../storage/b.ts', typeOnly: true },
      { spec: '../storage/c.ts', typeOnly: true },
      { spec: '../storage/d.ts', typeOnly: false },
      { spec: '../storage/e.ts', typeOnly: false },
      { spec: '../storage/f.ts', typeOnly: true },
      { spec: '../storage/g.ts', typeOnly: false },
      { spec: '../storage/h.ts', typeOnly: true },
      { spec: '../storage/i.ts', typeOnly: false },
    ]);
    expect(files.filter((f) => partOf(f) === 'domain').length).toBeGreaterThan(5);
    expect(
      violation('src/http/routes/pages.ts', { spec: '../../storage/pages.ts', typeOnly: false }),
    ).toMatch(/http may not import code from storage/);
    expect(violation('src/dispatcher/x.ts', { spec: '../storage/db.ts', typeOnly: false })).toMatch(
      /dispatcher may not import code from storage/,
    );
    expect(
      violation('src/dispatcher/x.ts', { spec: '../storage/schema.ts', typeOnly: true }),
    ).toBeUndefined();
    expect(violation('src/app/x.ts', { spec: '../channel/messages.ts', typeOnly: false })).toMatch(
      /entered through src\/channel\/index\.ts/,
    );
  });
});
