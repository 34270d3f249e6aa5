// Issue 12.4: a workspace with two pages, everywhere. The demo workspace connects a second sandbox page
// through app/page-connections.ts; a customer writes to each page and is answered by that page's own
// chat assistant; the inbox, the assistant's triggers, campaigns and statistics are per page, and the
// workspace's statistics sum its pages. Real HTTP, the sandbox, PGlite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/accounts.ts';
import { createTrigger } from '../../src/app/assistant.ts';
import { connectPage } from '../../src/app/page-connections.ts';
import { SandboxClient } from '../../src/sandbox/index.ts';
import type { PageRow } from '../../src/storage/schema.ts';
import { boot, type Caller, call } from '../security/harness.ts';
import { BACKENDS } from '../support/backends.ts';
import { waitFor } from './harness.ts';

describe.each(BACKENDS)('a workspace with two pages (%s)', (backend) => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  let owner: Caller;
  let page1: PageRow;
  let page2: PageRow;
  let psid1: string;
  let psid2: string;
  const get = (path: string) => call(base, 'GET', path, owner);

  beforeAll(async () => {
    env = await boot(backend);
    const { rt } = env;
    base = rt.url!;
    page1 = rt.page;
    const fbPageId = String(200_000_000_000_000 + Math.floor(Math.random() * 1e9));
    const sim = rt.sandbox!.addPage({ id: fbPageId, name: 'Chi nhánh 2' });
    sim.webhookUrl = `${base}/webhooks/messenger`;
    ({ page: page2 } = await connectPage(rt.ctx, rt.workspaceId, {
      fbPageId,
      name: 'Chi nhánh 2',
      accessToken: sim.accessToken,
      profile: 'legacy-2022',
    }));
    await createTrigger(rt.ctx, rt.workspaceId, page2.id, {
      kind: 'keyword_contains',
      value: 'giá',
      blocks: [{ type: 'text', text: 'Chi nhánh 2 xin báo giá' }],
    });
    const key = await createApiKey(rt.ctx, rt.workspaceId, { name: 'two-pages', role: 'owner' }, null);
    owner = { apiKey: key.key };
    const sandbox = new SandboxClient(rt.sandboxUrl!);
    psid1 = (await sandbox.createCustomer({ name: `Khách một ${randomBytes(2).toString('hex')}` })).psid;
    psid2 = (await sandbox.forPage(fbPageId).createCustomer({ name: 'Khách hai' })).psid;
    await sandbox.message(psid1, 'giá bao nhiêu?');
    await sandbox.message(psid2, 'giá bao nhiêu?');
  }, 300_000); // booting the runtime on a loaded machine takes a while
  afterAll(async () => env?.close());

  it("assistant per page: each customer is answered by its own page's assistant", async () => {
    const sandbox = new SandboxClient(env.rt.sandboxUrl!);
    const said = async (psid: string) => JSON.stringify(await sandbox.thread(psid));
    await waitFor(async () => (await said(psid2)).includes('Chi nhánh 2 xin báo giá'), {
      what: "page 2's assistant answered",
      timeoutMs: 30_000,
    });
    // Page 1 answers with its own default block, never page 2's.
    await waitFor(async () => (await said(psid1)).includes('Cảm ơn bạn đã nhắn tin'), {
      what: "page 1's assistant answered",
      timeoutMs: 30_000,
    });
    expect(await said(psid1)).not.toContain('Chi nhánh 2');
    const triggers2 = (await get(`/api/pages/${page2.id}/assistant/triggers`)).body;
    expect(JSON.stringify(triggers2)).toContain('Chi nhánh 2 xin báo giá');
    expect(JSON.stringify((await get(`/api/pages/${page1.id}/assistant/triggers`)).body)).not.toContain(
      'Chi nhánh 2',
    );
  });

  it('inbox per page: each page lists only its own conversations', async () => {
    const psidsOf = async (pageId: number) =>
      ((await get(`/api/pages/${pageId}/conversations`)).body.conversations as Array<{ psid: string }>).map(
        (c) => c.psid,
      );
    await waitFor(async () => (await psidsOf(page2.id)).includes(psid2), { what: 'page 2 conversation' });
    expect(await psidsOf(page2.id)).toEqual([psid2]);
    expect(await psidsOf(page1.id)).not.toContain(psid2);
    const pages = (await get('/api/pages')).body.pages as Array<{ id: number }>;
    // The demo shop also holds its 2026 page (issue 12's demo): both of ours are listed, in order.
    expect(pages.map((p) => p.id)).toEqual(expect.arrayContaining([page1.id, page2.id]));
  });

  it("campaigns per page: a page's campaign takes only its own topics and lists apart", async () => {
    const topic1 = ((await get(`/api/pages/${page1.id}/topics`)).body.topics as Array<{ id: number }>)[0]!;
    const onOther = await call(base, 'POST', `/api/pages/${page2.id}/campaigns`, owner, {
      name: 'wrong page',
      topicId: topic1.id,
      content: { type: 'text', text: 'x' },
      audience: {},
    });
    expect(onOther.status).toBeGreaterThanOrEqual(400);
    expect(onOther.status).toBeLessThan(500);
    const own = await call(base, 'POST', `/api/pages/${page1.id}/campaigns`, owner, {
      name: 'page one',
      topicId: topic1.id,
      content: { type: 'text', text: 'x' },
      audience: {},
    });
    expect(own.status).toBe(201);
    const list2 = (await get(`/api/pages/${page2.id}/campaigns`)).body;
    expect(JSON.stringify(list2)).not.toContain('page one');
  });

  it("statistics per page and for the workspace: the workspace's numbers are its pages' sums", async () => {
    const s2 = (await get(`/api/pages/${page2.id}/stats`)).body;
    expect(s2.customers.total).toBe(1);
    const ws = await get('/api/stats?days=30');
    expect(ws.status).toBe(200);
    const ids = ws.body.pages.map((p: { page: { id: number } }) => p.page.id) as number[];
    expect(ids).toEqual(expect.arrayContaining([page1.id, page2.id]));
    // The workspace's numbers are the sums over every page it holds (the demo's third page included).
    let customers = 0;
    let sends = 0;
    for (const id of ids) {
      const s = (await get(`/api/pages/${id}/stats`)).body;
      customers += s.customers.total;
      sends += s.totals.sends;
    }
    expect(ws.body.customers).toBe(customers);
    expect(ws.body.totals.sends).toBe(sends);
    expect((await get('/api/stats?days=0')).status).toBe(400);
  });
});
