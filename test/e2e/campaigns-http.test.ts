// Issue 4 through the HTTP API and auth: an admin creates a campaign with a tracked link and a postback
// button, dry-runs it, starts it, watches it complete; customers click both; the statistics count them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../../src/sandbox/index.ts';
import { BACKENDS } from '../support/backends.ts';
import { type Service, startService } from '../support/service.ts';

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  tries = 300,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(BACKENDS)('campaigns over HTTP on %s', (backend) => {
  let svc: Service;
  let sb: SandboxClient;
  let topicId: number;
  const psids: string[] = [];

  beforeAll(async () => {
    svc = await startService(backend);
    sb = new SandboxClient(svc.rt.sandboxUrl!);
    const topics = await svc.call('GET', `/api/pages/${svc.pageId}/topics`);
    topicId = topics.body.topics.find((t: { kind: string }) => t.kind === 'recurring').id;
    // The demo customers who wrote in the last 24 h ask for offers and tap the recurring card.
    const info = await sb.info();
    for (const c of info.customers.slice(0, 3)) {
      await sb.message(c.psid, 'khuyến mãi');
      await until('the opt-in cards', async () =>
        (await sb.thread(c.psid)).items.some((i) => i.optInCard?.kind === 'notification_messages'),
      );
      await sb.optinLatest(c.psid, 'Ưu đãi mỗi tuần từ Cửa hàng demo');
      psids.push(c.psid);
    }
    await sb.flushWebhooks();
    await until('three subscribers', async () => {
      const t = await svc.call('GET', `/api/pages/${svc.pageId}/topics`);
      return t.body.topics.find((x: { id: number }) => x.id === topicId).validSubscribers === 3;
    });
  });
  afterAll(async () => svc?.close());

  it('R9/R10a: create → dry run → start → completed; a tracked link and a postback button count as clicks', async () => {
    const created = await svc.call('POST', `/api/pages/${svc.pageId}/campaigns`, {
      as: 'admin',
      body: {
        name: 'Tuần lễ vàng',
        topicId,
        content: {
          type: 'buttons',
          text: 'Chào {{first_name|bạn}}, giảm 20% tuần này!',
          buttons: [
            { type: 'url', title: 'Xem ngay', url: 'https://shop.example/sale' },
            { type: 'postback', title: 'Nhắc tôi sau' },
          ],
        },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await svc.call('POST', `/api/campaigns/${id}/start`, { as: 'agent' })).status).toBe(403);

    const dry = await svc.call('POST', `/api/campaigns/${id}/dry-run`, { as: 'admin' });
    expect(dry.status).toBe(200);
    expect(dry.body.reachable).toBe(3);

    expect(
      (await svc.call('POST', `/api/campaigns/${id}/start`, { as: 'admin', body: {} })).status,
    ).toBeLessThan(300);
    const done = await until('the campaign to complete', async () => {
      const c = await svc.call('GET', `/api/campaigns/${id}`, { as: 'admin' });
      return c.body.status === 'completed' ? c.body : null;
    });
    // Progress: every recipient accounted for — three sent, none failed or skipped (R9d).
    expect(done.progress).toMatchObject({ targeted: 3, counts: { sent: 3, failed: 0, skipped: 0 } });

    // Each subscriber got exactly one message, on their token, personalised, with the tracked link.
    const received = (await sb.received()).filter((r) => r.recipient.kind === 'notification_messages_token');
    expect(received.map((r) => r.psid).sort()).toEqual([...psids].sort());
    const payload = (
      received[0]!.message as {
        attachment: { payload: { text: string; buttons: Array<{ url?: string; payload?: string }> } };
      }
    ).attachment.payload;
    expect(payload.text).toMatch(/^Chào .+, giảm 20% tuần này!$/);
    const link = payload.buttons[0]!.url!;
    expect(link).toMatch(/\/r\//);

    // A click on the link: 302 to the real target, no sign-in needed; a forged link is not found.
    const path = link.slice(link.indexOf('/r/'));
    const redirect = await fetch(`${svc.url}${path}`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://shop.example/sale');
    expect((await fetch(`${svc.url}${path.slice(0, -3)}xyz`, { redirect: 'manual' })).status).toBe(404);

    // A tap on the postback button of another recipient.
    const other = received.find((r) => r !== received[0])!;
    const postback = (other.message as { attachment: { payload: { buttons: Array<{ payload?: string }> } } })
      .attachment.payload.buttons[1]!.payload!;
    await sb.postback(other.psid, postback, 'Nhắc tôi sau');
    await sb.flushWebhooks();

    const stats = await until('two clicks in the statistics', async () => {
      const s = await svc.call('GET', `/api/campaigns/${id}/stats`, { as: 'admin' });
      return s.body.clicked === 2 ? s.body : null;
    });
    expect(stats).toMatchObject({ targeted: 3, sent: 3, clicked: 2 });
  });
});
