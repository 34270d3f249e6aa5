// R14b: Meta's token list is synchronised and never turned into a topic subscription by guess.
// R14e: a customer's stop is told to Meta (messaging_customer_base/unsubscribe) and the consent history
// records both; a failed call is tried again on the next sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  recurringTopic,
  seedSubscriber,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { type MarketingGraph, startMarketingGraph } from '../../test/support/marketing-graph.ts';
import { textMessage } from '../channel/index.ts';
import type { Storage } from '../storage/db.ts';
import * as metaStore from '../storage/meta-subscribers.ts';
import * as subscriptions from '../storage/subscriptions.ts';
import { connectAdAccount } from './ad-accounts.ts';
import { sendPaidMessage } from './marketing-messages.ts';
import { syncMetaTokens, tellMetaStops } from './marketing-tokens.ts';
import { applyStopResume } from './optins.ts';

describe.each(BACKENDS)('Meta subscription tokens on %s', (backend) => {
  let storage: Storage;
  let meta: MarketingGraph;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
    meta = await startMarketingGraph();
  });
  afterAll(async () => {
    await meta?.close();
    await storage?.close();
  });

  async function subscribed(region = 'VN') {
    const w = await seedWorkspace(storage, { profile: '2026', region, accessToken: 'page-token' });
    const ctx = { ...w.ctx, marketing: meta.marketing };
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(ctx, w.workspaceId, w.page.id, recurringTopic());
    const page = { ...scope, fbPageId: w.page.fb_page_id };
    const c = await seedSubscriber(ctx, page, topic.id, (id) => `sync-${id}-${w.workspaceId}`);
    return { ...w, ctx, topic, customer: c, token: `sync-${c.id}-${w.workspaceId}` };
  }

  it('R14b: Meta’s list is recorded; a subscriber from an ad gets no topic by guess', async () => {
    const w = await subscribed();
    meta.tokens.splice(
      0,
      meta.tokens.length,
      ...[
        { notification_messages_token: w.token, recipient_id: w.customer.psid },
        { notification_messages_token: `ad-${w.workspaceId}`, recipient_id: `ad-psid-${w.workspaceId}` },
      ],
    );
    const before = await subscriptions.countLiveSubscriptions(storage.db, w.topic.id, w.clock.now());
    expect(await syncMetaTokens(w.ctx, w.workspaceId, w.page.id)).toEqual({
      listed: 2,
      known: 1,
      metaOnly: 1,
      unsubscribed: 0,
    });
    expect(await metaStore.countMetaSubscribers(storage.db, w.page.id)).toBe(2);
    expect(await subscriptions.countLiveSubscriptions(storage.db, w.topic.id, w.clock.now())).toBe(before);
    // A second sync adds no rows.
    await syncMetaTokens(w.ctx, w.workspaceId, w.page.id);
    expect(await metaStore.countMetaSubscribers(storage.db, w.page.id)).toBe(2);
    const call = meta.calls('/notification_message_tokens').at(-1)!;
    expect(call.path).toContain(`/${w.page.fb_page_id}/`);
    expect(call.query.access_token).toBe('page-token');
  });

  it('R14b: Meta’s list says who unsubscribed (a STOP row, or a token gone from it); paid sends obey it', async () => {
    const w = await subscribed();
    await connectAdAccount(w.ctx, w.workspaceId, {
      adAccountId: `act_${w.workspaceId}77`,
      accessToken: 'system-user-token-1',
    });
    const other = `ad-${w.workspaceId}-x`;
    const list = (rows: Array<Record<string, string>>) =>
      meta.tokens.splice(0, meta.tokens.length, ...(rows as []));
    list([
      { notification_messages_token: w.token, recipient_id: w.customer.psid },
      { notification_messages_token: other, recipient_id: `ad-psid-x-${w.workspaceId}` },
    ]);
    expect((await syncMetaTokens(w.ctx, w.workspaceId, w.page.id)).unsubscribed).toBe(0);
    expect(await metaStore.tokenOfPsid(storage.db, w.page.id, w.customer.psid)).toEqual({
      token: w.token,
      unsubscribed: false,
    });
    w.clock.advance(8 * DAY);
    // Meta's row for our customer says STOP (the docs' spelling, with a space); the ad subscriber is gone.
    list([
      {
        notification_messages_token: w.token,
        recipient_id: w.customer.psid,
        notification_messages_status: 'STOP NOTIFICATIONS',
      },
    ]);
    expect((await syncMetaTokens(w.ctx, w.workspaceId, w.page.id)).unsubscribed).toBe(2);
    expect(await metaStore.tokenOfPsid(storage.db, w.page.id, w.customer.psid)).toMatchObject({
      unsubscribed: true,
    });
    expect(await metaStore.tokenOfPsid(storage.db, w.page.id, `ad-psid-x-${w.workspaceId}`)).toMatchObject({
      unsubscribed: true,
    });
    const send = () =>
      sendPaidMessage(w.ctx, {
        workspaceId: w.workspaceId,
        customerId: w.customer.id,
        topicId: w.topic.id,
        sender: 'agent',
        message: textMessage('Sale'),
      });
    const sentBefore = meta.calls('/messages').length;
    // The customer's consent is stopped with it (below), which is the first refusal a send meets.
    expect(await send()).toMatchObject({ ok: false, stage: 'rules', reason: 'subscription_stopped' });
    expect(meta.calls('/messages')).toHaveLength(sentBefore);
    // R14e the other way: the stop made at Meta is the customer's stop in the consent history.
    const events = (
      await subscriptions.consentHistory(storage.db, w.workspaceId, { customerId: w.customer.id })
    ).map((h) => h.event);
    expect(events).toContain('stopped');
    // Listed live again (the person subscribed at Meta again): Meta's row is live, but the topic's
    // consent is the customer's own (R12g) — it comes back by the opt-in card, never by a guess.
    w.clock.advance(DAY);
    list([{ notification_messages_token: w.token, recipient_id: w.customer.psid }]);
    await syncMetaTokens(w.ctx, w.workspaceId, w.page.id);
    expect(await metaStore.tokenOfPsid(storage.db, w.page.id, w.customer.psid)).toMatchObject({
      unsubscribed: false,
    });
    expect(await send()).toMatchObject({ ok: false, reason: 'subscription_stopped' });
    expect(meta.calls('/messages')).toHaveLength(sentBefore);
  });

  it('R14b: a token gone from the list stops its customer even when the sync that saw it go died before', async () => {
    const w = await subscribed();
    meta.tokens.splice(0, meta.tokens.length, {
      notification_messages_token: w.token,
      recipient_id: w.customer.psid,
    } as never);
    await syncMetaTokens(w.ctx, w.workspaceId, w.page.id);
    w.clock.advance(DAY);
    meta.tokens.splice(0, meta.tokens.length);
    // A sync read the (now empty) list and committed its mark, then its process died before the stops.
    const now = w.clock.now();
    expect(await metaStore.markUnlistedUnsubscribed(storage.db, w.page.id, now, now)).toHaveLength(1);
    w.clock.advance(60_000);
    await syncMetaTokens(w.ctx, w.workspaceId, w.page.id);
    const events = (
      await subscriptions.consentHistory(storage.db, w.workspaceId, { customerId: w.customer.id })
    ).map((h) => h.event);
    expect(events).toContain('stopped');
    // Stopped once: a later sync finds nothing left to stop.
    await syncMetaTokens(w.ctx, w.workspaceId, w.page.id);
    const again = (
      await subscriptions.consentHistory(storage.db, w.workspaceId, { customerId: w.customer.id })
    ).filter((h) => h.event === 'stopped');
    expect(again).toHaveLength(1);
  });

  it('R14b: a sync counts as unsubscribed only what it found newly unsubscribed, not every STOP row again', async () => {
    const w = await subscribed();
    meta.tokens.splice(0, meta.tokens.length, {
      notification_messages_token: w.token,
      recipient_id: w.customer.psid,
      notification_messages_status: 'STOP NOTIFICATIONS',
    } as never);
    expect((await syncMetaTokens(w.ctx, w.workspaceId, w.page.id)).unsubscribed).toBe(1);
    w.clock.advance(60 * 60_000);
    // The next hourly read lists the same STOP row: nobody unsubscribed since.
    expect((await syncMetaTokens(w.ctx, w.workspaceId, w.page.id)).unsubscribed).toBe(0);
  });

  it('R14e: a stop is told to Meta once, and the consent history records both', async () => {
    const w = await subscribed();
    w.clock.advance(60_000);
    const stop = await applyStopResume(w.ctx, {
      fbPageId: w.page.fb_page_id,
      psid: w.customer.psid,
      token: w.token,
      action: 'stop',
      at: w.clock.now(),
    });
    expect(stop).toBe('stopped');
    meta.failNext(`${w.page.fb_page_id}/messaging_customer_base/unsubscribe`, 2);
    // Meta failed (transient, no retries in this client): nothing recorded, the next sweep tries again.
    await tellMetaStops(w.ctx);
    const history = async () =>
      (await subscriptions.consentHistory(storage.db, w.workspaceId, { customerId: w.customer.id })).map(
        (h) => h.event,
      );
    expect(await history()).not.toContain('meta_unsubscribed');
    await tellMetaStops(w.ctx);
    const unsub = meta.calls(`${w.page.fb_page_id}/messaging_customer_base/unsubscribe`);
    expect(unsub.at(-1)!.body).toEqual({ data: [{ psid: w.customer.psid }, { subscriber_token: w.token }] });
    expect(await history()).toEqual(expect.arrayContaining(['stopped', 'meta_unsubscribed']));
    const calls = unsub.length;
    await tellMetaStops(w.ctx);
    expect(meta.calls(`${w.page.fb_page_id}/messaging_customer_base/unsubscribe`)).toHaveLength(calls);
  });

  it('R14e: a stop Meta keeps refusing does not hold up the stops after it', async () => {
    const w = await subscribed();
    // Whatever earlier tests left to tell is told first: this test's sweeps then see only its stops.
    for (let i = 0; i < 10 && (await tellMetaStops(w.ctx)) > 0; i++);
    const page = { workspaceId: w.workspaceId, pageId: w.page.id, fbPageId: w.page.fb_page_id };
    const second = await seedSubscriber(w.ctx, page, w.topic.id, (id) => `sync-${id}-${w.workspaceId}`);
    w.clock.advance(60_000);
    for (const [psid, token] of [
      [w.customer.psid, w.token],
      [second.psid, `sync-${second.id}-${w.workspaceId}`],
    ] as const)
      await applyStopResume(w.ctx, {
        fbPageId: page.fbPageId,
        psid,
        token,
        action: 'stop',
        at: w.clock.now(),
      });
    const path = `${page.fbPageId}/messaging_customer_base/unsubscribe`;
    const told = () =>
      meta.calls(path).map((c) => (c.body as { data: Array<{ psid?: string }> }).data[0]!.psid);
    // One stop per sweep: Meta refuses the first (the older token)…
    meta.failNext(path, 2);
    expect(await tellMetaStops(w.ctx, 1)).toBe(0);
    // …and the next sweep tells the second instead of trying the first again and again.
    expect(await tellMetaStops(w.ctx, 1)).toBe(1);
    expect(told().at(-1)).toBe(second.psid);
    // The refused one comes back after it.
    expect(await tellMetaStops(w.ctx, 1)).toBe(1);
    expect(told().at(-1)).toBe(w.customer.psid);
    expect(await tellMetaStops(w.ctx, 1)).toBe(0);
  });

  it('R14e: a stop on a page where the recurring route is open (FR) is not sent to the paid API', async () => {
    const w = await subscribed('FR');
    await applyStopResume(w.ctx, {
      fbPageId: w.page.fb_page_id,
      psid: w.customer.psid,
      token: w.token,
      action: 'stop',
      at: w.clock.now(),
    });
    await tellMetaStops(w.ctx);
    expect(meta.calls(`${w.page.fb_page_id}/messaging_customer_base/unsubscribe`)).toHaveLength(0);
  });
});
