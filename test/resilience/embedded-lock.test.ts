// Issue 9.3: one process per embedded (PGlite) data directory. A second `npm start` on the same
// RENOTIFY_DATA_DIR must refuse to start, naming the directory and the process that holds it; a holder
// killed with SIGKILL must not leave the directory locked; and a directory SIGKILLed during heavy
// writes must reopen with every acknowledged write (a webhook answered 200 is stored: architecture.md,
// "what was accepted is stored before it is acknowledged").
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PAGE, signBody } from '../../src/sandbox/index.ts';
import { openStorage } from '../../src/storage/db.ts';
import { api, delivery, waitFor } from '../e2e/harness.ts';
import { exited, killAll, running, runToExit, startService } from './deployment.ts';

const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `npm start`'s environment in sandbox mode on its own PGlite directory. */
function embeddedEnv(): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rn-lock-'));
  dirs.push(dir);
  return {
    RENOTIFY_DATA_DIR: path.join(dir, 'data'),
    RENOTIFY_SECRET_KEY: randomBytes(32).toString('hex'),
    DATABASE_URL: '',
    FB_PAGE_ACCESS_TOKEN: '',
    HOST: '127.0.0.1',
    PORT: '0',
    SANDBOX_PORT: '0',
  };
}

describe('trust: two processes on one embedded database (issue 9.3)', () => {
  it('trust: a second npm start on the same RENOTIFY_DATA_DIR refuses, naming the directory and the holder; SIGKILL does not leave it locked', {
    timeout: 240_000,
  }, async () => {
    const env = embeddedEnv();
    const first = await startService(env);
    const second = await runToExit(['src/main.ts'], env);
    expect(second.code).not.toBe(0);
    expect(second.output).toContain(env.RENOTIFY_DATA_DIR);
    expect(second.output).toContain(`process ${first.child.pid}`);
    expect(second.output).not.toMatch(/renotify is running/);
    // The holder is untouched and keeps serving.
    expect(running(first)).toBe(true);
    expect((await api(first.url!, 'GET', '/healthz')).status).toBe(200);

    // A crashed holder leaves its lock file behind; the next start sees that its process is gone.
    first.child.kill('SIGKILL');
    await exited(first.child);
    const third = await startService(env);
    expect((await api(third.url!, 'GET', '/healthz')).status).toBe(200);
    third.child.kill('SIGTERM');
    await exited(third.child);
  });

  it('trust: a PGlite directory SIGKILLed during heavy webhook intake reopens, and every delivery answered 200 is stored', {
    timeout: 240_000,
  }, async () => {
    const env = embeddedEnv();
    const svc = await startService(env);
    const pageId = DEFAULT_PAGE.id;
    const acked: string[] = [];
    let sent = 0;
    let stop = false;
    // Eight senders at once, each delivery one new customer's message, until the process is killed.
    const sender = async (lane: number) => {
      for (let i = 0; !stop; i++) {
        const mid = `m_${lane}_${i}`;
        const raw = JSON.stringify(
          delivery(pageId, [
            {
              sender: { id: `heavy-${lane}-${i}` },
              recipient: { id: pageId },
              timestamp: Date.now(),
              message: { mid, text: mid },
            },
          ]),
        );
        sent++;
        const res = await api(svc.url!, 'POST', '/webhooks/messenger', raw, {
          'content-type': 'application/json',
          'x-hub-signature-256': signBody(DEFAULT_PAGE.appSecret, raw),
        }).catch(() => null);
        if (res?.status === 200) acked.push(mid);
        else if (res) throw new Error(`delivery answered ${res.status}: ${res.text}`);
      }
    };
    const lanes = Array.from({ length: 8 }, (_, lane) => sender(lane));
    await waitFor(() => acked.length >= 400, { what: '400 deliveries acknowledged', timeoutMs: 180_000 });
    svc.child.kill('SIGKILL');
    await exited(svc.child);
    stop = true;
    await Promise.all(lanes);
    expect(sent).toBeGreaterThan(acked.length); // some were cut off mid-request by the kill

    const storage = await openStorage({ dataDir: env.RENOTIFY_DATA_DIR, migrate: false });
    try {
      const rows = await sql<{ key: string }>`
          SELECT idempotency_key AS key FROM webhook_events WHERE psid LIKE 'heavy-%'`.execute(storage.db);
      const stored = new Set(rows.rows.map((r) => r.key));
      expect(acked.filter((mid) => !stored.has(`message:${mid}`))).toEqual([]);
    } finally {
      await storage.close();
    }
  });
});
