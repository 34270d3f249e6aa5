// Issue 9, item 6: unauthenticated memory exhaustion. Webhook bodies must be read whole before their
// signature can be checked; hundreds of slow, never-finished bodies once took a server from 307 MB to
// 833 MB for good. The service runs as a child process (test/e2e/serve.ts) so its resident set can be
// measured from outside; the attack is raw TCP, as an attacker would send it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/sandbox/index.ts';
import { openStorage } from '../../src/storage/db.ts';
import { api } from '../e2e/harness.ts';
import { BACKENDS } from '../support/backends.ts';
import { killChildren, rssAfterGc, serve, stop } from '../support/child-service.ts';

const APP_SECRET = 'sandbox-app-secret'; // the sandbox page's default (docs/SANDBOX.md)
// As in the report (600 connections), each body just under the webhook body limit (512 KB), so only the
// time and pending bounds apply, and never finished.
const CONNECTIONS = 600;
const DECLARED = 500 * 1024;
const SENT = 490 * 1024;
const FILLER = Buffer.alloc(SENT, 0x20);
const MAX_PENDING = 32;

afterAll(killChildren);

interface Outcome {
  status: number | null; // null: the server closed the connection without an answer
  retryAfter: string | null;
}

/** One slow body: headers and most of the declared body, then silence until the server acts. */
function slowBody(port: number): { done: Promise<Outcome> } {
  const socket = connect(port, '127.0.0.1');
  let reply = '';
  socket.on('data', (d) => {
    reply += String(d);
  });
  socket.on('error', () => {});
  const done = new Promise<Outcome>((resolve) =>
    socket.once('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(reply);
      const retry = /\r\nretry-after: *([^\r]*)/i.exec(reply);
      resolve({ status: status ? Number(status[1]) : null, retryAfter: retry?.[1] ?? null });
    }),
  );
  const head =
    'POST /webhooks/messenger HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${DECLARED}\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\n\r\n`;
  socket.write(head);
  socket.write(FILLER);
  return { done };
}

describe.each(BACKENDS)('webhook bodies on %s', (backend) => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('bodies: slow unauthenticated bodies are bounded (503 + Retry-After over the cap, dropped when too slow) and memory comes back for the next attack', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'renotify-memory-'));
    dirs.push(dir);
    const schema = `t_memory_${randomBytes(4).toString('hex')}`;
    const s = await serve(
      {
        RENOTIFY_DATA_DIR: path.join(dir, 'data'),
        RENOTIFY_SECRET_KEY: randomBytes(32).toString('hex'),
        E2E_QUEUE_SCHEMA: `pgboss_${schema}`,
        E2E_SCHEMA: schema,
        DATABASE_URL: backend === 'postgres' ? process.env.DATABASE_URL! : '',
        WEBHOOK_BODY_TIMEOUT_MS: '1000',
        WEBHOOK_MAX_PENDING_BODIES: String(MAX_PENDING),
      },
      ['--expose-gc'],
    );
    try {
      const port = Number(new URL(s.url).port);
      const deliver = (mid: string) => {
        const raw = JSON.stringify({
          object: 'page',
          entry: [
            {
              id: s.fbPageId,
              time: Date.now(),
              messaging: [
                {
                  sender: { id: `psid-${mid}` },
                  recipient: { id: s.fbPageId },
                  timestamp: Date.now(),
                  message: { mid, text: 'hi' },
                },
              ],
            },
          ],
        });
        return api<string>(s.url, 'POST', '/webhooks/messenger', raw, {
          'content-type': 'application/json',
          'x-hub-signature-256': signBody(APP_SECRET, raw),
        });
      };
      // Warm up (JIT, pools, first deliveries) before the baseline.
      for (let i = 0; i < 20; i++) expect((await deliver(`m_warm_${i}`)).status).toBe(200);
      const baseline = await rssAfterGc(s);

      // The ceiling every measure is compared with, from this very run: what a server buffering every
      // body would hold.
      const unbounded = CONNECTIONS * SENT;
      // What the bounded server holds at its peak: the 32 bodies of the cap (16 MB), every connection's
      // first socket read (up to 64 KiB each before the gate answers: ~38 MB), their parsers and what the
      // allocator keeps. Measured 66–82 MB on session 9's faster machine, with this code and with session
      // 8's alike, so a quarter of the unbounded 287 MB failed by chance; a third still fails a server that
      // holds bodies past the cap.
      const bounded = unbounded / 3;
      const wave = async () => {
        const attack = Array.from({ length: CONNECTIONS }, () => slowBody(port));
        let finished = false;
        const all = Promise.all(attack.map((a) => a.done)).finally(() => {
          finished = true;
        });
        // The server reads what the kernel buffered at its own pace: sample its resident set until every
        // connection is over (bounded: without a body timeout Node keeps them open for 5 minutes).
        const bound = Date.now() + 60_000;
        let peak = 0;
        while (!finished && Date.now() < bound) {
          peak = Math.max(peak, await rssAfterGc(s));
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(peak - baseline, 'held while attacked').toBeLessThan(bounded);
        expect(finished, 'every slow body answered or dropped').toBe(true);
        const outcomes = await all;
        const busy = outcomes.filter((o) => o.status === 503);
        // Slots free up as slow bodies are dropped and later connections may take them: most are refused.
        expect(busy.length).toBeGreaterThan(CONNECTIONS / 2);
        expect(busy.every((o) => Number(o.retryAfter) > 0)).toBe(true);
        // The rest were dropped when their body did not arrive in time; none was ever accepted.
        expect(outcomes.filter((o) => o.status !== 503 && o.status !== null)).toEqual([]);
        return { peak, after: await rssAfterGc(s) };
      };
      const first = await wave();
      // A second attack must find the memory the first one took given back: nothing is retained.
      const second = await wave();
      console.log(
        `memory (${backend}): baseline ${mb(baseline)}; 1st attack peak ${mb(first.peak)}, after ${mb(first.after)}; ` +
          `2nd attack peak ${mb(second.peak)}, after ${mb(second.after)}; unbounded ${mb(unbounded)}`,
      );
      expect(first.after - baseline).toBeLessThan(bounded);
      expect(second.after - first.after).toBeLessThan(unbounded / 32);
      // And the service still takes real deliveries.
      expect((await deliver(`m_after_${randomBytes(3).toString('hex')}`)).status).toBe(200);
    } finally {
      await stop(s.child);
      if (backend === 'postgres') {
        const admin = await openStorage({
          databaseUrl: process.env.DATABASE_URL!,
          migrate: false,
          poolSize: 1,
        });
        await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.db);
        await sql`DROP SCHEMA IF EXISTS ${sql.id(`pgboss_${schema}`)} CASCADE`.execute(admin.db);
        await admin.close();
      }
    }
  }, 300_000);
});

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
