// R9d under fire: a 20 000-recipient campaign (CI_FAST: 3 000) against the sandbox, dispatched by a
// worker *process* that is killed with SIGKILL several times mid-run and started again; on
// PostgreSQL also by two workers sharing the campaign; and with 5% injected transient errors plus
// injected rate-limit answers (613). Afterwards the sandbox's
// received log holds every eligible recipient exactly once, and the campaign's numbers match it.
// The sandbox lives in this process, so it outlives every worker.
// Duration on 2 shared cores, 20 000 recipients: PGlite about 40 s per scenario, PostgreSQL about 15 s;
// the five scenarios about 130 s (2026-11 measurement). CI_FAST=1 uses 3 000 recipients.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignProgress, createCampaign, startCampaign } from '../../src/app/campaigns.ts';
import { findCampaign } from '../../src/storage/campaigns.ts';
import { openStorage, type Storage } from '../../src/storage/db.ts';
import { setSecretKey } from '../../src/storage/secrets.ts';
import { hasPostgres, openTestStorage } from '../support/backends.ts';
import { createWorld, type RecipientSpec, seedDatabase, seedSandbox, T0 } from './world.ts';

const N = process.env.CI_FAST ? 3_000 : 20_000;
const KEY = randomBytes(32).toString('hex');
setSecretKey(Buffer.from(KEY, 'hex'));
const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.ts');
const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** 1 in 10 recipients is not eligible (used / expired / stopped …): they must end skipped, never sent. */
function specs(topic: 'otn' | 'recurring'): RecipientSpec[] {
  const off = topic === 'otn' ? (['used', 'expired'] as const) : (['stopped', 'cooldown'] as const);
  return Array.from({ length: N }, (_, i) => ({
    topic,
    state: i % 10 === 3 ? off[0] : i % 10 === 7 && i % 20 === 7 ? off[1] : 'valid',
    firstName: `Khach${i}`,
  }));
}

interface Scenario {
  backend: 'pglite' | 'postgres';
  topic: 'otn' | 'recurring';
  workers: number;
  faults: boolean;
}

function spawnWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve(c.exitCode);
    else c.once('exit', (code) => resolve(code));
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(s: Scenario) {
  const started = Date.now();
  let storage: Storage;
  let dataDir: string | null = null;
  let schema: string | undefined;
  if (s.backend === 'pglite') {
    dataDir = mkdtempSync(path.join(tmpdir(), 'rn-crash-'));
    tmpDirs.push(dataDir);
    storage = await openStorage({ dataDir });
  } else {
    storage = await openTestStorage('postgres');
    schema = (await sql<{ s: string }>`select current_schema() as s`.execute(storage.db)).rows[0]!.s;
  }
  const world = await createWorld(storage, { rateLimitPerSecond: 0 });
  const list = specs(s.topic);
  seedSandbox(world.sandbox!, list, T0);
  await seedDatabase(world, list);
  const url = await world.sandbox!.listen(0);
  if (s.faults) {
    // 5% of calls answer HTTP 500 (code 2, transient); the next 60 batch items answer 613 (rate limit).
    world.sandbox!.faults.update({ errorRate: 0.05, error: { code: 2, status: 500 } });
    world.sandbox!.faults.failNext(60, {
      code: 613,
      status: 400,
      message: '(#613) Calls to this api have exceeded the rate limit.',
    });
  }
  const c = await createCampaign(world.ctx, world.workspaceId, world.page.id, {
    name: 'crash',
    topicId: (s.topic === 'otn' ? world.otn : world.recurring).id,
    content: { type: 'text', text: 'Chào {{first_name}}' },
    audience: {},
  });
  await startCampaign(world.ctx, world.workspaceId, c.id);
  if (dataDir) await storage.close(); // PGlite: one process at a time
  const env: Record<string, string> = {
    RN_SECRET_KEY: KEY,
    RN_CLOCK_AT: T0.toISOString(),
    RN_GRAPH_URL: url,
    RN_RATE: String(3000 / s.workers),
    RN_LEASE_MS: '3000',
    ...(dataDir
      ? { RN_PGLITE_DIR: dataDir }
      : { RN_DATABASE_URL: process.env.DATABASE_URL!, RN_SCHEMA: schema! }),
  };
  // Kill phase: start the workers; each time the sandbox has taken another sixth of the campaign,
  // SIGKILL one of them a few random milliseconds later (mid-batch, mid-call), and start it again.
  const workers: ChildProcess[] = Array.from({ length: s.workers }, () => spawnWorker(env));
  const got = () => world.sandbox!.state.received.length;
  const atKill: number[] = [];
  let kills = 0;
  for (; kills < 4; kills++) {
    const target = Math.floor(((kills + 1) * N * 0.9) / 6);
    while (got() < target) await sleep(5);
    await sleep(Math.floor(Math.random() * 40));
    atKill.push(got());
    const i = kills % workers.length;
    workers[i]!.kill('SIGKILL');
    await exited(workers[i]!);
    workers[i] = spawnWorker(env);
  }
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(workers.map(exited));
  // Finish: workers run until no campaign is active, then exit by themselves.
  const finals = Array.from({ length: s.workers }, () => spawnWorker({ ...env, RN_EXIT_WHEN_IDLE: '1' }));
  const codes = await Promise.all(finals.map(exited));
  expect(codes.every((code) => code === 0)).toBe(true);

  const check = dataDir ? await openStorage({ dataDir }) : storage;
  const done = (await findCampaign(check.db, null, c.id))!;
  const progress = await campaignProgress({ db: check.db, clock: world.clock }, done);
  const received = world.sandbox!.state.received;
  const eligible = new Set(list.map((r, i) => (r.state === 'valid' ? `psid-${i}` : null)).filter(Boolean));
  const counts = new Map<string, number>();
  for (const r of received) counts.set(r.psid, (counts.get(r.psid) ?? 0) + 1);
  const twice = [...counts.values()].filter((n) => n > 1).length;
  const missing = [...eligible].filter((p) => !counts.has(p!)).length;
  console.log(
    `[crash] ${s.backend} ${s.topic} workers=${s.workers} faults=${s.faults} n=${N} kills=${kills}: ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s, sent ${done.sent_count}, skipped ${done.skipped_count}, ` +
      `failed ${done.failed_count}, confirmed-by-token ${progress.reasons['sent:confirmed_by_token'] ?? 0}, ` +
      `received at each kill ${atKill.join('/')}`,
  );
  expect(done.status).toBe('completed');
  expect(twice).toBe(0);
  expect(missing).toBe(0);
  expect(counts.size).toBe(eligible.size);
  expect(done.sent_count).toBe(received.length);
  expect(progress.counts.sent).toBe(received.length);
  expect(done.failed_count).toBe(0);
  expect(done.skipped_count).toBe(N - eligible.size);
  expect(progress.counts.sent + progress.counts.skipped).toBe(done.targeted);
  expect(done.targeted).toBe(N);
  await world.sandbox!.close();
  await check.close();
}

describe('R9d: at most once, none dropped, across SIGKILLs (campaign-crash)', () => {
  it('R9d: one worker process on PGlite, killed four times', { timeout: 240_000 }, () =>
    run({ backend: 'pglite', topic: 'otn', workers: 1, faults: false }),
  );
  it(
    'R9d: one worker process on PGlite, 5% transient errors and rate-limit answers',
    { timeout: 240_000 },
    () => run({ backend: 'pglite', topic: 'recurring', workers: 1, faults: true }),
  );
  it.skipIf(!hasPostgres())('R9d: one worker on PostgreSQL, killed four times', { timeout: 240_000 }, () =>
    run({ backend: 'postgres', topic: 'otn', workers: 1, faults: false }),
  );
  it.skipIf(!hasPostgres())(
    'R9d: two workers sharing the campaign on PostgreSQL, killed in turn',
    { timeout: 240_000 },
    () => run({ backend: 'postgres', topic: 'recurring', workers: 2, faults: false }),
  );
  it.skipIf(!hasPostgres())(
    'R9d: two workers on PostgreSQL, 5% transient errors and rate-limit answers',
    { timeout: 240_000 },
    () => run({ backend: 'postgres', topic: 'otn', workers: 2, faults: true }),
  );
});
