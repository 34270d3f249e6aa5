// The embedded data directory's lock (issue 9.3), against real processes: a live holder keeps others
// out and is named; a holder killed with SIGKILL, or a pid now worn by another process, does not.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from './data-dir-lock.ts';

const MODULE = fileURLToPath(new URL('./data-dir-lock.ts', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'rn-dirlock-'));
  dirs.push(d);
  return path.join(d, 'data');
}

/** Another process that takes the lock and keeps it until killed. */
async function holder(dir: string): Promise<ChildProcess> {
  const code = `import { lockDataDir } from ${JSON.stringify(MODULE)};
    await lockDataDir(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1e6);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`holder exited ${c}`)));
    createInterface({ input: child.stdout! }).on('line', (l) => l === 'locked' && resolve());
  });
  return child;
}

describe('trust: two processes on one embedded database (issue 9.3): the data directory lock', () => {
  it('trust: a live holder keeps a second opener out, and the refusal names the directory and the pid', async () => {
    const dir = freshDir();
    const child = await holder(dir);
    const err = await lockDataDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toContain(`process ${child.pid}`);
  });

  it('trust: a holder killed with SIGKILL leaves its file, and the next opener takes over at once', async () => {
    const dir = freshDir();
    const child = await holder(dir);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(child.pid);
    const lock = await lockDataDir(dir);
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(() => readFileSync(lock.file)).toThrow();
  });

  it('trust: the same directory twice in one process is refused too; after release it opens again', async () => {
    const dir = freshDir();
    const lock = await lockDataDir(dir);
    const both = await Promise.allSettled([lockDataDir(dir), lockDataDir(dir)]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await lock.release();
    await (await lockDataDir(dir)).release();
  });

  it('trust: a recorded pid now worn by another process (different start time) is not a holder', async () => {
    const dir = freshDir();
    const other = await holder(freshDir()); // any live process other than this one
    await lockDataDir(dir).then((l) => l.release());
    writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: other.pid, host: hostname(), start: '1', since: '2020-01-01T00:00:00Z' }),
    );
    const lock = await lockDataDir(dir);
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });
});
