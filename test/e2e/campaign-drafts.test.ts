// Issue 10 item 9 over HTTP: the wizard's one draft is edited in place (PATCH), deleted (DELETE), and
// only while it is a draft; a bad button URL is refused where it is given, with nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.ts';
import { type Service, startService } from '../support/service.ts';

describe.each(BACKENDS)('campaign drafts over HTTP on %s', (backend) => {
  let svc: Service;
  let topicId: number;
  beforeAll(async () => {
    svc = await startService(backend);
    const topics = await svc.call('GET', `/api/pages/${svc.pageId}/topics`);
    topicId = topics.body.topics.find((t: { kind: string }) => t.kind === 'recurring').id;
  });
  afterAll(async () => svc?.close());

  const draft = async () => {
    const r = await svc.call('POST', `/api/pages/${svc.pageId}/campaigns`, {
      as: 'admin',
      body: { name: 'Nháp', topicId, content: { type: 'text', text: 'Xin chào' } },
    });
    expect(r.status).toBe(201);
    return r.body.id as number;
  };
  const count = async () =>
    (await svc.call('GET', `/api/pages/${svc.pageId}/campaigns`, { as: 'admin' })).body.campaigns.length;

  it('R9b: a draft is rewritten in place — one draft per wizard, not one per dry run', async () => {
    const id = await draft();
    const before = await count();
    const edited = await svc.call('PATCH', `/api/campaigns/${id}`, {
      as: 'admin',
      body: {
        name: 'Tuần lễ vàng',
        content: {
          type: 'buttons',
          text: 'Giảm 20%',
          buttons: [{ type: 'url', title: 'Xem', url: 'https://shop.example/sale' }],
        },
        audience: { labels: ['VIP'] },
      },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id,
      name: 'Tuần lễ vàng',
      status: 'draft',
      audience: { labels: ['VIP'] },
    });
    expect(await count()).toBe(before);
    expect((await svc.call('POST', `/api/campaigns/${id}/dry-run`, { as: 'admin' })).status).toBe(200);
  });

  it('R9b: a bad button URL is refused (400 invalid_campaign, field named) and the draft is unchanged', async () => {
    const id = await draft();
    const bad = await svc.call('PATCH', `/api/campaigns/${id}`, {
      as: 'admin',
      body: {
        content: {
          type: 'buttons',
          text: 'Giảm 20%',
          buttons: [{ type: 'url', title: 'Xem', url: 'shop.example' }],
        },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_campaign', details: { field: 'content.buttons' } });
    const now = await svc.call('GET', `/api/campaigns/${id}`, { as: 'admin' });
    expect(now.body.content).toEqual({ type: 'text', text: 'Xin chào' });
  });

  it('R9e: only admins and owners edit or delete; an agent gets 403 and nothing changes', async () => {
    const id = await draft();
    expect(
      (await svc.call('PATCH', `/api/campaigns/${id}`, { as: 'agent', body: { name: 'x' } })).status,
    ).toBe(403);
    expect((await svc.call('DELETE', `/api/campaigns/${id}`, { as: 'agent' })).status).toBe(403);
    expect((await svc.call('GET', `/api/campaigns/${id}`, { as: 'admin' })).body.name).toBe('Nháp');
  });

  it('R9e: a draft is deleted; a started campaign is neither edited nor deleted (409), only cancelled', async () => {
    const gone = await draft();
    expect((await svc.call('DELETE', `/api/campaigns/${gone}`, { as: 'owner' })).status).toBe(204);
    expect((await svc.call('GET', `/api/campaigns/${gone}`, { as: 'admin' })).status).toBe(404);

    const id = await draft();
    const at = new Date(Date.now() + 86_400_000 * 365).toISOString();
    expect((await svc.call('POST', `/api/campaigns/${id}/start`, { as: 'admin', body: { at } })).status).toBe(
      200,
    );
    const edit = await svc.call('PATCH', `/api/campaigns/${id}`, { as: 'admin', body: { name: 'x' } });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('campaign_state_conflict');
    expect((await svc.call('DELETE', `/api/campaigns/${id}`, { as: 'admin' })).status).toBe(409);
    expect((await svc.call('POST', `/api/campaigns/${id}/cancel`, { as: 'admin' })).status).toBe(200);
  });
});
