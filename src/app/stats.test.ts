import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  HOUR,
  otnTopic,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedOptIn,
  seedTopic,
  seedWorkspace,
  T0,
} from '../../test/support/factories.ts';
import { isDomainError } from '../domain/errors.ts';
import type { Storage } from '../storage/db.ts';
import { insertMessage, markDelivered, markRead } from '../storage/messages.ts';
import * as subs from '../storage/subscriptions.ts';
import { createCampaign } from './campaigns.ts';
import { applyStopResume, recordExpiries } from './optins.ts';
import { claimNotification, settleNotification } from './sends.ts';
import { campaignStats, pageStats, topicStats } from './stats.ts';
import { deactivateTopic } from './topics.ts';

describe.each(BACKENDS)('statistics on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  /** A page whose story runs over the five days before T0 (10:00 in Asia/Ho_Chi_Minh each day). */
  async function story() {
    const w = await seedWorkspace(storage, {}, new Date(T0.getTime() - 5 * DAY));
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
    const otn = await seedTopic(w.ctx, w.workspaceId, w.page.id, otnTopic());
    const [a, b, c, d] = [
      await seedCustomer(w.ctx, scope),
      await seedCustomer(w.ctx, scope),
      await seedCustomer(w.ctx, scope),
      await seedCustomer(w.ctx, scope),
    ];
    const at = (daysBeforeT0: number) => w.clock.set(new Date(T0.getTime() - daysBeforeT0 * DAY));
    const invite = (customerId: number, topicId: number) => seedInvitation(w.ctx, scope, customerId, topicId);
    const optIn = (
      psid: string,
      kind: 'recurring' | 'one_time',
      payload: string,
      token: string,
      metaExpiry?: Date,
    ) =>
      seedOptIn(w.ctx, w.page.fb_page_id, { psid, kind, payload, token, ...(metaExpiry && { metaExpiry }) });

    at(5);
    const pa = await invite(a!.id, topic.id);
    const pb = await invite(b!.id, topic.id);
    const pc = await invite(c!.id, topic.id);
    await invite(d!.id, topic.id); // never accepted
    await optIn(a!.psid, 'recurring', pa, 'tok-a');
    at(4);
    await optIn(b!.psid, 'recurring', pb, 'tok-b');
    // c's token carries Meta's expiry: two days and an hour later
    await optIn(c!.psid, 'recurring', pc, 'tok-c', new Date(T0.getTime() - 2 * DAY + HOUR));
    at(3);
    const stopResume = (action: 'stop' | 'resume') =>
      applyStopResume(w.ctx, {
        fbPageId: w.page.fb_page_id,
        psid: a!.psid,
        token: 'tok-a',
        action,
        at: w.clock.now(),
      });
    await stopResume('stop');
    at(2);
    await stopResume('resume');
    const po = await invite(a!.id, otn.id);
    await optIn(a!.psid, 'one_time', po, 'otn-a');
    at(1);
    for (const topicId of [topic.id, otn.id]) {
      const req = {
        ...scope,
        workspaceId: w.workspaceId,
        customerId: topicId === otn.id ? a!.id : b!.id,
        sender: 'agent' as const,
        intent: { kind: 'notification' as const, topicId },
        content: 'text' as const,
      };
      const claim = await claimNotification(w.ctx, req);
      expect(claim.resolution.ok).toBe(true);
      await settleNotification(w.ctx, claim, req, { sent: true, messageId: `m-${topicId}` });
    }
    at(0);
    await recordExpiries(w.ctx);
    return { ...w, topic, otn };
  }

  it('R10b: invitations sent, acceptance rate, stops, sends, valid subscribers now', async () => {
    const { ctx, workspaceId, topic } = await story();
    const s = await topicStats(ctx, workspaceId, topic.id, 7);
    expect(s.totals).toEqual({
      invitationsSent: 4,
      invitationsRefused: 0,
      invitationsAccepted: 3,
      acceptanceRate: 0.75,
      validSubscribers: 2, // a (resumed) and b; c expired
      suspendedSubscribers: 0,
      acceptances: 3,
      stops: 1,
      resumes: 1,
      sends: 1,
      expiries: 1,
    });
  });

  it('R10b: valid subscribers over time, replayed from the consent history, per page-local day', async () => {
    const { ctx, workspaceId, topic, otn } = await story();
    const s = await topicStats(ctx, workspaceId, topic.id, 7);
    expect(s.timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(s.series.map((p) => p.date)).toEqual([
      '2026-02-24',
      '2026-02-25',
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    // day -5: a; -4: a b c; -3: a stopped; -2: a resumed, c expired an hour after; -1, today: a b
    expect(s.series.map((p) => p.validSubscribers)).toEqual([0, 1, 3, 2, 2, 2, 2]);
    expect(s.series.map((p) => p.invitationsSent)).toEqual([0, 4, 0, 0, 0, 0, 0]);
    expect(s.series.map((p) => p.acceptances)).toEqual([0, 1, 2, 0, 0, 0, 0]);
    expect(s.series.map((p) => p.stops)).toEqual([0, 0, 0, 1, 0, 0, 0]);
    expect(s.series.map((p) => p.resumes)).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(s.series.map((p) => p.sends)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(s.series.map((p) => p.expiries)).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(s.series.at(-1)!.validSubscribers).toBe(s.totals.validSubscribers);
    // R7a: an OTN token used up leaves the count
    const o = await topicStats(ctx, workspaceId, otn.id, 3);
    expect(o.series.map((p) => p.validSubscribers)).toEqual([1, 0, 0]);
    expect(o.totals).toMatchObject({ invitationsSent: 1, acceptanceRate: 1, sends: 1, validSubscribers: 0 });
  });

  it('R10b + R5b: a deactivated topic has no valid subscribers, its held ones show as suspended', async () => {
    const { ctx, workspaceId, topic } = await story();
    await deactivateTopic(ctx, workspaceId, topic.id);
    const s = await topicStats(ctx, workspaceId, topic.id, 1);
    expect(s.totals).toMatchObject({ validSubscribers: 0, suspendedSubscribers: 2 });
  });

  it('R10b: page overview — customers by window, subscribers, every topic with its totals', async () => {
    const { ctx, workspaceId, page, topic, otn } = await story();
    const s = await pageStats(ctx, workspaceId, page.id);
    expect(s.customers.total).toBe(4);
    expect(Object.values(s.customers.byWindow).reduce((a, b) => a + b, 0)).toBe(4);
    expect(s.subscribers).toBe(2);
    expect(s.totals).toMatchObject({
      invitationsSent: 5,
      invitationsAccepted: 4,
      acceptanceRate: 0.8,
      sends: 2,
    });
    expect(s.topics.map((t) => t.id).sort()).toEqual([topic.id, otn.id].sort());
  });

  it('bad input and foreign topics are refused', async () => {
    const { ctx, workspaceId, topic } = await story();
    const other = await seedWorkspace(storage);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e) => (isDomainError(e) ? e.code : String(e)),
      );
    expect(await code(topicStats(ctx, workspaceId, topic.id, 0))).toBe('validation_failed');
    expect(await code(topicStats(other.ctx, other.workspaceId, topic.id))).toBe('topic_not_found');
    expect(await code(pageStats(other.ctx, other.workspaceId, topic.page_id))).toBe('page_not_found');
  });

  it('R10a: campaign targeted, sent, delivered, read, clicked, failed by reason, stopped after, rates', async () => {
    const w = await seedWorkspace(storage);
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(w.ctx, w.workspaceId, w.page.id, otnTopic());
    const c = await createCampaign(w.ctx, w.workspaceId, w.page.id, {
      name: 'Back in stock',
      topicId: topic.id,
      content: { type: 'text', text: 'Hàng đã về!' },
      audience: {},
    });
    const now = w.clock.now();
    const people = [];
    for (let i = 0; i < 8; i++) people.push(await seedCustomer(w.ctx, scope));
    // 5 sent (4 delivered, 3 read, 2 clicked), 2 failed (two reasons), 1 skipped
    const outcome = (i: number) =>
      i < 5
        ? { status: 'sent' as const, reason: null }
        : i < 7
          ? { status: 'failed' as const, reason: i === 5 ? 'customer_unreachable' : 'token_invalid' }
          : { status: 'skipped' as const, reason: 'token_used' };
    for (const [i, p] of people.entries()) {
      const o = outcome(i);
      const mid = o.status === 'sent' ? `m-${c.id}-${i}` : null;
      await storage.db
        .insertInto('campaign_deliveries')
        .values({
          campaign_id: c.id,
          customer_id: p.id,
          subscription_id: null,
          status: o.status,
          reason: o.reason,
          message_id: mid,
          claim_id: null,
          lease_until: null,
          token_period_end: null,
          deferred_until: null,
          sent_at: mid ? now : null,
          clicked_at: i < 2 ? now : null,
        })
        .execute();
      if (!mid) continue;
      await insertMessage(storage.db, {
        ...scope,
        customerId: p.id,
        direction: 'out',
        senderKind: 'campaign',
        kind: 'notification',
        mid,
        text: 'Hàng đã về!',
        at: now,
      });
      if (i < 4) await markDelivered(storage.db, p.id, [mid], null);
      if (i < 3) await markRead(storage.db, p.id, new Date(now.getTime() + HOUR));
    }
    await storage.db
      .updateTable('campaigns')
      .set({ targeted: 8, status: 'completed' })
      .where('id', '=', c.id)
      .execute();
    // "stopped after": one recipient stops the topic after the send, another had stopped before it
    const stop = (customerId: number, at: Date) =>
      subs.appendConsent(storage.db, {
        ...scope,
        topicId: topic.id,
        customerId,
        subscriptionId: null,
        event: 'stopped',
        at,
      });
    await stop(people[0]!.id, new Date(now.getTime() + DAY));
    await stop(people[1]!.id, new Date(now.getTime() - DAY));
    const s = await campaignStats(w.ctx, w.workspaceId, c.id);
    expect(s).toMatchObject({
      targeted: 8,
      sent: 5,
      delivered: 4,
      read: 3,
      clicked: 2,
      failed: { total: 2, byReason: { customer_unreachable: 1, token_invalid: 1 } },
      skipped: { total: 1, byReason: { token_used: 1 } },
      inFlight: 0,
      stoppedAfter: 1,
      rates: { delivered: 0.8, read: 0.75, clicked: 0.6667, overall: 0.5, stoppedAfter: 0.2 },
    });
    const other = await seedWorkspace(storage);
    const code = await campaignStats(other.ctx, other.workspaceId, c.id).then(
      () => null,
      (e) => (isDomainError(e) ? e.code : String(e)),
    );
    expect(code).toBe('campaign_not_found');
  });
});
