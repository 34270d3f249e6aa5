// renotify as a child process (test/e2e/serve.ts): for tests that kill it, or measure it from outside.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVE = path.join(ROOT, 'test/e2e/serve.ts');
// node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a grandchild that a
// SIGKILL of the CLI would leave running (holding the data directory).
const NODE_ARGS = ['--import', 'tsx'];

const children = new Set<ChildProcess>();

export interface ServedChild {
  child: ChildProcess;
  url: string;
  fbPageId: string;
  /** The child's stdout, line by line (serve.ts prints JSON lines). */
  lines: Interface;
}

/** Starts serve.ts and resolves with its URL once it listens (bounded). */
export async function serve(env: Record<string, string>, nodeArgs: string[] = []): Promise<ServedChild> {
  const child = spawn(process.execPath, [...nodeArgs, ...NODE_ARGS, SERVE], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string; fbPageId: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.ts did not start in 90 s: ${stderr}`)), 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.ts exited (${code}) before listening: ${stderr}`));
    });
    const first = (line: string) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      lines.off('line', first);
      resolve(JSON.parse(line));
    };
    lines.on('line', first);
  });
  return { child, lines, ...ready };
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL if it has not gone within 30 s. */
export async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  const gone = await Promise.race([
    exited(child).then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 30_000)),
  ]);
  if (!gone) child.kill('SIGKILL');
  await exited(child);
}

/** Kills every child still running (afterAll). */
export async function killChildren(): Promise<void> {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all([...children].map(exited));
}

/**
 * The child's resident set after a full garbage collection (serve.ts answers SIGUSR2 when started with
 * --expose-gc): what it still holds, not what it has not yet collected.
 */
export function rssAfterGc(s: ServedChild): Promise<number> {
  return new Promise((resolve) => {
    const onLine = (line: string) => {
      if (!line.startsWith('{"rss"')) return;
      s.lines.off('line', onLine);
      resolve((JSON.parse(line) as { rss: number }).rss);
    };
    s.lines.on('line', onLine);
    s.child.kill('SIGUSR2');
  });
}
