// Issue 10, item 5: only the customer's own action moves the last interaction (rules.md, Words). A Stop /
// Resume of notifications, a mute, a report or a read receipt from a customer whose window is closed must
// leave it closed: the composer stays the notification frame and renotify refuses a reply itself, before
// Meta would (`(#10) outside of allowed window`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.ts';
import { type Harness, startHarness, waitFor } from './harness.ts';

const RECURRING_TITLE = 'Ưu đãi mỗi tuần từ Cửa hàng demo';

describe.each(BACKENDS)('last interaction end to end on %s', (backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  const lastInteraction = async (id: number) =>
    (
      await h.storage.db
        .selectFrom('customers')
        .select('last_interaction_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).last_interaction_at;

  it('R1c/R8c: a customer 8 days old taps Stop then Resume → still the notification frame, a reply refused before Meta', async () => {
    const c = await h.newCustomer({ say: 'khuyến mãi', locale: 'vi_VN' });
    await waitFor(
      async () => (await h.sb.thread(c.psid)).items.some((i) => i.optInCard?.title === RECURRING_TITLE),
      { what: 'the opt-in card in the thread' },
    );
    await h.settle();
    const { token } = await h.sb.optinLatest(c.psid, RECURRING_TITLE);
    await h.settle();
    const before = await lastInteraction(c.id);

    await h.sb.advance('8d');
    await h.sb.stop(c.psid, token!);
    await h.settle();
    await h.sb.resume(c.psid, token!);
    // Neither do these customer-side controls (R8d) nor a read receipt.
    await h.sb.mute(c.psid, 8);
    await h.sb.report(c.psid);
    await h.sb.read(c.psid);
    await h.settle();

    expect(await lastInteraction(c.id)).toEqual(before);
    const view = (await h.api('GET', `/api/customers/${c.id}`)).body;
    expect(view.window).toBe('closed');
    expect(view.composer.mode).toBe('notification');
    const sentBefore = (await h.sb.received(c.psid)).length;
    const reply = await h.api('POST', `/api/customers/${c.id}/messages`, { text: 'còn đó không?' });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('outside_7d_window');
    expect((await h.sb.received(c.psid)).length).toBe(sentBefore);
  });
});
