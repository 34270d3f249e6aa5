// Issue 12.7: the single-page environment variables (FB_PAGE_ID, FB_PAGE_ACCESS_TOKEN, FB_APP_SECRET,
// FB_VERIFY_TOKEN) are now a shortcut through app/page-connections.ts. A data directory made by the code
// before that change — built here with the migrations of that time only (up to 018) and the page row as
// the old start wrote it (its own encrypted copy of FB_APP_SECRET) — opens, keeps its page, customers
// and history, takes the page's webhooks under the deployment's secret, and sends.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/accounts.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { createSandbox, DEFAULT_PAGE, type Sandbox, signBody } from '../../src/sandbox/index.ts';
import { upsertCustomer } from '../../src/storage/customers.ts';
import { openStorage } from '../../src/storage/db.ts';
import { encrypt, setSecretKey } from '../../src/storage/secrets.ts';
import { call } from '../security/harness.ts';
import { delivery, waitFor } from './harness.ts';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/storage/migrations');
/** The last migration before issue 12: a data directory of that time has exactly these. */
const BEFORE_ISSUE_12 = 18;

async function oldMigrations(): Promise<Record<string, Migration>> {
  const files = (await fs.readdir(MIGRATIONS))
    .filter((f) => /^\d+_.+\.sql$/.test(f) && Number(f.slice(0, 3)) <= BEFORE_ISSUE_12)
    .sort();
  const out: Record<string, Migration> = {};
  for (const f of files) {
    const text = await fs.readFile(path.join(MIGRATIONS, f), 'utf8');
    out[f.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(text).execute(db)) };
  }
  return out;
}

let rt: Runtime | null = null;
let sandbox: Sandbox | null = null;
let dir = '';
afterAll(async () => {
  await rt?.close();
  await sandbox?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('upgrade: a single-page data directory from before issue 12', () => {
  it('opens, keeps its page and customers, takes its webhooks and sends (R1a reply)', {
    timeout: 120_000,
  }, async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'renotify-upgrade-'));
    const key = randomBytes(32).toString('hex');
    setSecretKey(Buffer.from(key, 'hex'));
    sandbox = createSandbox({ clock: new ManualClock(), webhookUrl: undefined });
    const sandboxUrl = await sandbox.listen(0);
    const now = new Date();
    const sim = sandbox.state.addCustomer(DEFAULT_PAGE.id, { name: 'Khách Cũ', lastInteractionAt: now }, now);

    // --- the data directory as the old code left it ---
    const old = await openStorage({ dataDir: dir, migrate: false });
    const migrator = new Migrator({
      db: old.db as unknown as Kysely<unknown>,
      provider: { getMigrations: oldMigrations },
    });
    const { error } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
    const ws = await sql<{ id: number }>`
      INSERT INTO workspaces (name, created_at) VALUES ('My shop', ${now}) RETURNING id`.execute(old.db);
    const workspaceId = ws.rows[0]!.id;
    const pg = await sql<{ id: number }>`
      INSERT INTO pages (workspace_id, fb_page_id, name, profile, time_zone, region, access_token, app_secret, created_at)
      VALUES (${workspaceId}, ${DEFAULT_PAGE.id}, 'Facebook Page', '2026', 'Asia/Ho_Chi_Minh', 'VN',
              ${encrypt(DEFAULT_PAGE.accessToken)}, ${encrypt(DEFAULT_PAGE.appSecret)}, ${now})
      RETURNING id`.execute(old.db);
    const pageId = pg.rows[0]!.id;
    const customer = await upsertCustomer(
      old.db,
      { workspaceId, pageId, psid: sim.psid, name: 'Khách Cũ', interactionAt: now },
      now,
    );
    await old.close();

    // --- the new code, started with the same environment as before ---
    const config = {
      ...loadConfig({
        FB_PAGE_ACCESS_TOKEN: DEFAULT_PAGE.accessToken,
        FB_PAGE_ID: DEFAULT_PAGE.id,
        FB_APP_SECRET: DEFAULT_PAGE.appSecret,
        FB_VERIFY_TOKEN: 'upgrade-verify',
        GRAPH_BASE_URL: sandboxUrl,
        RENOTIFY_DATA_DIR: dir,
        RENOTIFY_SECRET_KEY: key,
      }),
      port: 0,
      host: '127.0.0.1',
    };
    expect(config.mode).toBe('live');
    rt = await startRuntime({ config, queueSchema: 'pgboss' });
    expect(rt.hasPage).toBe(true);
    expect(rt.page).toMatchObject({
      id: pageId,
      workspace_id: workspaceId,
      name: 'Facebook Page',
      profile: '2026',
    });
    // Moved to the one-app model: the page's own copy of the secret is gone, the deployment's applies.
    expect(rt.page.app_secret).toBeNull();
    expect(rt.page.connected_at).not.toBeNull();
    const pages = await rt.storage.db.selectFrom('pages').select(['id', 'workspace_id']).execute();
    expect(pages).toEqual([{ id: pageId, workspace_id: workspaceId }]);

    // Its webhooks, signed with FB_APP_SECRET, are taken and applied to the same customer.
    const mid = `m_${randomBytes(5).toString('hex')}`;
    const raw = JSON.stringify(
      delivery(DEFAULT_PAGE.id, [
        {
          sender: { id: sim.psid },
          recipient: { id: DEFAULT_PAGE.id },
          timestamp: Date.now(),
          message: { mid, text: 'còn hàng không?' },
        },
      ]),
    );
    const hook = await call(rt.url!, 'POST', '/webhooks/messenger', {}, raw, {
      'x-hub-signature-256': signBody(DEFAULT_PAGE.appSecret, raw),
    });
    expect(hook.status).toBe(200);
    await waitFor(
      async () =>
        (
          await rt!.storage.db
            .selectFrom('messages')
            .select('customer_id')
            .where('mid', '=', mid)
            .executeTakeFirst()
        )?.customer_id === customer.id,
      { what: 'the message applied to the old customer' },
    );

    // And it sends: an agent's reply reaches the sandbox with the page's token.
    const { key: apiKey } = await createApiKey(rt.ctx, workspaceId, { name: 'upgrade', role: 'owner' }, null);
    const reply = await call(
      rt.url!,
      'POST',
      `/api/customers/${customer.id}/messages`,
      { apiKey },
      { text: 'Dạ còn ạ' },
    );
    expect(reply.status).toBeLessThan(300);
    expect(sandbox.state.received.some((r) => JSON.stringify(r).includes('Dạ còn ạ'))).toBe(true);
  });
});
