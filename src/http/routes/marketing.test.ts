// R14 over HTTP: the ad-account routes (write-only token, bad input 400 changing nothing), the route and
// estimate the campaign wizard reads, a campaign budget and the paid statistics, on the running service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../test/support/backends.ts';
import { type Service, startService } from '../../../test/support/service.ts';

describe.each(BACKENDS)('paid marketing routes on %s', (backend) => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(backend);
  });
  afterAll(async () => svc?.close());

  it('R14a: bad input answers 400 with a code and stores nothing; agents may not connect', async () => {
    for (const body of [
      { adAccountId: 'act_x1', accessToken: 'system-user-token' },
      { adAccountId: '123', accessToken: 'short' },
      { adAccountId: '123', accessToken: 'system-user-token', defaultBudgetMinor: -1 },
      { adAccountId: '123', accessToken: 'system-user-token', extra: true },
    ]) {
      const r = await svc.call('PUT', '/api/ad-account', { body, as: 'admin' });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.code).toMatch(/^(ad_account_invalid|validation_failed)$/);
    }
    const agent = await svc.call('PUT', '/api/ad-account', {
      body: { adAccountId: '123', accessToken: 'system-user-token' },
      as: 'agent',
    });
    expect(agent.status).toBe(403);
    expect((await svc.call('GET', '/api/ad-account')).body).toEqual({ adAccount: null });
    expect((await svc.call('DELETE', '/api/ad-account')).status).toBe(404);
  });

  it('R12h/R14a: the wizard sees the recurring route in FR and the closed paid route in VN without an ad account', async () => {
    const page = `/api/pages/${svc.pageId}`;
    expect((await svc.call('PATCH', page, { body: { profile: '2026', region: 'FR' } })).status).toBe(200);
    expect((await svc.call('GET', `${page}/route-estimate`)).body).toEqual({ route: 'recurring_token' });
    expect((await svc.call('PATCH', page, { body: { profile: '2026', region: 'VN' } })).status).toBe(200);
    const vn = await svc.call('GET', `${page}/route-estimate?budgetMinor=500000`);
    expect(vn.body).toMatchObject({ route: 'marketing_message', closed: { reason: 'no_ad_account' } });
    expect(vn.body.closed.text.vi).toMatch(/tài khoản quảng cáo/);
    expect((await svc.call('GET', `/api/pages/999999/route-estimate`)).status).toBe(404);
  });

  it('R14d: a draft campaign takes a budget; a negative one is refused; paid statistics start at zero', async () => {
    const topicId = (await svc.call('GET', `/api/pages/${svc.pageId}/topics`)).body.topics[0].id;
    const created = await svc.call('POST', `/api/pages/${svc.pageId}/campaigns`, {
      body: { name: 'Sale', topicId, content: { type: 'text', text: 'Giảm 20%' } },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    const ok = await svc.call('PUT', `/api/campaigns/${id}/budget`, { body: { budgetMinor: 300_000 } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ budgetMinor: 300_000 });
    expect((await svc.call('PUT', `/api/campaigns/${id}/budget`, { body: { budgetMinor: -1 } })).status).toBe(
      400,
    );
    expect((await svc.call('PUT', `/api/campaigns/424242/budget`, { body: { budgetMinor: 1 } })).status).toBe(
      404,
    );
    const stats = await svc.call('GET', `/api/stats/paid?campaignId=${id}`);
    expect(stats.body).toEqual({
      sent: 0,
      delivered: 0,
      read: 0,
      clicked: 0,
      failed: 0,
      costMinor: 0,
      perDeliveredMinor: null,
      perReadMinor: null,
      perClickMinor: null,
    });
  });
});
