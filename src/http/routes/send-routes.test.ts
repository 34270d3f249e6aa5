// R12h over HTTP: the route a message would take, before anything is sent — the preview endpoint, the
// route in the send answer, the campaign dry run's route counts — against a real service (sandbox mode,
// the demo workspace) on each backend. One workspace never sees another's customers through it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../test/support/backends.ts';
import { DAY, seedInvitation, seedOptIn } from '../../../test/support/factories.ts';
import { type Service, startService } from '../../../test/support/service.ts';
import { SENDABLE_ROUTES, unavailableRoute } from '../../app/send-routes.ts';
import { createWorkspace } from '../../app/workspaces.ts';
import type { ManualClock } from '../../clock.ts';
import type { Profile } from '../../domain/platform.ts';
import { ROUTES } from '../../domain/send-routes.ts';
import { SandboxClient, SandboxClient2026 } from '../../sandbox/index.ts';
import * as customers from '../../storage/customers.ts';
import * as marketingSends from '../../storage/marketing-sends.ts';
import * as messageCampaigns from '../../storage/message-campaigns.ts';
import * as pages from '../../storage/pages.ts';
import * as subs from '../../storage/subscriptions.ts';
import * as topics from '../../storage/topics.ts';

describe.each(BACKENDS)('send routes over HTTP on %s', (backend) => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(backend);
  });
  afterAll(async () => svc?.close());

  /** The page's profile and region, on the service and on the sandbox's page (Meta's side follows it). */
  const setPage = async (body: { profile?: Profile; region?: string }) => {
    await new SandboxClient(svc.rt.sandboxUrl!).config(body);
    return svc.call('PATCH', `/api/pages/${svc.pageId}`, { body, as: 'owner' });
  };

  /**
   * A demo customer 95 days quiet who opted in to the recurring topic 9 days ago (the opt-in is their last
   * interaction): the window is closed and the token valid. Seeded once, through the opt-in use-case.
   */
  let subscriber: { id: number; topicId: number } | null = null;
  async function closedSubscriber() {
    if (subscriber) return subscriber;
    const ctx = svc.rt.ctx;
    const page = (await pages.findPage(ctx.db, svc.rt.workspaceId, svc.pageId))!;
    const topic = (await topics.listTopics(ctx.db, svc.pageId)).find((t) => t.kind === 'recurring')!;
    const list = (
      await svc.call('GET', `/api/pages/${svc.pageId}/conversations?q=${encodeURIComponent('Cao Văn Long')}`)
    ).body.conversations as Array<{ customerId: number }>;
    const customer = (await customers.findCustomer(ctx.db, svc.rt.workspaceId, list[0]!.customerId))!;
    const scope = { workspaceId: svc.rt.workspaceId, pageId: svc.pageId };
    const payload = await seedInvitation(ctx, scope, customer.id, topic.id, 'bot');
    await seedOptIn(ctx, page.fb_page_id, {
      psid: customer.psid,
      kind: 'recurring',
      payload,
      token: `rn-${customer.id}`,
      at: new Date(ctx.clock.now().getTime() - 9 * DAY),
    });
    subscriber = { id: customer.id, topicId: topic.id };
    return subscriber;
  }
  const preview = (id: number, q: string) =>
    svc.call('GET', `/api/customers/${id}/route?${q}`, { as: 'agent' });

  it('R12h: under legacy-2022 a notification after 7 days previews the recurring token; nothing is sent', async () => {
    await setPage({ profile: 'legacy-2022', region: 'VN' });
    const c = await closedSubscriber();
    const r = await preview(c.id, `kind=notification&topicId=${c.topicId}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ok: true,
      route: 'recurring_token',
      sendable: true,
      messagingType: null,
      tag: null,
      template: null,
    });
    const free = await preview(c.id, 'kind=free_text');
    expect(free.body).toMatchObject({ ok: false, route: null, reason: 'outside_7d_window', nextAt: null });
    expect(free.body.text.vi).toMatch(/7 ngày/);
  });

  it('R12d/e/h: the same customer under 2026 — VN: paid route refused without an ad account; FR: recurring token', async () => {
    const c = await closedSubscriber();
    await setPage({ profile: '2026', region: 'VN' });
    const vn = await preview(c.id, `kind=notification&topicId=${c.topicId}&sender=campaign`);
    expect(vn.body).toMatchObject({
      ok: false,
      route: 'marketing_message',
      reason: 'no_ad_account',
      nextAt: null,
    });
    expect(vn.body.text.en).toMatch(/connect an ad account/);
    await setPage({ region: 'FR' });
    const fr = await preview(c.id, `kind=notification&topicId=${c.topicId}&sender=campaign`);
    expect(fr.body).toMatchObject({ ok: true, route: 'recurring_token', sendable: true });
    const utility = await preview(c.id, 'kind=utility_event&sender=order_event');
    expect(utility.body).toMatchObject({ ok: false, route: 'utility', reason: 'template_missing' });
    await setPage({ profile: 'legacy-2022', region: 'VN' });
  });

  it('R12h: the send answer names its route; a refusal names the route tried', async () => {
    const open = (await svc.call('GET', `/api/pages/${svc.pageId}/conversations?window=open`)).body
      .conversations[0] as { customerId: number };
    const sent = await svc.call('POST', `/api/customers/${open.customerId}/messages`, {
      body: { text: 'Dạ shop đây ạ' },
      as: 'agent',
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ route: 'response', messagingType: 'RESPONSE', tag: null });
    await setPage({ profile: '2026', region: 'VN' });
    const c = await closedSubscriber();
    const refused = await svc.call('POST', `/api/customers/${c.id}/notifications`, {
      body: { topicId: c.topicId, text: 'Ưu đãi mới' },
      as: 'agent',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'no_ad_account',
      details: { route: 'marketing_message', nextAt: null },
    });
    await setPage({ profile: 'legacy-2022', region: 'VN' });
  });

  it('R12h: every route is sendable by this version (utility and paid included), so none is refused route_not_available', () => {
    const paid = {
      ok: true as const,
      route: 'marketing_message' as const,
      plan: null,
      marketing: { subscriptionToken: 't', subscriptionId: 1, minConversationGapSeconds: null },
    };
    for (const route of ROUTES) {
      expect(SENDABLE_ROUTES.has(route), route).toBe(true);
      expect(unavailableRoute({ ...paid, route })).toBeNull();
    }
  });

  it('R12h: the campaign dry run counts recipients per route and refusals per reason', async () => {
    const c = await closedSubscriber();
    const created = await svc.call('POST', `/api/pages/${svc.pageId}/campaigns`, {
      body: { name: 'Route counts', topicId: c.topicId, content: { type: 'text', text: 'Ưu đãi tuần này' } },
      as: 'admin',
    });
    expect(created.status).toBe(201);
    const legacy = (await svc.call('POST', `/api/campaigns/${created.body.id}/dry-run`, { as: 'admin' }))
      .body;
    const routed = Object.values(legacy.routes as Record<string, number>).reduce((a, b) => a + b, 0);
    const refused = Object.values(legacy.refusals as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(routed + refused).toBe(legacy.audience);
    expect(legacy.routes.recurring_token).toBeGreaterThan(0);
    expect(legacy.routeNotAvailable).toBe(0);
    await setPage({ profile: '2026', region: 'VN' });
    const vn = (await svc.call('POST', `/api/campaigns/${created.body.id}/dry-run`, { as: 'admin' })).body;
    expect(vn.routes.recurring_token ?? 0).toBe(0);
    expect(vn.refusals.no_ad_account).toBe(legacy.routes.recurring_token);
    // R9c on a paid page: reached is what the paid route would send — none without an ad account.
    expect(vn.reachable).toBe(0);
    expect(vn.skipped.no_ad_account).toBe(legacy.routes.recurring_token);
    await setPage({ profile: 'legacy-2022', region: 'VN' });
  });

  it('bad input: an unknown kind or sender is 400; a notification without topicId is refused; nothing changes', async () => {
    const c = await closedSubscriber();
    expect((await preview(c.id, 'kind=smoke_signal')).status).toBe(400);
    expect((await preview(c.id, 'sender=robot')).status).toBe(400);
    const noTopic = await preview(c.id, 'kind=notification');
    expect(noTopic.status).toBe(400);
    expect(noTopic.body.error.code).toBe('validation_failed');
  });

  it('tenancy: a customer of another workspace is not found through the route preview', async () => {
    const other = await createWorkspace(svc.rt.ctx, 'Another shop', {
      fbPageId: `other-${Date.now()}`,
      name: 'Other page',
      accessToken: 'x',
    });
    const now = svc.rt.clock.now();
    const stranger = await customers.upsertCustomer(
      svc.rt.ctx.db,
      { workspaceId: other.workspaceId, pageId: other.page.id, psid: 'stranger-1', interactionAt: now },
      now,
    );
    const r = await preview(stranger.id, 'kind=free_text');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('customer_not_found');
  });

  it('R12e/R14a–d/R12h: 2026 VN with an ad account — a subscriber previews marketing_message; after a paid send the 12 h limit, then the known price; without the account it closes again', async () => {
    const c = await closedSubscriber();
    await setPage({ profile: '2026', region: 'VN' });
    // The sandbox plays Meta's side: an ad account connected to this page, with its system-user token.
    const meta = new SandboxClient2026(svc.rt.sandboxUrl!);
    const acct = await meta.createAdAccount({ currency: 'VND' });
    const connected = await svc.call('PUT', '/api/ad-account', {
      body: { adAccountId: acct.id, accessToken: acct.systemUserToken },
      as: 'admin',
    });
    expect(connected.status, connected.text).toBe(200);
    const q = `kind=notification&topicId=${c.topicId}&sender=campaign`;
    const open = await preview(c.id, q);
    expect(open.body).toEqual({
      ok: true,
      route: 'marketing_message',
      sendable: true,
      messagingType: null,
      tag: null,
      template: null,
    });

    // R14c/R12g/R14d: a paid message went an hour ago under the page's message campaign (stored as the
    // paid send path stores it): a second one inside 12 h is refused with its time; the price is known.
    const db = svc.rt.ctx.db;
    const sentAt = new Date(svc.rt.clock.now().getTime() - 3_600_000);
    // Connecting the ad account made the page's live message campaign (priced 0 until a send prices it).
    const live = await messageCampaigns.findLiveMessageCampaign(db, svc.pageId, null);
    expect(live).toBeDefined();
    const mc = await messageCampaigns.setUnitCost(db, live!.id, 1034);
    const [held] = await subs.customerSubscriptions(db, c.id, { topicId: c.topicId });
    const sendId = await marketingSends.insertMarketingSend(db, {
      workspaceId: svc.rt.workspaceId,
      pageId: svc.pageId,
      customerId: c.id,
      topicId: c.topicId,
      campaignId: null,
      subscriptionId: held!.id,
      messageCampaignId: mc.id,
      token: held!.token,
      costMinor: 1034,
      now: sentAt,
    });
    await marketingSends.markMarketingSendAccepted(db, sendId, `trk-h10-${backend}`);
    const limited = await preview(c.id, q);
    expect(limited.body).toMatchObject({
      ok: false,
      route: 'marketing_message',
      reason: 'marketing_token_limit',
      nextAt: new Date(sentAt.getTime() + 12 * 3_600_000).toISOString(),
    });

    // 12 h after that send it may go again, and the preview carries the price the message campaign commits.
    (svc.rt.clock as ManualClock).advance(11 * 3_600_000);
    const priced = await preview(c.id, q);
    expect(priced.body).toMatchObject({
      ok: true,
      route: 'marketing_message',
      estimate: { currency: 'VND', amount: 1034 },
    });

    // R12c: outside 24 h an order event previews the utility route once the page has an APPROVED template.
    const tpl = await svc.call('POST', `/api/pages/${svc.pageId}/templates`, {
      body: {
        name: 'order_shipped_h10',
        language: 'vi',
        bodyText: 'Đơn #{{order_id}} đã được giao.',
        examples: { order_id: '566701' },
      },
      as: 'admin',
    });
    expect(tpl.status, tpl.text).toBe(201);
    let approved = tpl.body.status === 'APPROVED';
    for (let i = 0; i < 50 && !approved; i++) {
      await new Promise((r) => setTimeout(r, 100));
      approved = (await svc.call('GET', `/api/templates/${tpl.body.id}`)).body.status === 'APPROVED';
    }
    expect(approved).toBe(true);
    const utility = await preview(c.id, 'kind=utility_event&sender=order_event');
    expect(utility.body).toMatchObject({
      ok: true,
      route: 'utility',
      messagingType: 'UTILITY',
      template: { id: tpl.body.id, name: 'order_shipped_h10' },
    });
    const picked = await preview(c.id, `kind=utility_event&sender=agent&templateId=${tpl.body.id}`);
    expect(picked.body).toMatchObject({ ok: true, route: 'utility' });
    expect((await preview(c.id, 'kind=utility_event&sender=agent&templateId=987654')).status).toBe(404);

    // R14a: the ad account is the workspace's; disconnected, the paid route closes again.
    expect((await svc.call('DELETE', '/api/ad-account', { as: 'admin' })).status).toBe(204);
    expect((await preview(c.id, q)).body).toMatchObject({ ok: false, reason: 'no_ad_account' });
    await setPage({ profile: 'legacy-2022', region: 'VN' });
  });
});
