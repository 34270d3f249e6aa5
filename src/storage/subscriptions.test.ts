// The one R7b guard (subscriptions.claimTokens) as both senders use it: the single send claims one
// token, the campaign batch claims a set. Racing on real concurrent connections, exactly one wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  otnTopic,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedOptIn,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { inTransaction, type Storage } from './db.ts';
import * as subs from './subscriptions.ts';

describe.each(BACKENDS)('token claims on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend, { poolSize: 8 });
  });
  afterAll(async () => storage?.close());

  async function heldToken(kind: 'recurring' | 'one_time') {
    const w = await seedWorkspace(storage);
    const topic = await seedTopic(
      w.ctx,
      w.workspaceId,
      w.page.id,
      kind === 'one_time' ? otnTopic() : recurringTopic(),
    );
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const customer = await seedCustomer(w.ctx, scope);
    const payload = await seedInvitation(w.ctx, scope, customer.id, topic.id, 'bot');
    await seedOptIn(w.ctx, w.page.fb_page_id, {
      psid: customer.psid,
      kind,
      payload,
      token: `t-${customer.id}`,
    });
    const [row] = await subs.customerSubscriptions(storage.db, customer.id);
    return { now: w.ctx.clock.now(), sub: subs.toSubscriptionState(row!) };
  }

  it('R7b: single sends and campaign batches racing for one OTN token — exactly one wins', async () => {
    for (let round = 0; round < 6; round++) {
      const { now, sub } = await heldToken('one_time');
      const patch = { usedAt: now, lastSentAt: now, nextEligibleAt: null };
      const single = () => inTransaction(storage.db, (tx) => subs.claimToken(tx, sub, patch, now));
      const batch = () =>
        inTransaction(storage.db, async (tx) =>
          (await subs.claimTokens(tx, [{ subscriptionId: sub.id, ...patch }], now)).has(sub.id),
        );
      const wins = await Promise.all([single(), batch(), single(), batch()]);
      expect(wins.filter(Boolean)).toHaveLength(1);
    }
  });

  it('R7b/R8b: a recurring token in its cooldown is not claimed; released, it is claimable again', async () => {
    const { now, sub } = await heldToken('recurring');
    const use = {
      subscriptionId: sub.id,
      usedAt: null,
      lastSentAt: now,
      nextEligibleAt: new Date(now.getTime() + 7 * DAY),
    };
    expect(await subs.claimTokens(storage.db, [use], now)).toEqual(new Set([sub.id]));
    expect(await subs.claimToken(storage.db, sub, use, now)).toBe(false);
    await subs.releaseTokens(
      storage.db,
      [{ subscriptionId: sub.id, usedAt: null, lastSentAt: null, nextEligibleAt: null }],
      now,
    );
    expect(await subs.claimToken(storage.db, sub, use, now)).toBe(true);
  });
});
