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
} from '../../test/support/factories.ts';
import type { Storage } from '../storage/db.ts';
import * as subs from '../storage/subscriptions.ts';
import { claimNotification, conversationComposer, resolveSendFor, settleNotification } from './sends.ts';
import { deactivateTopic } from './topics.ts';

describe.each(BACKENDS)('send use-cases on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend, { poolSize: 12 });
  });
  afterAll(async () => storage?.close());

  async function subscribed(kind: 'recurring' | 'one_time', tokens = 1) {
    const w = await seedWorkspace(storage);
    const topic = await seedTopic(
      w.ctx,
      w.workspaceId,
      w.page.id,
      kind === 'recurring' ? recurringTopic() : otnTopic(),
    );
    const customer = await seedCustomer(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id });
    for (let i = 0; i < tokens; i++) {
      const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
      const payload = await seedInvitation(w.ctx, scope, customer.id, topic.id, 'bot');
      await seedOptIn(w.ctx, w.page.fb_page_id, {
        psid: customer.psid,
        kind,
        payload,
        token: `${kind}-${customer.id}-${i}`,
      });
    }
    const req = {
      workspaceId: w.workspaceId,
      customerId: customer.id,
      sender: 'agent' as const,
      intent: { kind: 'notification' as const, topicId: topic.id },
    };
    return { ...w, topic, customer, req };
  }

  it('R1a/R1b/R1c: an agent reply at 23:59 goes as RESPONSE, at 24:00 as HUMAN_AGENT, at 7 d is refused', async () => {
    const w = await seedWorkspace(storage);
    const c = await seedCustomer(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id }, { ageMs: 0 });
    const reply = () =>
      resolveSendFor(w.ctx, {
        workspaceId: w.workspaceId,
        customerId: c.id,
        sender: 'agent',
        intent: { kind: 'ordinary' },
      });
    w.clock.advance(24 * HOUR - 60_000);
    expect(await reply()).toMatchObject({ ok: true, plan: { messagingType: 'RESPONSE', tag: null } });
    w.clock.advance(60_000);
    expect(await reply()).toMatchObject({
      ok: true,
      plan: { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    });
    w.clock.advance(6 * DAY);
    expect(await reply()).toMatchObject({ ok: false, reason: 'outside_7d_window' });
  });

  it('R6a: after 7 days the composer offers the valid topic; R6d: hidden once the topic is deactivated', async () => {
    const w = await subscribed('recurring');
    w.clock.advance(8 * DAY);
    expect(await conversationComposer(w.ctx, w.workspaceId, w.customer.id)).toMatchObject({
      mode: 'notification',
      topics: [{ topicId: w.topic.id }],
    });
    await deactivateTopic(w.ctx, w.workspaceId, w.topic.id);
    expect(await conversationComposer(w.ctx, w.workspaceId, w.customer.id)).toMatchObject({
      mode: 'policy_notice',
      reason: 'outside_7d_window',
    });
  });

  it('R7a/R3c: an OTN notification claims the token once and records the use', async () => {
    const w = await subscribed('one_time');
    w.clock.advance(8 * DAY);
    const claim = await claimNotification(w.ctx, w.req);
    expect(claim.resolution).toMatchObject({
      ok: true,
      plan: { recipient: { one_time_notif_token: expect.any(String) } },
    });
    await settleNotification(w.ctx, claim, w.req, { sent: true, messageId: 'm_1' });
    const again = await claimNotification(w.ctx, w.req);
    expect(again.resolution).toMatchObject({ ok: false, reason: 'token_used' });
    const events = (await subs.consentHistory(storage.db, w.workspaceId, { customerId: w.customer.id })).map(
      (h) => h.event,
    );
    expect(events).toEqual(['accepted', 'used']);
  });

  it('R7b: a token whose send provably failed is given back', async () => {
    const w = await subscribed('one_time');
    const claim = await claimNotification(w.ctx, w.req);
    await settleNotification(w.ctx, claim, w.req, { sent: false });
    expect((await claimNotification(w.ctx, w.req)).resolution.ok).toBe(true);
  });

  it('R8b: a recurring notification starts the cooldown; the next is refused until the next calendar week', async () => {
    const w = await subscribed('recurring'); // WEEKLY under legacy-2022, page in Asia/Ho_Chi_Minh; T0 is a Monday
    w.clock.advance(8 * DAY); // Tuesday of the next week
    const first = await claimNotification(w.ctx, w.req);
    expect(first.resolution.ok).toBe(true);
    await settleNotification(w.ctx, first, w.req, { sent: true, messageId: 'm_w' });
    const second = await claimNotification(w.ctx, w.req);
    expect(second.resolution).toMatchObject({ ok: false, reason: 'cooldown' });
    // next Monday 00:00 in Ho Chi Minh = Sunday 17:00 UTC
    expect((second.resolution as { nextAt: Date }).nextAt.toISOString()).toBe('2026-03-15T17:00:00.000Z');
  });

  it('R7b: concurrent consumers of one OTN token — exactly one wins (real concurrent connections)', async () => {
    for (let round = 0; round < 8; round++) {
      const w = await subscribed('one_time');
      const claims = await Promise.all(Array.from({ length: 5 }, () => claimNotification(w.ctx, w.req)));
      expect(claims.filter((c) => c.resolution.ok)).toHaveLength(1);
      const rows = await subs.customerSubscriptions(storage.db, w.customer.id);
      expect(rows.filter((r) => r.used_at !== null)).toHaveLength(1);
    }
  });

  it('R7b/R7d: with two stacked tokens, five racing senders get exactly two sends', async () => {
    const w = await subscribed('one_time', 2);
    const claims: Array<Awaited<ReturnType<typeof claimNotification>>> = [];
    // Each racer retries once on a lost race, as a real sender would with the next token.
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        let c = await claimNotification(w.ctx, w.req);
        if (!c.resolution.ok) c = await claimNotification(w.ctx, w.req);
        claims.push(c);
      }),
    );
    expect(claims.filter((c) => c.resolution.ok)).toHaveLength(2);
  });
});
