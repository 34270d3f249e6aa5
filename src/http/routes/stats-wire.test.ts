// R10: the statistics routes serialize by their response schemas (src/http/schemas/stats.ts), and a
// serializer drops what its schema does not name. So each body must be exactly the use-case's answer as
// JSON (dates as ISO strings): a field added to a use-case but not to its schema fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../test/support/backends.ts';
import { type Service, startService } from '../../../test/support/service.ts';
import { pageOverview } from '../../app/overview.ts';
import { campaignStats, pageStats, topicStats } from '../../app/stats.ts';

const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

describe.each(BACKENDS)('statistics responses are the use-cases answers, whole, on %s', (backend) => {
  let svc: Service;
  let topicId: number;
  let campaignId: number;
  beforeAll(async () => {
    svc = await startService(backend);
    topicId = (await svc.call('GET', `/api/pages/${svc.pageId}/topics`)).body.topics[0].id;
    const created = await svc.call('POST', `/api/pages/${svc.pageId}/campaigns`, {
      as: 'admin',
      body: { name: 'Tuần lễ vàng', topicId, content: { type: 'text', text: 'Giảm 20% tuần này!' } },
    });
    expect(created.status).toBe(201);
    campaignId = created.body.id;
  });
  afterAll(async () => svc?.close());

  const body = async (path: string) => {
    const r = await svc.call('GET', path, { as: 'admin' });
    expect(r.status, r.text).toBe(200);
    return r.body;
  };

  it('R10b: GET /api/topics/:id/stats', async () => {
    const wire = await body(`/api/topics/${topicId}/stats?days=7`);
    expect(wire).toEqual(asJson(await topicStats(svc.rt.ctx, svc.rt.workspaceId, topicId, 7)));
  });

  it('R10b: GET /api/pages/:id/stats', async () => {
    const wire = await body(`/api/pages/${svc.pageId}/stats?days=7`);
    expect(wire).toEqual(asJson(await pageStats(svc.rt.ctx, svc.rt.workspaceId, svc.pageId, 7)));
  });

  it('R10a: GET /api/campaigns/:id/stats', async () => {
    const wire = await body(`/api/campaigns/${campaignId}/stats`);
    expect(wire).toEqual(asJson(await campaignStats(svc.rt.ctx, svc.rt.workspaceId, campaignId)));
  });

  it('the home screen: GET /api/pages/:id/overview (dates as ISO strings)', async () => {
    const wire = await body(`/api/pages/${svc.pageId}/overview`);
    const answer = asJson(await pageOverview(svc.rt.ctx, svc.rt.workspaceId, svc.pageId));
    // `at` is the clock's now at each read (the sandbox clock runs), so only its form is compared.
    expect(new Date(wire.at).toISOString()).toBe(wire.at);
    expect({ ...wire, at: answer.at }).toEqual(answer);
    const campaign = wire.campaigns.find((c: { id: number }) => c.id === campaignId);
    expect(campaign).toMatchObject({ status: 'draft', pauseReason: null, startedAt: null });
    expect(new Date(campaign.createdAt).toISOString()).toBe(campaign.createdAt);
  });
});
