// The agent inbox, statistics and import/export over HTTP, against a real service (sandbox mode, the
// demo workspace: 20 customers from 5 minutes to 240 days since their last interaction).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../test/support/backends.ts';
import { type Service, startService } from '../../../test/support/service.ts';
import { windowState } from '../../domain/send-resolver.ts';
import { SandboxClient } from '../../sandbox/index.ts';

describe.each(BACKENDS)('inbox, statistics and import/export over HTTP on %s', (backend) => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(backend);
  });
  afterAll(async () => svc?.close());

  const errorShape = (r: { status: number; body: any }, status: number, code: string) => {
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ error: { code, message: expect.any(String) } });
  };

  it('R1: window badge on every conversation of the inbox; filters and keyset paging', async () => {
    const r = await svc.call('GET', `/api/pages/${svc.pageId}/conversations?limit=200`, { as: 'agent' });
    expect(r.status).toBe(200);
    const all = r.body.conversations as any[];
    expect(all).toHaveLength(20);
    const now = svc.rt.clock.now();
    for (const c of all) {
      expect(c.window).toBe(windowState(c.lastInteractionAt ? new Date(c.lastInteractionAt) : null, now));
    }
    const counts = Object.fromEntries(
      ['open', 'human_agent', 'closed'].map((w) => [w, all.filter((c) => c.window === w).length]),
    );
    expect(counts).toEqual({ open: 6, human_agent: 4, closed: 10 });
    const closed = await svc.call('GET', `/api/pages/${svc.pageId}/conversations?window=closed`, {
      as: 'agent',
    });
    expect(closed.body.conversations).toHaveLength(10);
    const paged: number[] = [];
    let next: string | null = null;
    do {
      const q: string = next ? `&after=${encodeURIComponent(next)}` : '';
      const p = await svc.call('GET', `/api/pages/${svc.pageId}/conversations?limit=7${q}`, { as: 'agent' });
      paged.push(...p.body.conversations.map((c: any) => c.customerId));
      next = p.body.next;
    } while (next);
    expect(paged).toEqual(all.map((c) => c.customerId));
    const lan = await svc.call(
      'GET',
      `/api/pages/${svc.pageId}/conversations?q=${encodeURIComponent('thị lan')}`,
      {
        as: 'agent',
      },
    );
    expect(lan.body.conversations.map((c: any) => c.name)).toEqual(['Nguyễn Thị Lan']);
    errorShape(
      await svc.call('GET', `/api/pages/${svc.pageId}/conversations?window=soon`),
      400,
      'validation_failed',
    );
    errorShape(
      await svc.call('GET', `/api/pages/${svc.pageId}/conversations?limit=0`),
      400,
      'validation_failed',
    );
    errorShape(await svc.call('GET', '/api/pages/999999/conversations'), 404, 'page_not_found');
  });

  it('labels: PUT replaces, POST adds, DELETE removes; bad input is refused and changes nothing', async () => {
    const path = '/api/customers/2/labels';
    expect((await svc.call('PUT', path, { as: 'agent', body: { labels: ['VIP', 'Hà Nội'] } })).body).toEqual({
      labels: ['VIP', 'Hà Nội'],
    });
    expect((await svc.call('POST', path, { as: 'agent', body: { labels: ['vip', 'size M'] } })).body).toEqual(
      {
        labels: ['VIP', 'Hà Nội', 'size M'],
      },
    );
    expect((await svc.call('DELETE', `${path}?label=h%C3%A0%20n%E1%BB%99i`, { as: 'agent' })).body).toEqual({
      labels: ['VIP', 'size M'],
    });
    errorShape(
      await svc.call('POST', path, { as: 'agent', body: { labels: ['x'.repeat(41)] } }),
      400,
      'validation_failed',
    );
    errorShape(await svc.call('POST', path, { as: 'agent', body: { labels: [] } }), 400, 'validation_failed');
    errorShape(
      await svc.call('POST', path, { as: 'agent', body: { labels: [{ name: 'VIP' }] } }),
      400,
      'validation_failed',
    );
    errorShape(
      await svc.call('PUT', '/api/customers/999999/labels', { body: { labels: ['a'] } }),
      404,
      'customer_not_found',
    );
    const one = await svc.call('GET', '/api/customers/2', { as: 'agent' });
    expect(one.body.customer.labels).toEqual(['VIP', 'size M']);
    const filtered = await svc.call('GET', `/api/pages/${svc.pageId}/conversations?label=vip`, {
      as: 'agent',
    });
    expect(filtered.body.conversations.map((c: any) => c.customerId)).toEqual([2]);
  });

  it('R4 + R6: one conversation shows the topic lists with dates and the composer with its reason', async () => {
    const far = await svc.call('GET', '/api/customers/20', { as: 'agent' });
    expect(far.body.window).toBe('closed');
    expect(far.body.topics.notSent.length).toBe(2);
    expect(far.body.composer).toMatchObject({ mode: 'policy_notice', reason: 'outside_7d_window' });
  });

  it('R10b: topic and page statistics for admins, refused to agents', async () => {
    const topics = (await svc.call('GET', `/api/pages/${svc.pageId}/topics`)).body.topics as any[];
    const recurring = topics.find((t) => t.kind === 'recurring');
    const s = await svc.call('GET', `/api/topics/${recurring.id}/stats?days=14`, { as: 'admin' });
    expect(s.status).toBe(200);
    expect(s.body.series).toHaveLength(14);
    expect(s.body.totals).toMatchObject({ invitationsSent: expect.any(Number), acceptanceRate: null });
    errorShape(await svc.call('GET', `/api/topics/${recurring.id}/stats?days=0`), 400, 'validation_failed');
    errorShape(await svc.call('GET', `/api/topics/${recurring.id}/stats`, { as: 'agent' }), 403, 'forbidden');
    const p = await svc.call('GET', `/api/pages/${svc.pageId}/stats`, { as: 'admin' });
    expect(p.body.customers.total).toBe(20);
    expect(p.body.topics).toHaveLength(2);
  });

  it('import customers (CSV) all or nothing, then export the consent history as CSV and JSON', async () => {
    const csv = 'psid,name,labels,attr.city\nimp-1,Imported One,vip,Huế\nimp-2,Imported Two,,\n';
    const ok = await svc.call('POST', `/api/pages/${svc.pageId}/import/customers`, {
      as: 'admin',
      body: csv,
      contentType: 'text/csv',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ rows: 2, created: 2, updated: 0 });
    const bad = await svc.call('POST', `/api/pages/${svc.pageId}/import/customers`, {
      as: 'admin',
      body: 'psid,name\nimp-3,Three\nimp 4,Four\n',
      contentType: 'text/csv',
    });
    errorShape(bad, 400, 'validation_failed');
    expect(bad.body.error.message).toMatch(/^line 3: psid/);
    expect(bad.body.error.details).toMatchObject({ line: 3, column: 'psid' });
    const search = await svc.call('GET', `/api/pages/${svc.pageId}/conversations?q=imp-`, { as: 'agent' });
    expect(search.body.conversations).toHaveLength(2);

    const topics = (await svc.call('GET', `/api/pages/${svc.pageId}/topics`)).body.topics as any[];
    const otn = topics.find((t) => t.kind === 'one_time');
    const subsCsv = `psid,topic,token,kind,opted_in_at\nimp-1,${otn.id},imp-tok-1,one_time,2020-01-01T00:00:00Z\n`;
    const imported = await svc.call('POST', `/api/pages/${svc.pageId}/import/subscriptions`, {
      as: 'admin',
      body: subsCsv,
      contentType: 'text/csv',
    });
    expect(imported.body).toMatchObject({ rows: 1, accepted: 1 });
    const json = await svc.call('GET', `/api/consent-history?format=json&topicId=${otn.id}`, { as: 'admin' });
    expect(json.body.history).toEqual([
      expect.objectContaining({
        event: 'accepted',
        psid: 'imp-1',
        senderKind: 'import',
        at: '2020-01-01T00:00:00.000Z',
      }),
    ]);
    const csvOut = await svc.call('GET', `/api/consent-history?format=csv&topicId=${otn.id}`, {
      as: 'admin',
    });
    expect(csvOut.headers['content-type']).toMatch(/text\/csv/);
    const lines = csvOut.text.trim().split('\n');
    expect(lines[0]).toBe(
      'id,at,event,topic_id,topic_name,topic_kind,customer_id,psid,subscription_id,invitation_id,sender_kind,detail',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',imp-1,');
    errorShape(
      await svc.call('GET', '/api/consent-history?format=xml', { as: 'admin' }),
      400,
      'validation_failed',
    );
    errorShape(await svc.call('GET', '/api/consent-history', { as: 'agent' }), 403, 'forbidden');
  });

  it('import tokens: pulls the page token list from the Graph API (sandbox) and matches topics by title', async () => {
    const topics = (await svc.call('GET', `/api/pages/${svc.pageId}/topics`)).body.topics as any[];
    const recurring = topics.find((t) => t.kind === 'recurring');
    const sent = await svc.call('POST', '/api/customers/1/invitations', {
      as: 'agent',
      body: { topicId: recurring.id },
    });
    expect(sent.status).toBe(201);
    const sb = new SandboxClient(svc.rt.sandboxUrl!);
    const psid = (await svc.call('GET', '/api/customers/1', { as: 'agent' })).body.customer.psid;
    await sb.optinLatest(psid);
    const r = await svc.call('POST', `/api/pages/${svc.pageId}/import/tokens`, { as: 'admin' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tokens: 1, skipped: [] });
    expect(r.body.accepted + r.body.unchanged).toBe(1);
    // whichever came first — the opt-in webhook or the import — there is one subscription, not two
    await new Promise((res) => setTimeout(res, 300));
    const held = await svc.rt.storage.db
      .selectFrom('subscriptions')
      .select('id')
      .where('topic_id', '=', recurring.id)
      .execute();
    expect(held.length).toBeLessThanOrEqual(1);
  });
});
