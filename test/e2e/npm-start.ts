// `npm start` as a user runs it: src/main.ts in a child process (sandbox mode, embedded PGlite in a
// data directory), on free loopback ports given through PORT / SANDBOX_PORT. Used by the README tour
// test and the restart test, which must see exactly what a person at a shell sees.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { api } from './harness.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'src/main.ts');

export interface NpmStart {
  child: ChildProcess;
  /** The service (A in the README tour) and the sandbox (S). */
  url: string;
  sandboxUrl: string;
  /** What it printed when it was ready. */
  banner: string;
  /** The owner password, printed on the first start only. */
  password: string | null;
  /** SIGTERM (a clean stop, as Ctrl-C) or SIGKILL; resolves once the process is gone. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** A port nothing listens on right now (bound then released). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

const running = new Set<ChildProcess>();

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Kills whatever is still running (afterAll). */
export async function killAll(): Promise<void> {
  for (const c of running) c.kill('SIGKILL');
  await Promise.all([...running].map(exited));
}

export async function npmStart(dataDir: string): Promise<NpmStart> {
  const [port, sandboxPort] = [await freePort(), await freePort()];
  // node with tsx's loader rather than the tsx CLI, so that a SIGKILL reaches the process itself.
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      RENOTIFY_DATA_DIR: dataDir,
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      HOST: '127.0.0.1',
      // npm start's defaults: sandbox mode, embedded database, key file in the data directory.
      DATABASE_URL: '',
      FB_PAGE_ACCESS_TOKEN: '',
      RENOTIFY_SECRET_KEY: '',
      RENOTIFY_SECRET_KEY_FILE: '',
      RENOTIFY_PUBLIC_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += String(d);
  });
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up in 90 s: ${err}`)), 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before it was ready: ${out}\n${err}`));
    });
    child.stdout!.on('data', (d) => {
      out += String(d);
      // main.ts prints its banner in one write; the phone line is in it on every start.
      if (out.includes('Sandbox phone')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    sandboxUrl: `http://127.0.0.1:${sandboxPort}`,
    banner,
    password: /^\s+password\s+(\S+)$/m.exec(banner)?.[1] ?? null,
    async stop(signal) {
      child.kill(signal);
      await exited(child);
    },
  };
}

/** Signs the owner in and creates an API key, as the README tour does with curl. */
export async function ownerApiKey(url: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'owner@renotify.local', password }),
  });
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const key = await api<{ key: string }>(
    url,
    'POST',
    '/api/api-keys',
    { name: 'test' },
    {
      cookie,
      'x-csrf-token': csrfToken,
    },
  );
  if (key.status !== 201 && key.status !== 200) throw new Error(`api key: ${key.status} ${key.text}`);
  return key.body.key;
}
