// The webhook is durable: a delivery answered 200 survives the process being killed before it was
// applied. The real service runs as a child process (test/e2e/serve.ts) with the worker off, gets a
// signed delivery, is SIGKILLed, and is started again with the worker on over the same data.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/sandbox/index.ts';
import { openStorage, type Storage } from '../../src/storage/db.ts';
import { BACKENDS } from '../support/backends.ts';
import { exited, killChildren, serve, stop } from '../support/child-service.ts';
import { api, waitFor } from './harness.ts';

const APP_SECRET = 'sandbox-app-secret'; // the sandbox page's default (docs/SANDBOX.md)
const RECURRING_TITLE = 'Ưu đãi mỗi tuần từ Cửa hàng demo';

afterAll(killChildren);

describe.each(BACKENDS)('durable webhook intake on %s', (backend) => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('a delivery answered 200 and then SIGKILLed before processing is applied after restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'renotify-durable-'));
    dirs.push(dir);
    const schema = `t_durable_${randomBytes(4).toString('hex')}`;
    const env: Record<string, string> = {
      RENOTIFY_DATA_DIR: path.join(dir, 'data'),
      RENOTIFY_SECRET_KEY: randomBytes(32).toString('hex'),
      E2E_QUEUE_SCHEMA: `pgboss_${schema}`,
      E2E_SCHEMA: schema,
      DATABASE_URL: backend === 'postgres' ? process.env.DATABASE_URL! : '',
    };

    const first = await serve({ ...env, E2E_WORKER: '0' });
    const psid = `durable-${randomBytes(4).toString('hex')}`;
    const t1 = Date.now();
    const raw = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: first.fbPageId,
          time: t1 + 1,
          messaging: [
            {
              sender: { id: psid },
              recipient: { id: first.fbPageId },
              timestamp: t1,
              message: { mid: `m_${psid}`, text: 'khuyến mãi' },
            },
            {
              sender: { id: psid },
              recipient: { id: first.fbPageId },
              timestamp: t1 + 1,
              optin: {
                type: 'notification_messages',
                title: RECURRING_TITLE,
                notification_messages_token: `tok-${psid}`,
                notification_messages_timezone: 'Asia/Ho_Chi_Minh',
                notification_messages_frequency: 'WEEKLY',
                user_token_status: 'NOT_REFRESHED',
              },
            },
          ],
        },
      ],
    });
    const accepted = await api<string>(first.url, 'POST', '/webhooks/messenger', raw, {
      'content-type': 'application/json',
      'x-hub-signature-256': signBody(APP_SECRET, raw),
    });
    expect(accepted.status).toBe(200);
    // The worker is off: nothing can have been applied. Kill it hard, between the 200 and processing.
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await serve({ ...env, E2E_WORKER: '1' });
    const processed = async () => {
      const m = await api<string>(second.url, 'GET', '/metrics');
      const line = m.text
        .split('\n')
        .find((l) => l.startsWith('renotify_webhook_events_total{stage="processed"}'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    await waitFor(async () => (await processed()) >= 2, { what: 'both events applied', timeoutMs: 60_000 });
    await stop(second.child);

    // Read what the restarted process stored.
    let storage: Storage | null = null;
    try {
      storage =
        backend === 'postgres'
          ? await openStorage({ databaseUrl: process.env.DATABASE_URL!, schema, migrate: false })
          : await openStorage({ dataDir: env.RENOTIFY_DATA_DIR, migrate: false });
      const events = await sql<{ kind: string; outcome: string | null; processed: boolean }>`
        SELECT kind, outcome, processed_at IS NOT NULL AS processed FROM webhook_events WHERE psid = ${psid}
        ORDER BY event_at`.execute(storage.db);
      expect(events.rows).toEqual([
        { kind: 'message', outcome: 'message', processed: true },
        { kind: 'optin_recurring', outcome: 'accepted', processed: true },
      ]);
      const customer = await storage.db
        .selectFrom('customers')
        .select(['id', 'last_interaction_at'])
        .where('psid', '=', psid)
        .executeTakeFirstOrThrow();
      const msgs = await storage.db
        .selectFrom('messages')
        .select(['direction', 'kind', 'text'])
        .where('customer_id', '=', customer.id)
        .where('direction', '=', 'in')
        .orderBy('id')
        .execute();
      expect(msgs).toEqual([
        { direction: 'in', kind: 'text', text: 'khuyến mãi' },
        { direction: 'in', kind: 'optin', text: null },
      ]);
      const subs = await storage.db
        .selectFrom('subscriptions')
        .select(['kind', 'stopped_at'])
        .where('customer_id', '=', customer.id)
        .execute();
      expect(subs).toEqual([{ kind: 'recurring', stopped_at: null }]);
    } finally {
      if (storage && backend === 'postgres') {
        await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(storage.db);
        await sql`DROP SCHEMA IF EXISTS ${sql.id(`pgboss_${schema}`)} CASCADE`.execute(storage.db);
      }
      await storage?.close();
    }
  }, 300_000);
});
