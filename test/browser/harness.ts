// Browser tests: the real runtime (service + worker + Graph API sandbox on loopback ports, PGlite in
// memory, a fresh demo workspace) driven through the built console and the sandbox phone by
// playwright-core with Debian's Chromium. Without /usr/bin/chromium the suites skip and say why.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { addMember, createUser } from '../../src/app/accounts.ts';
import { loadConfig } from '../../src/config.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { openTestStorage } from '../support/backends.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** docs/screenshots with UPDATE_SCREENSHOTS=1 (committed pictures); otherwise test-results/ (ignored). */
export const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(ROOT, 'test-results', 'screenshots');

export const browserSkipReason: string | null = existsSync(CHROMIUM)
  ? null
  : `Chromium not found at ${CHROMIUM} (apt-get install chromium): skipping the browser tests.`;
if (browserSkipReason) console.log(`[renotify tests] ${browserSkipReason}`);

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds web/dist and web/phone/dist when missing or older than their sources. */
export function ensureWebBuilt(): void {
  const web = path.join(ROOT, 'web');
  const outs = [path.join(web, 'dist', 'index.html'), path.join(web, 'phone', 'dist', 'index.html')];
  const built = Math.min(...outs.map((o) => (existsSync(o) ? statSync(o).mtimeMs : 0)));
  if (built > newest(web)) return;
  const r = spawnSync('npm', ['run', 'build:web', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build:web failed:\n${r.stdout}\n${r.stderr}`);
}

export interface Env {
  rt: Runtime;
  context: BrowserContext;
  console: Page;
  phone: Page;
  base: string;
  sandboxUrl: string;
  close(): Promise<void>;
}

/** A Chromium context with its own temporary profile (no cookies): a separate person's browser. */
export async function launchContext(
  width = 1280,
  timezoneId = 'Asia/Ho_Chi_Minh',
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'rn-chromium-'));
  // A persistent context is how Playwright takes a temporary --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width, height: 860 },
    locale: 'vi-VN',
    timezoneId,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** `timezoneId`: the browser's zone (the inbox must show the page's zone whatever it is). */
/** `env`: configuration as the environment gives it (e.g. PAGE_PROFILE=2026, PAGE_REGION=VN). */
export async function boot(
  opts: { width?: number; timezoneId?: string; env?: Record<string, string> } = {},
): Promise<Env> {
  ensureWebBuilt();
  const storage = await openTestStorage('pglite');
  const config = { ...loadConfig({ ...opts.env }), port: 0, sandboxPort: 0, host: '127.0.0.1' };
  const rt = await startRuntime({ config, storage, queueSchema: `boss_${randomBytes(4).toString('hex')}` });
  const email = `agent-${randomBytes(3).toString('hex')}@shop.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await createUser(rt.ctx, { email, name: 'Agent', password });
  await addMember(rt.ctx, rt.workspaceId, user.id, 'owner');

  const { context, close: closeContext } = await launchContext(opts.width, opts.timezoneId);
  // Sign in through the API (the session cookie lands in the context's jar).
  const res = await context.request.post(`${rt.url}/api/auth/sign-in`, { data: { email, password } });
  if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
  const consolePage = context.pages()[0] ?? (await context.newPage());
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 420, height: 860 });
  mkdirSync(SHOTS, { recursive: true });
  return {
    rt,
    context,
    console: consolePage,
    phone,
    base: rt.url!,
    sandboxUrl: rt.sandboxUrl!,
    async close() {
      await closeContext();
      await rt.close();
      await storage.close();
    },
  };
}

export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: opts.fullPage ?? false });
}

/** The demo customer's console id and sandbox PSID by name. */
export async function customerByName(rt: Runtime, name: string): Promise<{ id: number; psid: string }> {
  const row = await rt.storage.db
    .selectFrom('customers')
    .select(['id', 'psid'])
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return { id: row.id, psid: row.psid };
}

/** Polls until `fn` answers something truthy (the service works asynchronously: webhooks, the worker). */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const WEEKLY = { name: 'Khuyến mãi hàng tuần', title: 'Ưu đãi mỗi tuần từ Cửa hàng demo' };

/** Demo customers (by name) ask for offers on the sandbox phone and accept the weekly topic's card. */
export async function optInWeekly(env: Env, names: readonly string[]): Promise<string[]> {
  const { SandboxClient } = await import('../../src/sandbox/client.ts');
  const sb = new SandboxClient(env.sandboxUrl);
  const info = await sb.info();
  const psids = names.map((n) => info.customers.find((c) => c.name === n)!.psid);
  for (const psid of psids) await sb.message(psid, 'khuyến mãi');
  for (const psid of psids) {
    await until('the opt-in card', async () =>
      (await sb.thread(psid)).items.some((i) => i.optInCard?.title === WEEKLY.title),
    );
    await sb.optinLatest(psid, WEEKLY.title);
  }
  await sb.flushWebhooks();
  return psids;
}
