// R14 paid marketing messages through the app: ad account connection (R14a), the paid send with its
// limits known before the call (R14c), the budget (R14d) and Meta's errors, on PGlite and PostgreSQL.
// Meta's Marketing API is a scripted loopback server (test/support/marketing-graph.ts) until the
// sandbox speaks it; the end-to-end runs against the sandbox are in test/e2e/marketing-messages.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  HOUR,
  recurringTopic,
  seedCustomer,
  seedSubscriber,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { type MarketingGraph, startMarketingGraph } from '../../test/support/marketing-graph.ts';
import { textMessage } from '../channel/index.ts';
import { isDomainError } from '../domain/errors.ts';
import * as adAccountRows from '../storage/ad-accounts.ts';
import type { Storage } from '../storage/db.ts';
import * as sends from '../storage/marketing-sends.ts';
import * as subscriptions from '../storage/subscriptions.ts';
import { connectAdAccount, disconnectAdAccount, getAdAccount } from './ad-accounts.ts';
import { sendPaidMessage } from './marketing-messages.ts';
import { sendNotification } from './messaging.ts';

describe.each(BACKENDS)('paid marketing messages on %s', (backend) => {
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

  /** A VN shop on the 2026 profile, a customer subscribed by the opt-in card, last seen `ageMs` ago. */
  async function world(opts: { region?: string; budget?: number | null; connect?: boolean } = {}) {
    const w = await seedWorkspace(storage, { profile: '2026', region: opts.region ?? 'VN' });
    const ctx = { ...w.ctx, marketing: meta.marketing };
    const topic = await seedTopic(ctx, w.workspaceId, w.page.id, recurringTopic());
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const subscribe = () =>
      seedSubscriber(ctx, { ...scope, fbPageId: w.page.fb_page_id }, topic.id, (id) => `tok-${id}`);
    if (opts.connect !== false) {
      await connectAdAccount(ctx, w.workspaceId, {
        adAccountId: `act_${w.workspaceId}00`,
        accessToken: 'system-user-token-1',
        defaultBudgetMinor: opts.budget ?? null,
      });
    }
    return { ...w, ctx, topic, subscribe };
  }

  const note = (text = 'Sale today') => textMessage(text);

  it('R14a: connecting checks the ad account on Graph, stores the token encrypted and never shows it', async () => {
    const w = await world({ connect: false });
    const view = await connectAdAccount(w.ctx, w.workspaceId, {
      adAccountId: 'act_1234567',
      accessToken: 'system-user-token-xyz',
      defaultBudgetMinor: 2_000_000,
      minConversationGapSeconds: 3600,
    });
    expect(view).toMatchObject({ adAccountId: '1234567', currency: 'VND', defaultBudgetMinor: 2_000_000 });
    const check = meta.calls('/act_1234567').at(-1)!;
    expect(check.query).toMatchObject({
      access_token: 'system-user-token-xyz',
      fields: 'id,name,currency,account_status',
    });
    const row = (await adAccountRows.findAdAccount(storage.db, w.workspaceId))!;
    expect(row.access_token).not.toContain('system-user-token-xyz');
    expect(adAccountRows.adAccountToken(row)).toBe('system-user-token-xyz');
    expect(JSON.stringify(await getAdAccount(w.ctx, w.workspaceId))).not.toContain('system-user-token');
  });

  it('R14a: bad input and a token Facebook refuses change nothing', async () => {
    const w = await world({ connect: false });
    const bad = [
      { adAccountId: 'act_abc', accessToken: 'system-user-token-1' },
      { adAccountId: '123', accessToken: ' ' },
      { adAccountId: '123', accessToken: 'system-user-token-1', defaultBudgetMinor: -5 },
      { adAccountId: '123', accessToken: 'system-user-token-1', minConversationGapSeconds: 1.5 },
    ];
    for (const form of bad) {
      await expect(connectAdAccount(w.ctx, w.workspaceId, form)).rejects.toSatisfy((e) =>
        isDomainError(e, 'ad_account_invalid'),
      );
    }
    await expect(
      connectAdAccount(w.ctx, w.workspaceId, { adAccountId: '123', accessToken: 'revoked-token-000' }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'ad_account_rejected'));
    expect(await getAdAccount(w.ctx, w.workspaceId)).toBeNull();
  });

  it('R14a: without an ad account the paid route is closed with a reason that says what to connect', async () => {
    const w = await world({ connect: false });
    const c = await w.subscribe();
    w.clock.advance(8 * DAY);
    const r = await sendPaidMessage(w.ctx, {
      workspaceId: w.workspaceId,
      customerId: c.id,
      topicId: w.topic.id,
      sender: 'agent',
      message: note(),
    });
    expect(r).toMatchObject({ ok: false, stage: 'rules', reason: 'no_ad_account' });
    expect(meta.calls('/messages').filter((q) => q.path.includes(`act_${w.workspaceId}00`))).toHaveLength(0);
  });

  it('R14c: 8 days after subscribing, a notification goes as a paid message on the token, cost recorded; a second inside 12 h is refused with the time', async () => {
    const w = await world();
    const c = await w.subscribe();
    w.clock.advance(8 * DAY);
    const first = await sendPaidMessage(w.ctx, {
      workspaceId: w.workspaceId,
      customerId: c.id,
      topicId: w.topic.id,
      sender: 'agent',
      message: note(),
    });
    expect(first).toMatchObject({ ok: true, route: 'marketing_message', costMinor: 1000 });
    const act = `act_${w.workspaceId}00`;
    const made = meta.calls('/message_campaign').filter((q) => q.path.includes(act));
    expect(made).toHaveLength(1);
    expect(made[0]!.body).toMatchObject({ page_id: w.page.fb_page_id });
    const sent = meta.calls('/messages').filter((q) => q.path.includes(act));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({
      message_id: '9000' + String(meta.calls('/message_campaign').length),
      messenger_delivery_data: { subscription_token: `tok-${c.id}` },
      message: { text: 'Sale today' },
      min_conversation_gap_seconds: 86_400,
    });

    w.clock.advance(5 * HOUR);
    const second = await sendPaidMessage(w.ctx, {
      workspaceId: w.workspaceId,
      customerId: c.id,
      topicId: w.topic.id,
      sender: 'agent',
      message: note('Again'),
    });
    expect(second).toMatchObject({ ok: false, reason: 'marketing_token_limit' });
    if (second.ok) return;
    expect(second.nextAt!.getTime()).toBe(w.clock.now().getTime() + 7 * HOUR);
    expect(meta.calls('/messages').filter((q) => q.path.includes(act))).toHaveLength(1);
  });

  it('R14d: a budget is never exceeded: the send that would pass it is refused before the call', async () => {
    const w = await world({ budget: 2500 });
    const customers = [await w.subscribe(), await w.subscribe(), await w.subscribe()];
    w.clock.advance(8 * DAY);
    const results = [];
    for (const c of customers) {
      results.push(
        await sendPaidMessage(w.ctx, {
          workspaceId: w.workspaceId,
          customerId: c.id,
          topicId: w.topic.id,
          sender: 'campaign',
          message: note(),
        }),
      );
    }
    expect(results.map((r) => (r.ok ? 'sent' : r.reason))).toEqual(['sent', 'sent', 'budget_exhausted']);
    const act = `act_${w.workspaceId}00`;
    expect(meta.calls('/messages').filter((q) => q.path.includes(act))).toHaveLength(2);
  });

  it('R14c: 2300052 (conversation gap) refuses with the time; 2300000 makes a new campaign and sends once', async () => {
    const w = await world();
    const [a, b] = [await w.subscribe(), await w.subscribe()];
    w.clock.advance(8 * DAY);
    meta.failNext(`act_${w.workspaceId}00/messages`, 2300052);
    const gap = await sendPaidMessage(w.ctx, {
      workspaceId: w.workspaceId,
      customerId: a.id,
      topicId: w.topic.id,
      sender: 'agent',
      message: note(),
    });
    expect(gap).toMatchObject({ ok: false, stage: 'graph', reason: 'mm_conversation_gap' });
    // Refused by Meta: it does not hold the 12-hour limit.
    expect(await sends.lastPaidSendAt(storage.db, a.id)).toBeNull();

    meta.failNext(`act_${w.workspaceId}00/messages`, 2300000);
    const made = meta.calls('/message_campaign').length;
    const again = await sendPaidMessage(w.ctx, {
      workspaceId: w.workspaceId,
      customerId: b.id,
      topicId: w.topic.id,
      sender: 'agent',
      message: note(),
    });
    expect(again.ok).toBe(true);
    expect(meta.calls('/message_campaign').length).toBe(made + 1);
  });

  it('R14c: a single paid notification Meta answers 2300003, 2300052 or its 12 h limit is refused with the time it may go, not failed', async () => {
    const w = await world();
    const ctx = { ...w.ctx, channel: meta.client };
    const act = `act_${w.workspaceId}00/messages`;
    const cases = [
      { code: 2300003, reason: 'marketing_not_active', waitMs: 10 * 60_000 },
      { code: 2300052, reason: 'conversation_gap', waitMs: 86_400_000 },
      { code: 4, subcode: 2018354, reason: 'marketing_token_limit', waitMs: 12 * HOUR },
    ] as const;
    const customers = [];
    for (const _ of cases) customers.push(await w.subscribe());
    w.clock.advance(8 * DAY);
    for (const [i, k] of cases.entries()) {
      meta.failNext(act, k.code, 'subcode' in k ? k.subcode : undefined);
      const r = await sendNotification(ctx, {
        workspaceId: w.workspaceId,
        customerId: customers[i]!.id,
        topicId: w.topic.id,
        sender: 'agent',
        message: note(),
      });
      expect(r, String(k.code)).toMatchObject({ ok: false, stage: 'rules', reason: k.reason });
      if (r.ok || r.stage !== 'rules') continue;
      expect(r.route).toBe('marketing_message');
      expect(r.nextAt!.getTime()).toBe(w.clock.now().getTime() + k.waitMs);
      // Nothing reached the customer: the 12-hour limit and the budget are not held by it.
      expect(await sends.lastPaidSendAt(storage.db, customers[i]!.id)).toBeNull();
    }
  });

  it('R14c: 2300004 (invalid subscription token) expires the subscription; nothing more goes on it', async () => {
    const w = await world();
    const ctx = { ...w.ctx, channel: meta.client };
    const c = await w.subscribe();
    w.clock.advance(8 * DAY);
    const act = `act_${w.workspaceId}00/messages`;
    meta.failNext(act, 2300004);
    const req = {
      workspaceId: w.workspaceId,
      customerId: c.id,
      topicId: w.topic.id,
      sender: 'agent' as const,
    };
    const r = await sendNotification(ctx, { ...req, message: note() });
    expect(r).toMatchObject({ ok: false, stage: 'graph', error: { code: 2300004 } });
    const sub = (await subscriptions.customerSubscriptions(storage.db, c.id, { topicId: w.topic.id }))[0]!;
    expect(new Date(sub.expires_at).getTime()).toBe(w.clock.now().getTime());
    const calls = meta.calls(act).length;
    w.clock.advance(HOUR);
    const again = await sendNotification(ctx, { ...req, message: note('Again') });
    expect(again).toMatchObject({ ok: false, stage: 'rules' });
    expect(meta.calls(act)).toHaveLength(calls);
  });

  it('R14b: a customer with no token, or a stopped one, is refused: no subscriber is guessed', async () => {
    const w = await world();
    const stranger = await seedCustomer(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id });
    w.clock.advance(8 * DAY);
    const r = await sendPaidMessage(w.ctx, {
      workspaceId: w.workspaceId,
      customerId: stranger.id,
      topicId: w.topic.id,
      sender: 'agent',
      message: note(),
    });
    expect(r).toMatchObject({ ok: false, reason: 'no_subscription' });
  });

  it('tenancy: a workspace cannot send to, or through the ad account of, another workspace', async () => {
    const mine = await world();
    const theirs = await world({ connect: false });
    const c = await mine.subscribe();
    mine.clock.advance(8 * DAY);
    // Their workspace naming my customer: not found, nothing sent.
    await expect(
      sendPaidMessage(theirs.ctx, {
        workspaceId: theirs.workspaceId,
        customerId: c.id,
        topicId: mine.topic.id,
        sender: 'agent',
        message: note(),
      }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'customer_not_found'));
    // Their own customer: my ad account is not theirs, so their route stays closed.
    const theirCustomer = await theirs.subscribe();
    theirs.clock.advance(8 * DAY);
    const r = await sendPaidMessage(theirs.ctx, {
      workspaceId: theirs.workspaceId,
      customerId: theirCustomer.id,
      topicId: theirs.topic.id,
      sender: 'agent',
      message: note(),
    });
    expect(r).toMatchObject({ ok: false, reason: 'no_ad_account' });
    await expect(disconnectAdAccount(theirs.ctx, theirs.workspaceId)).rejects.toSatisfy((e) =>
      isDomainError(e, 'ad_account_not_found'),
    );
    expect(await getAdAccount(mine.ctx, mine.workspaceId)).not.toBeNull();
  });
});
