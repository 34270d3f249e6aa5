// The CLI as a user runs it: `node bin/renotify.mjs …` in a child process, against a real service
// started here (sandbox mode, PGlite, port 0). Checks outputs and the exit codes scripts rely on.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.ts';
import { type Service, startService } from '../../test/support/service.ts';
import { SandboxClient } from '../sandbox/index.ts';
import { buildProgram } from './main.ts';

describe('renotify CLI', () => {
  let svc: Service;
  let env: Record<string, string>;
  const dir = mkdtempSync(path.join(tmpdir(), 'renotify-cli-'));
  const run = (...args: string[]) => cli(args, env);
  beforeAll(async () => {
    svc = await startService('pglite');
    env = { RENOTIFY_URL: svc.url, RENOTIFY_API_KEY: svc.keys.owner };
  });
  afterAll(async () => svc?.close());

  it('topics: list, create, deactivate, activate; --json; an API refusal exits 1 with its code', async () => {
    const list = await run('topics');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/recurring/);
    const created = await run(
      '--json',
      'topics',
      'create',
      '--name',
      'CLI topic',
      '--kind',
      'one_time',
      '--title',
      'Báo khi có hàng',
    );
    expect(created.code).toBe(0);
    const topic = JSON.parse(created.stdout);
    expect(topic).toMatchObject({ name: 'CLI topic', kind: 'one_time', active: true });
    const again = await run('topics', 'create', '--name', 'cli TOPIC', '--kind', 'one_time', '--title', 'x');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/duplicate_topic_name/);
    const off = await run('--json', 'topics', 'deactivate', String(topic.id));
    expect([off.code, JSON.parse(off.stdout).active]).toEqual([0, false]);
    const on = await run('topics', 'activate', String(topic.id));
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/\bactive +one_time +CLI topic/);
    const json = JSON.parse((await run('--json', 'topics', 'list')).stdout);
    expect(json.topics.map((t: { name: string }) => t.name)).toContain('CLI topic');
  });

  it('exit codes: 2 for usage, 3 when the service is not reachable, 1 with the API code without a key', async () => {
    expect((await run('topics', 'deactivate', 'abc')).code).toBe(2);
    expect((await run('--bogus')).code).toBe(2);
    expect((await run('nonsense')).code).toBe(2);
    expect((await run('import', 'customers', path.join(dir, 'missing.csv'))).code).toBe(2);
    const down = await cli(['--json', 'topics'], {
      RENOTIFY_URL: 'http://127.0.0.1:9',
      RENOTIFY_API_KEY: 'x',
    });
    expect(down.code).toBe(3);
    expect(JSON.parse(down.stdout).error.code).toBe('unreachable');
    const anonymous = await cli(['topics'], { RENOTIFY_URL: svc.url, RENOTIFY_API_KEY: undefined });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^renotify: \w+: /);
    const agent = await cli(['stats', 'page'], { RENOTIFY_URL: svc.url, RENOTIFY_API_KEY: svc.keys.agent });
    expect(agent.code).toBe(1);
    expect(agent.stderr).toMatch(/forbidden/);
    expect((await run('--help')).code).toBe(0);
  });

  it('import customers and subscriptions from files; a bad line exits 1 naming it; export consent', async () => {
    const customers = path.join(dir, 'customers.csv');
    writeFileSync(customers, 'psid,name,labels\ncli-1,Khách CLI,vip\ncli-2,Khách Hai,\n');
    const ok = await run('--json', 'import', 'customers', customers);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ rows: 2, created: 2, updated: 0 });
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'psid,last_interaction_at\ncli-3,2026-01-01\ncli-4,tomorrow\n');
    const refused = await run('import', 'customers', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/validation_failed: line 3: last_interaction_at/);
    writeFileSync(bad, 'psid,locale,last_interaction_at\ncli-3,vi,2026-01-01\ncli-4,,tomorrow\ncli-5,x,\n');
    const several = await run('import', 'customers', bad);
    expect(several.code).toBe(1);
    expect(several.stderr).toMatch(
      /2 bad lines; nothing was imported:\n {2}line 3: last_interaction_at.*\n {2}line 4: locale/,
    );
    const topics = JSON.parse((await run('--json', 'topics')).stdout).topics as Array<{
      id: number;
      kind: string;
    }>;
    const otn = topics.find((t) => t.kind === 'one_time')!;
    const subs = path.join(dir, 'subs.csv');
    writeFileSync(
      subs,
      `psid,topic,token,kind,opted_in_at\ncli-1,${otn.id},cli-tok-1,one_time,2026-01-01T00:00:00Z\n`,
    );
    expect((await run('import', 'subscriptions', subs)).stdout).toMatch(/accepted 1/);
    const out = path.join(dir, 'consent.csv');
    const exported = await run(
      'export',
      'consent',
      '--format',
      'csv',
      '--out',
      out,
      '--topic',
      String(otn.id),
    );
    expect(exported.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^id,at,event,topic_id/);
    expect(lines.some((l) => l.includes('cli-1') && l.includes('import'))).toBe(true);
    const json = await run('export', 'consent', '--format', 'json');
    expect(JSON.parse(json.stdout).history.length).toBeGreaterThan(0);
    expect((await run('export', 'consent', '--format', 'xml')).code).toBe(2);
    const tokens = await run('--json', 'import', 'tokens');
    expect(tokens.code).toBe(0);
    expect(JSON.parse(tokens.stdout)).toMatchObject({ tokens: expect.any(Number) });
  });

  it('campaign: create, dry-run, start and watch to the end with a progress bar; status and stats', async () => {
    const topics = JSON.parse((await run('--json', 'topics')).stdout).topics as Array<{
      id: number;
      kind: string;
      title: string;
    }>;
    const otn = topics.find((t) => t.kind === 'one_time' && t.title !== 'Báo khi có hàng')!;
    // Three customers inside the 24-hour window take the "Notify me" card in the sandbox.
    const sb = new SandboxClient(svc.rt.sandboxUrl!);
    for (const id of [1, 2, 3]) {
      const sent = await svc.call('POST', `/api/customers/${id}/invitations`, {
        as: 'agent',
        body: { topicId: otn.id },
      });
      expect(sent.status).toBe(201);
      const psid = (await svc.call('GET', `/api/customers/${id}`)).body.customer.psid;
      await sb.optinLatest(psid);
    }
    await sb.flushWebhooks();
    const created = await run(
      '--json',
      'campaign',
      'create',
      '--topic',
      String(otn.id),
      '--name',
      'CLI run',
      '--text',
      'Hàng về rồi {{first_name|bạn}}!',
    );
    expect(created.code).toBe(0);
    const id = String(JSON.parse(created.stdout).id);
    const deadline = Date.now() + 15_000;
    let dry = { reachable: 0 };
    while (dry.reachable < 3 && Date.now() < deadline) {
      dry = JSON.parse((await run('--json', 'campaign', 'dry-run', id)).stdout);
      if (dry.reachable < 3) await new Promise((r) => setTimeout(r, 200));
    }
    expect(dry).toMatchObject({ reachable: 3 });
    const shown = (await run('campaign', 'dry-run', id)).stdout;
    expect(shown).toMatch(/reachable 3/);
    // R12h: the route each recipient would take is shown before the start.
    expect(shown).toMatch(/route (recurring_token|otn_token): 3/);
    const watched = await run('campaign', 'start', id, '--watch');
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/completed/);
    expect(watched.stdout).toMatch(/sent 3/);
    const status = await run('--json', 'status', id, '--watch', '--interval', '100');
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'completed', sent: 3 });
    expect((await run('status')).stdout).toMatch(/: ok/);
    const stats = JSON.parse((await run('campaign', 'stats', id)).stdout);
    expect(stats).toMatchObject({ targeted: 3, sent: 3 });
    expect((await run('campaign', 'status', 'nope')).code).toBe(2);
    const missing = await run('campaign', 'pause', '999999');
    expect([missing.code, /campaign_not_found/.test(missing.stderr)]).toEqual([1, true]);
  });

  it('worker refuses the embedded database and an embedded sandbox, with a reason (exit 2)', async () => {
    const embedded = await cli(['worker'], {});
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toMatch(/needs PostgreSQL/);
    const sandbox = await cli(['worker'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' });
    expect(sandbox.code).toBe(2);
    expect(sandbox.stderr).toMatch(/sandbox as its own process.*\n.*SANDBOX_URL/);
  });
});

describe('renotify --help', () => {
  it('every command explains itself in plain words, without internal rule ids (R4b, R9e…)', () => {
    const walk = (c: Command): Command[] => [c, ...c.commands.flatMap(walk)];
    const all = walk(buildProgram({}));
    expect(all.length).toBeGreaterThan(20);
    for (const c of all) {
      const help = c.helpInformation();
      expect(help, c.name()).not.toMatch(/\bR\d{1,2}[a-z]?\b/);
      if (c.parent) expect(c.description(), `${c.parent.name()} ${c.name()} has a description`).not.toBe('');
    }
  });
});
