// Issue 10 items 1–2: the README's install line works on a fresh clone, on a machine whose own Node may be
// 20. It runs verbatim in a directory holding only package.json and package-lock.json (a fresh clone has
// no node_modules), with a shell PATH that has no node_modules/.bin — only `--dry-run` is added, so the
// test does not download 300 packages: npm ci still checks the lock against package.json (EUSAGE) and
// every engine (EBADENGINE) before it would fetch anything. The same line on a lock missing one optional
// platform package must fail, as it did before the lock was fixed; `.ci/run` installs with the same line.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './npm-start.ts';

/** The quick start's first command, without its comment. */
async function installLine(): Promise<string> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf('## Quick start');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
  if (from < 0 || !block?.[1]) throw new Error('README.md has no quick start shell block');
  return block[1].split('\n')[0]!.replace(/\s+#.*$/, '');
}

/** A person's shell: the machine's PATH without any project's node_modules/.bin. */
function shell(cmd: string, cwd: string) {
  const PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => !p.includes('node_modules'))
    .join(path.delimiter);
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn('bash', ['-c', cmd], { cwd, env: { ...process.env, PATH } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      out += String(d);
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** npm's own warnings and errors, except npm exec saying it fetches Node on a machine without it. */
const complaints = (out: string) =>
  out.split('\n').filter((l) => /^npm (warn|error)/i.test(l) && !/^npm warn exec /i.test(l));

describe('README quick start: the install line on a fresh clone', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function freshClone(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'renotify-clone-'));
    dirs.push(dir);
    for (const f of ['package.json', 'package-lock.json'])
      await copyFile(path.join(ROOT, f), path.join(dir, f));
    return dir;
  }

  it('runs Node 24 LTS from the registry: npm ci accepts the lock with no engine warning; .ci/run uses it strictly', async () => {
    const line = await installLine();
    expect(line).toMatch(/^npm exec --yes --package=node@24\.\d+\.\d+ -- npm ci$/);
    const pinned = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).dependencies.node;
    expect(line).toContain(`node@${pinned} `);

    const run = await shell(`${line} --dry-run --no-audit --no-fund`, await freshClone());
    expect(complaints(run.out), run.out.slice(-2000)).toEqual([]);
    expect(run.code, run.out.slice(-2000)).toBe(0);

    // CI installs with the same command and nothing that would hide a refused lock.
    const ci = await readFile(path.join(ROOT, '.ci/run'), 'utf8');
    expect(ci).toContain(`${line} --no-audit --no-fund || exit 1`);
    expect(ci).not.toMatch(/npm (install|i)\b/);
  }, 180_000);

  it('the same line refuses a lock that misses an optional platform package (EUSAGE), as before the fix', async () => {
    const dir = await freshClone();
    const lock = JSON.parse(await readFile(path.join(dir, 'package-lock.json'), 'utf8'));
    const optional = Object.keys(lock.packages).find((k) => k.startsWith('node_modules/@esbuild/'));
    expect(optional).toBeDefined();
    delete lock.packages[optional!];
    await writeFile(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const run = await shell(`${await installLine()} --dry-run --no-audit --no-fund`, dir);
    expect(run.code).not.toBe(0);
    expect(run.out).toMatch(/EUSAGE|in sync/);
  }, 180_000);
});
