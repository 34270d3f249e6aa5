import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  HOUR,
  otnTopic,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import type { Storage } from '../storage/db.ts';
import * as subs from '../storage/subscriptions.ts';
import { applyOptIn, applyStopResume, recordExpiries } from './optins.ts';
import { customerTopicLists } from './sends.ts';

describe.each(BACKENDS)('opt-in use-cases on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  async function world(topicKind: 'recurring' | 'one_time' = 'recurring') {
    const w = await seedWorkspace(storage);
    const topic = await seedTopic(
      w.ctx,
      w.workspaceId,
      w.page.id,
      topicKind === 'recurring' ? recurringTopic() : otnTopic(),
    );
    const customer = await seedCustomer(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id });
    const invite = () =>
      seedInvitation(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id }, customer.id, topic.id);
    const optIn = (payload: string, token: string, at = w.clock.now()) =>
      applyOptIn(w.ctx, {
        fbPageId: w.page.fb_page_id,
        psid: customer.psid,
        kind: topicKind,
        token,
        payload,
        at,
      });
    const history = () => subs.consentHistory(storage.db, w.workspaceId, { customerId: customer.id });
    const tokens = async () =>
      (await subs.customerSubscriptions(storage.db, customer.id, { topicId: topic.id })).map((r) => ({
        ...r,
        token: subs.toSubscriptionState(r).token,
      }));
    return { ...w, topic, customer, invite, optIn, history, tokens };
  }

  it('R3a: one invitation accepted several times counts once and keeps the first acceptance time', async () => {
    const w = await world();
    const payload = await w.invite();
    const first = w.clock.now();
    expect((await w.optIn(payload, 'tok-a')).outcome).toBe('accepted');
    w.clock.advance(2 * HOUR);
    expect((await w.optIn(payload, 'tok-a')).outcome).toBe('accepted_again');
    const rows = await w.tokens();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.opted_in_at.getTime()).toBe(first.getTime());
    expect((await w.history()).map((h) => h.event)).toEqual(['accepted', 'accepted_again']);
  });

  it('R3b: the topic sent again and accepted again moves token, time and validity to the latest', async () => {
    const w = await world();
    await w.optIn(await w.invite(), 'tok-old');
    w.clock.advance(8 * DAY);
    const second = w.clock.now();
    const r = await w.optIn(await w.invite(), 'tok-new');
    expect(r).toMatchObject({ outcome: 'accepted', alreadyHeld: true });
    const rows = await w.tokens();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ token: 'tok-new' });
    expect(rows[0]!.opted_in_at.getTime()).toBe(second.getTime());
    // WEEKLY default validity: 9 months from the latest acceptance (R8a)
    expect(rows[0]!.expires_at.toISOString()).toBe('2026-12-10T03:00:00.000Z');
  });

  it('R7d: OTN acceptances of several invitations stack, one token each', async () => {
    const w = await world('one_time');
    await w.optIn(await w.invite(), 'otn-1');
    w.clock.advance(DAY);
    await w.optIn(await w.invite(), 'otn-2');
    expect((await w.tokens()).map((t) => t.token)).toEqual(['otn-1', 'otn-2']);
  });

  it('R3c: every acceptance, stop and resume is written to the append-only history', async () => {
    const w = await world();
    await w.optIn(await w.invite(), 'tok-h');
    w.clock.advance(HOUR);
    expect(
      await applyStopResume(w.ctx, {
        fbPageId: w.page.fb_page_id,
        psid: w.customer.psid,
        token: 'tok-h',
        action: 'stop',
        at: w.clock.now(),
      }),
    ).toBe('stopped');
    expect(
      await applyStopResume(w.ctx, {
        fbPageId: w.page.fb_page_id,
        psid: w.customer.psid,
        token: 'tok-h',
        action: 'stop',
        at: w.clock.now(),
      }),
    ).toBe('unchanged');
    expect(
      await applyStopResume(w.ctx, {
        fbPageId: w.page.fb_page_id,
        psid: w.customer.psid,
        token: 'tok-h',
        action: 'resume',
        at: w.clock.now(),
      }),
    ).toBe('resumed');
    const events = await w.history();
    expect(events.map((h) => h.event)).toEqual(['accepted', 'stopped', 'resumed']);
    expect(events[0]).toMatchObject({ sender_kind: 'agent', topic_id: w.topic.id });
    await expect(storage.db.updateTable('consent_history').set({ event: 'used' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(storage.db.deleteFrom('consent_history').execute()).rejects.toThrow(/append-only/);
  });

  it('R8c: a stop on an unknown token changes nothing', async () => {
    const w = await world();
    expect(
      await applyStopResume(w.ctx, {
        fbPageId: w.page.fb_page_id,
        psid: w.customer.psid,
        token: 'nope',
        action: 'stop',
        at: w.clock.now(),
      }),
    ).toBe('unknown_token');
    expect(await w.history()).toHaveLength(0);
  });

  it('R3c/R8a: expiry is recorded in the history once, by the sweep', async () => {
    const w = await world('one_time');
    await w.optIn(await w.invite(), 'otn-exp');
    expect(await recordExpiries(w.ctx)).toBe(0);
    w.clock.advance(366 * DAY);
    expect(await recordExpiries(w.ctx)).toBeGreaterThanOrEqual(1);
    expect(await recordExpiries(w.ctx)).toBe(0);
    expect((await w.history()).map((h) => h.event)).toEqual(['accepted', 'expired']);
  });

  it('R4: lists follow the invitation and the acceptance', async () => {
    const w = await world();
    const lists0 = await customerTopicLists(w.ctx, w.workspaceId, w.customer.id);
    expect(lists0.notSent.map((i) => i.state)).toEqual(['never_invited']);
    const payload = await w.invite();
    const lists1 = await customerTopicLists(w.ctx, w.workspaceId, w.customer.id);
    expect(lists1.sent[0]).toMatchObject({ state: 'invited', resendableNow: false });
    expect(lists1.sent[0]!.resendAfter!.getTime()).toBe(w.clock.now().getTime() + 7 * DAY);
    await w.optIn(payload, 'tok-l');
    const lists2 = await customerTopicLists(w.ctx, w.workspaceId, w.customer.id);
    expect(lists2.sent[0]).toMatchObject({ state: 'subscribed' });
    expect(lists2.sent[0]!.resendAfter!.toISOString()).toBe('2026-12-02T03:00:00.000Z');
  });

  it('opt-ins for an unknown page or topic store nothing', async () => {
    const w = await world();
    expect(
      (
        await applyOptIn(w.ctx, {
          fbPageId: 'nope',
          psid: 'x',
          kind: 'recurring',
          token: 't',
          payload: null,
          at: w.clock.now(),
        })
      ).outcome,
    ).toBe('unknown_page');
    expect((await w.optIn('rn:t999999:zz', 'tok-z')).outcome).toBe('unknown_topic');
    expect(await w.tokens()).toHaveLength(0);
  });
});
