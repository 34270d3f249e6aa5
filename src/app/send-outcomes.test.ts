// The one applier of Meta's answers, set-based: a batch of outcomes from the domain table lands on
// the right rows and only there (the campaign path; the single-send path is test/e2e/messenger.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedOptIn,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { type SendAnswer, sendOutcome } from '../domain/send-outcomes.ts';
import * as customers from '../storage/customers.ts';
import { inTransaction, type Storage } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import * as subs from '../storage/subscriptions.ts';
import { applyOutcomes, type OutcomeTarget } from './send-outcomes.ts';

describe.each(BACKENDS)('send outcomes applier on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  it('R8c/R7a/R9c/R11b: one batch stops, expires, gives back, marks unreachable and stops the page', async () => {
    const w = await seedWorkspace(storage);
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
    const people: Array<{ c: { id: number; psid: string }; sub: { id: number } }> = [];
    for (let i = 0; i < 5; i++) {
      const c = await seedCustomer(w.ctx, scope);
      const payload = await seedInvitation(w.ctx, scope, c.id, topic.id, 'bot');
      await seedOptIn(w.ctx, w.page.fb_page_id, {
        psid: c.psid,
        kind: 'recurring',
        payload,
        token: `t-${c.id}`,
      });
      const sub = (await subs.customerSubscriptions(storage.db, c.id))[0]!;
      people.push({ c, sub });
    }
    // Each token as claimed by a send (last sent now), to be given back to "never sent" where the outcome says.
    const at = w.clock.now();
    for (const { sub } of people) {
      await subs.releaseToken(storage.db, sub.id, { usedAt: null, lastSentAt: at, nextEligibleAt: at }, at);
    }
    const fail = (answer: SendAnswer) => sendOutcome({ kind: 'campaign', answer });
    const target = (i: number, outcome: OutcomeTarget['outcome']): OutcomeTarget => ({
      outcome,
      customerId: people[i]!.c.id,
      token: {
        subscriptionId: people[i]!.sub.id,
        topicId: topic.id,
        previous: { subscriptionId: people[i]!.sub.id, usedAt: null, lastSentAt: null, nextEligibleAt: null },
      },
    });
    const stopped = fail({ ok: false, class: 'subscription_stopped' });
    w.clock.advance(DAY);
    const then = w.clock.now();
    await inTransaction(storage.db, (tx) =>
      applyOutcomes(
        tx,
        {
          ...scope,
          unreachableReason: 'blocked (campaign)',
          stoppedDetail: { source: 'graph_error_1893015', campaignId: 7 },
          stopPage: 'page_restricted: test',
        },
        [
          target(0, stopped),
          target(1, stopped),
          target(2, fail({ ok: false, class: 'token_invalid' })),
          target(3, fail({ ok: false, class: 'customer_unreachable' })),
          target(4, fail({ ok: true })),
        ],
        then,
      ),
    );
    const subNow = async (i: number) => (await subs.customerSubscriptions(storage.db, people[i]!.c.id))[0]!;
    for (const i of [0, 1]) {
      const s = await subNow(i);
      expect(s.stopped_at).toEqual(then);
      expect(s.last_sent_at).toBeNull(); // given back
    }
    const history = await subs.consentHistory(storage.db, w.workspaceId, { topicId: topic.id });
    const stops = history.filter((h) => h.event === 'stopped');
    expect(stops.map((h) => h.customer_id).sort()).toEqual([people[0]!.c.id, people[1]!.c.id].sort());
    expect(stops[0]!.detail).toEqual({ source: 'graph_error_1893015', campaignId: 7 });
    // A dead token expires now and is not given back; a sent one keeps its use.
    const dead = await subNow(2);
    expect(dead.expires_at).toEqual(then);
    expect(dead.last_sent_at).toEqual(at);
    expect((await subNow(4)).last_sent_at).toEqual(at);
    expect((await subNow(4)).stopped_at).toBeNull();
    // Only the customer Meta named is unreachable; the given-back token of that customer is free again.
    for (const [i, reason] of [
      [3, 'blocked (campaign)'],
      [0, null],
      [4, null],
    ] as const) {
      const c = await customers.findCustomer(storage.db, w.workspaceId, people[i]!.c.id);
      expect(c!.unreachable_reason).toBe(reason);
    }
    expect((await subNow(3)).last_sent_at).toBeNull();
    const page = await pages.findPage(storage.db, w.workspaceId, w.page.id);
    expect(page!.restricted_reason).toBe('page_restricted: test');
  });

  it('9/2018352 (R2): an invitation refused for too many opt-in requests backs off that customer one day', async () => {
    const w = await seedWorkspace(storage);
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const [c, other] = [await seedCustomer(w.ctx, scope), await seedCustomer(w.ctx, scope)];
    const at = w.clock.now();
    await inTransaction(storage.db, (tx) =>
      applyOutcomes(
        tx,
        { ...scope, unreachableReason: 'x', stoppedDetail: {}, stopPage: null },
        [
          {
            outcome: sendOutcome({ kind: 'invitation', answer: { ok: false, class: 'optin_limit' } }),
            customerId: c.id,
          },
        ],
        at,
      ),
    );
    expect((await customers.findCustomer(storage.db, w.workspaceId, c.id))!.optin_backoff_until).toEqual(
      new Date(at.getTime() + DAY),
    );
    expect(
      (await customers.findCustomer(storage.db, w.workspaceId, other.id))!.optin_backoff_until,
    ).toBeNull();
    expect((await pages.findPage(storage.db, w.workspaceId, w.page.id))!.restricted_reason).toBeNull();
  });
});
