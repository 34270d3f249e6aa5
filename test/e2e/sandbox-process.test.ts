// Issue 12.5: the sandbox as its own process (`renotify sandbox`), and a service pointed at it by
// SANDBOX_URL — as every `renotify worker` would be. On an empty database the service seeds the same demo
// as plain `npm start` (once), follows the sandbox's clock, takes its webhooks and sends through it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/accounts.ts';
import { workerRefusal } from '../../src/cli/worker.ts';
import { loadConfig } from '../../src/config.ts';
import { DEMO_CUSTOMERS } from '../../src/demo.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { DEMO_EXTRA_PAGES, SandboxClient } from '../../src/sandbox/index.ts';
import type { Storage } from '../../src/storage/db.ts';
import { killAll, launch } from '../resilience/deployment.ts';
import { call } from '../security/harness.ts';
import { openTestStorage } from '../support/backends.ts';
import { waitFor } from './harness.ts';

const DAY = 86_400_000;
const dir = mkdtempSync(path.join(tmpdir(), 'renotify-sandbox-proc-'));
let rt: Runtime | null = null;
let storage: Storage | null = null;
afterAll(async () => {
  await rt?.close();
  await storage?.close();
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('renotify sandbox + SANDBOX_URL', () => {
  it('the service uses a sandbox running as its own process: page, clock, webhooks, sends', {
    timeout: 240_000,
  }, async () => {
    const proc = await launch(
      ['bin/renotify.mjs', 'sandbox'],
      { RENOTIFY_DATA_DIR: dir, SANDBOX_PORT: '0', HOST: '127.0.0.1' },
      /renotify sandbox running at (http:\/\/\S+)/,
    );
    const url = proc.url!;
    const sandbox = new SandboxClient(url);
    const info = await sandbox.info();
    expect(workerRefusal({ DATABASE_URL: 'postgres://x@127.0.0.1/db', SANDBOX_URL: url })).toBeNull();

    storage = await openTestStorage('pglite');
    const config = { ...loadConfig({ SANDBOX_URL: url }), port: 0, sandboxPort: 0, host: '127.0.0.1' };
    expect(config.graph.baseUrl).toBe(url);
    rt = await startRuntime({ config, storage, queueSchema: `boss_${randomBytes(4).toString('hex')}` });
    expect(rt.sandbox).toBeNull();
    expect(rt.page).toMatchObject({ fb_page_id: info.pageId });
    // An empty database gets the same demo as plain `npm start`: customers (in the sandbox process too),
    // the two topics, the chat assistant, and the second page on Meta's 2026 rules.
    const demo = async () => {
      const db = rt!.storage.db;
      const n = async (table: 'customers' | 'topics' | 'assistant_triggers' | 'pages') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((e) => e.fn.countAll<number>().as('n'))
              .where('workspace_id', '=', rt!.workspaceId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      return {
        customers: await n('customers'),
        topics: await n('topics'),
        triggers: await n('assistant_triggers'),
        pages: await n('pages'),
        inSandbox: (await sandbox.customers()).length,
      };
    };
    const seeded = await demo();
    expect(seeded).toEqual({
      customers: DEMO_CUSTOMERS.length,
      topics: 2,
      triggers: 5,
      pages: 2,
      inSandbox: DEMO_CUSTOMERS.length,
    });
    expect(
      await rt.storage.db
        .selectFrom('pages')
        .select(['profile', 'region'])
        .where('fb_page_id', '=', DEMO_EXTRA_PAGES[0].id)
        .executeTakeFirst(),
    ).toEqual({ profile: '2026', region: 'VN' });
    // Seeded once: a restart on the same database and sandbox adds nothing.
    await rt.close();
    rt = await startRuntime({ config, storage, queueSchema: `boss_${randomBytes(4).toString('hex')}` });
    expect(await demo()).toEqual(seeded);
    expect((await sandbox.info()).webhookUrl).toBe(`${config.publicUrl}/webhooks/messenger`);
    // Tests listen on a free port: aim the sandbox's deliveries at it.
    await sandbox.config({ webhookUrl: `${rt.url}/webhooks/messenger` });

    // One clock: moving the sandbox's moves the service's (within the one-second follow).
    const before = rt.clock.now().getTime();
    await sandbox.advance('8d');
    await waitFor(() => rt!.clock.now().getTime() - before >= 8 * DAY, {
      what: 'clock followed',
      timeoutMs: 10_000,
    });

    // A customer writes: the sandbox's signed webhook reaches the service and is applied.
    const { psid } = await sandbox.createCustomer({ name: 'Khách Riêng' });
    await sandbox.message(psid, 'alo shop');
    const customer = await waitFor(
      () => rt!.storage.db.selectFrom('customers').select('id').where('psid', '=', psid).executeTakeFirst(),
      { what: 'customer stored', timeoutMs: 30_000 },
    );
    // An agent answers: the Graph call goes to the sandbox process.
    const { key } = await createApiKey(rt.ctx, rt.workspaceId, { name: 'p', role: 'owner' }, null);
    const res = await call(
      rt.url!,
      'POST',
      `/api/customers/${customer.id}/messages`,
      { apiKey: key },
      { text: 'Dạ shop đây' },
    );
    expect(res.status).toBeLessThan(300);
    expect(JSON.stringify(await sandbox.thread(psid))).toContain('Dạ shop đây');
  });
});
