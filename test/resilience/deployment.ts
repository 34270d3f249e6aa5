// A live-mode deployment of real processes for the resilience tests: `npm start`'s entry (src/main.ts)
// and `renotify worker` (bin/renotify.mjs) as child processes on one PostgreSQL schema of the test's
// database, talking to a Graph sandbox that lives in the test process (so it outlives them and keeps
// the log of what Meta received). Every child connects with an application_name of this deployment, so
// the test can terminate exactly its own backends and nobody else's.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createCampaign, startCampaign } from '../../src/app/campaigns.ts';
import { DEFAULT_PAGE } from '../../src/sandbox/index.ts';
import { findCampaign } from '../../src/storage/campaigns.ts';
import type { Storage } from '../../src/storage/db.ts';
import { setSecretKey } from '../../src/storage/secrets.ts';
import {
  createWorld,
  type RecipientSpec,
  seedDatabase,
  seedSandbox,
  T0,
  type World,
} from '../crash/world.ts';
import { openTestStorage } from '../support/backends.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// node with tsx's loader in this child, not the tsx CLI (whose grandchild a kill would leave running).
const NODE = [process.execPath, '--import', 'tsx'];

export interface Proc {
  child: ChildProcess;
  /** The service's URL (null for a worker). */
  url: string | null;
  output(): string;
}

const children = new Set<ChildProcess>();

export function exited(c: ChildProcess): Promise<number | null> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.exitCode);
  return new Promise((resolve) => c.once('exit', (code) => resolve(code)));
}

export const running = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;

/** Starts a child and resolves once a line matches `ready` (bounded). */
export function launch(args: string[], env: Record<string, string>, ready: RegExp): Promise<Proc> {
  const child = spawn(NODE[0]!, [...NODE.slice(1), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  const proc: Proc = { child, url: null, output: () => out };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${out}`)), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}) before it was ready:\n${out}`));
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        out += `${line}\n`;
        const m = ready.exec(line);
        if (m) {
          clearTimeout(timer);
          proc.url = m[1] ?? null;
          resolve(proc);
        }
      });
    }
  });
}

/** Runs a child to its end: exit code and everything it printed. */
/** Runs a child to its end (or kills it once its output matches `killOn`): exit code and output. */
export function runToExit(
  args: string[],
  env: Record<string, string>,
  killOn?: RegExp,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(NODE[0]!, [...NODE.slice(1), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (b) => {
      output += String(b);
      if (killOn?.test(output)) child.kill('SIGKILL');
    });
  }
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

export const startService = (env: Record<string, string>) =>
  launch(['src/main.ts'], env, /^\s+service\s+(http:\/\/\S+)/);
export const startWorker = (env: Record<string, string>) =>
  launch(['bin/renotify.mjs', 'worker'], env, /renotify worker running/);

/** Ends every child still running (afterAll). */
export async function killAll(): Promise<void> {
  const left = [...children];
  for (const c of left) c.kill('SIGKILL');
  await Promise.all(left.map(exited));
}

export interface Deployment {
  /** The test's own connection (seeding, checks, terminating the children's backends). */
  storage: Storage;
  world: World;
  specs: RecipientSpec[];
  sandboxUrl: string;
  appName: string;
  /** The environment of every process of the deployment. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** One OTN campaign world of `n` recipients; 1 in 10 not eligible (its token used). */
export async function deployment(n: number, opts: { sandboxRate?: number } = {}): Promise<Deployment> {
  const key = randomBytes(32).toString('hex');
  setSecretKey(Buffer.from(key, 'hex'));
  const storage = await openTestStorage('postgres');
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(storage.db)).rows[0]!.s;
  const world = await createWorld(storage, { rateLimitPerSecond: opts.sandboxRate ?? 0 });
  const specs: RecipientSpec[] = Array.from({ length: n }, (_, i) => ({
    topic: 'otn',
    state: i % 10 === 3 ? 'used' : 'valid',
    firstName: `Khach${i}`,
  }));
  seedSandbox(world.sandbox!, specs, T0);
  await seedDatabase(world, specs);
  const sandboxUrl = await world.sandbox!.listen(0);
  const appName = `rn-resilience-${randomBytes(4).toString('hex')}`;
  const queueSchema = `pgboss_${schema}`;
  const env: Record<string, string> = {
    DATABASE_URL: process.env.DATABASE_URL!,
    PGOPTIONS: `-c search_path=${schema}`,
    PGAPPNAME: appName,
    RENOTIFY_QUEUE_SCHEMA: queueSchema,
    RENOTIFY_SECRET_KEY: key,
    FB_PAGE_ACCESS_TOKEN: DEFAULT_PAGE.accessToken,
    FB_PAGE_ID: DEFAULT_PAGE.id,
    FB_APP_SECRET: DEFAULT_PAGE.appSecret,
    FB_VERIFY_TOKEN: 'resilience-verify',
    GRAPH_BASE_URL: sandboxUrl,
    PAGE_PROFILE: 'legacy-2022',
    HOST: '127.0.0.1',
    PORT: '0',
  };
  return {
    storage,
    world,
    specs,
    sandboxUrl,
    appName,
    env,
    async close() {
      await killAll();
      await world.sandbox!.close();
      await sql`DROP SCHEMA IF EXISTS ${sql.id(queueSchema)} CASCADE`.execute(storage.db);
      await storage.close();
    },
  };
}

/** Starts an OTN campaign to everyone; the deployment's processes pick it up. */
export async function startOtnCampaign(d: Deployment): Promise<number> {
  const c = await createCampaign(d.world.ctx, d.world.workspaceId, d.world.page.id, {
    name: 'resilience',
    topicId: d.world.otn.id,
    content: { type: 'text', text: 'Chào {{first_name}}' },
    audience: {},
  });
  await startCampaign(d.world.ctx, d.world.workspaceId, c.id);
  return c.id;
}

/**
 * pg_terminate_backend on this deployment's connections only: this database and the application_name
 * its processes set (never the test's own connection, never anyone else's).
 */
export async function killBackends(d: Deployment): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = ${d.appName} AND pid <> pg_backend_pid()`.execute(
    d.storage.db,
  );
  return r.rows[0]!.n;
}

/** What the sandbox received for the campaign's recipients against what should have been sent. */
export async function campaignLedger(d: Deployment, campaignId: number) {
  const campaign = (await findCampaign(d.storage.db, null, campaignId))!;
  const counts = new Map<string, number>();
  for (const r of d.world.sandbox!.state.received) {
    if (r.psid.startsWith('psid-')) counts.set(r.psid, (counts.get(r.psid) ?? 0) + 1);
  }
  const eligible = d.specs.map((s, i) => (s.state === 'valid' ? `psid-${i}` : null)).filter(Boolean);
  return {
    campaign,
    eligible: eligible.length,
    received: [...counts.values()].reduce((a, b) => a + b, 0),
    twice: [...counts.values()].filter((v) => v > 1).length,
    missing: eligible.filter((p) => !counts.has(p!)).length,
  };
}
