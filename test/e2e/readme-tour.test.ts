// The README's five-minute tour, run verbatim by bash against a freshly started `npm start` (src/main.ts
// in a child process, a temp data directory). Only the ports on the `S=… A=…` line are changed, to the
// free ones the service was started on; PW is the owner password it printed. The tour ends by sending
// a notification (R6): the sandbox must show it in the customer's thread.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../../src/sandbox/index.ts';
import { killAll, type NpmStart, npmStart, ROOT } from './npm-start.ts';

const PORTS_LINE = 'S=http://127.0.0.1:3001 A=http://127.0.0.1:3000';

/** The first ```sh block after "five-minute tour" in README.md. */
async function readmeTour(): Promise<string> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf('five-minute tour');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
  if (from < 0 || !block?.[1]) throw new Error('README.md has no five-minute tour shell block');
  return block[1];
}

const shells = new Set<ChildProcess>();

function bash(script: string, cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // -e: a step that fails (a node -pe that finds no id) stops the tour there. No pipefail: as a
    // person's shell, and `grep -q` may close the pipe before curl is done.
    const child = spawn('bash', ['-e', '-c', script], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a tour stuck in its wait loop is killed with its curls
    });
    shells.add(child);
    child.on('exit', () => shells.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('README five-minute tour', () => {
  const dirs: string[] = [];
  let svc: NpmStart | null = null;
  afterAll(async () => {
    for (const sh of shells) if (sh.pid) process.kill(-sh.pid, 'SIGKILL');
    await svc?.stop('SIGTERM');
    await killAll();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('R6: every command runs verbatim and the last one sends a notification the phone shows', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'renotify-tour-'));
    dirs.push(dir);
    svc = await npmStart(path.join(dir, 'data'));
    expect(svc.password).toBeTruthy();

    const tour = await readmeTour();
    expect(tour.split('\n')[0]).toBe(PORTS_LINE);
    const script = tour.replace(PORTS_LINE, `S=${svc.sandboxUrl} A=${svc.url}`);
    const run = await bash(script, dir, { PW: svc.password! });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // The last command's answer: the notification was accepted and sent.
    const last = /\{"messageId":"(m_[^"]+)"[^{}]*\}$/.exec(run.stdout.trim());
    expect(last, `the tour ended with: ${run.stdout.slice(-400)}`).not.toBeNull();
    const mid = last![1];

    // The sandbox (Meta's side) got it on the customer's recurring token: it is in their thread.
    const sb = new SandboxClient(svc.sandboxUrl);
    const psid = (await sb.info()).customers[0]!.psid;
    const item = (await sb.thread(psid)).items.find((i) => i.mid === mid);
    expect(item).toMatchObject({ from: 'page', via: 'notification_messages_token', text: '-20% this week' });
  }, 240_000);
});
