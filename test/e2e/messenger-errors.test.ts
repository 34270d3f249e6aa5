// Issue 3, "Messenger for real": platform.md's error table end to end — the sandbox answers each Graph
// error, and the service reacts as the table classifies it (retry or not, status and code, what changes).
// The real service, worker and Graph API sandbox over loopback HTTP, as in messenger.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.ts';
import { type Harness, startHarness } from './harness.ts';
import { type HarnessRef, messengerSteps, OTN_TITLE, RECURRING_TITLE } from './messenger-steps.ts';

describe.each(BACKENDS)('Messenger error table end to end on %s', (backend) => {
  let h: Harness;
  const ref = {} as HarnessRef;

  beforeAll(async () => {
    h = await startHarness(backend);
    ref.h = h;
  });
  afterAll(async () => {
    await h?.close();
  });

  const { optedIn, customer, topicItem, notify, reply, invite, consent, subscription, pendingFaults } =
    messengerSteps(ref);

  describe('platform.md error table → the classified reaction', () => {
    it('10/2018278 outside the window: 502 and no retry (1 call); and renotify itself refuses past 7 days (422, nothing sent)', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 10, subcode: 2018278 }, 3);
      const r = await reply(c.id, 'hello');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_outside_window');
      expect(3 - pendingFaults()).toBe(1);
      await h.sb.resetFaults();

      const old = await h.sb.createCustomer({ lastInteractionAt: new Date(Date.now() - 86_400_000) });
      await h.sb.message(old.psid, 'hi');
      await h.settle();
      const oldId = (await h.customerId(old.psid))!;
      await h.sb.advance('8d');
      const before = (await h.sb.received(old.psid)).length;
      const late = await reply(oldId, 'are you there?');
      expect(late.status).toBe(422);
      expect(late.body.error.code).toBe('outside_7d_window');
      expect((await h.sb.received(old.psid)).length).toBe(before);
    });

    it('10/1893015 stopped: the subscription is marked stopped and later sends are refused', async () => {
      const c = await optedIn(RECURRING_TITLE);
      await h.sb.failNext({ code: 10, subcode: 1893015 });
      const r = await notify(c.id, h.topics.recurring, 'x');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_subscription_stopped');
      expect((await subscription(c.id, h.topics.recurring)).stopped_at).not.toBeNull();
      expect(topicItem(await customer(c.id), h.topics.recurring).state).toBe('stopped');
      expect((await consent(c.id)).map((e) => e.event)).toEqual(['accepted', 'stopped']);
      expect((await notify(c.id, h.topics.recurring, 'x')).body.error.code).toBe('subscription_stopped');
    });

    it('4/2018354 cooldown: not retried, the token is given back (no use recorded) and the next try goes', async () => {
      const c = await optedIn(RECURRING_TITLE);
      await h.sb.failNext({ code: 4, subcode: 2018354 }, 2);
      const r = await notify(c.id, h.topics.recurring, 'x');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_cooldown');
      expect(pendingFaults()).toBe(1);
      await h.sb.resetFaults();
      expect((await subscription(c.id, h.topics.recurring)).last_sent_at).toBeNull();
      expect((await consent(c.id)).map((e) => e.event)).toEqual(['accepted']);
      expect((await notify(c.id, h.topics.recurring, 'x')).status).toBe(201);
    });

    it('100 token invalid: the subscription is no longer valid (back to Not sent), later sends refused', async () => {
      const c = await optedIn(OTN_TITLE);
      await h.sb.failNext({ code: 100, message: '(#100) The one_time_notif_token has expired' });
      const r = await notify(c.id, h.topics.otn, 'x');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_token_invalid');
      expect(topicItem(await customer(c.id), h.topics.otn).list).toBe('not_sent');
      const again = await notify(c.id, h.topics.otn, 'x');
      expect(again.status).toBe(422);
      expect(['subscription_expired', 'no_subscription', 'token_used']).toContain(again.body.error.code);
    });

    it('613/1893016 duplicate opt-in: the invitation is recorded refused and R4 shows it under Sent', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 613, subcode: 1893016 }, 2);
      const r = await invite(c.id, h.topics.recurring);
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_duplicate_optin');
      expect(pendingFaults()).toBe(1); // not retried, although 613 alone would be a rate limit
      await h.sb.resetFaults();
      const inv = await h.storage.db
        .selectFrom('invitations')
        .select(['status'])
        .where('customer_id', '=', c.id)
        .execute();
      expect(inv).toEqual([{ status: 'refused' }]);
      expect(topicItem(await customer(c.id), h.topics.recurring)).toMatchObject({
        list: 'sent',
        state: 'invited',
      });
      const again = await invite(c.id, h.topics.recurring);
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe('invitation_too_soon');
      expect(again.body.error.details.notice).toBeTruthy();
    });

    it('9/2018352 opt-in limit: refused, not retried, nothing recorded as sent', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 9, subcode: 2018352 }, 2);
      const r = await invite(c.id, h.topics.otn);
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_optin_limit');
      expect(pendingFaults()).toBe(1);
      await h.sb.resetFaults();
      expect(await h.count('invitations', `customer_id = ${c.id}`)).toBe(0);
      expect(topicItem(await customer(c.id), h.topics.otn).list).toBe('not_sent');
      // …and renotify backs off for that customer: the next invitation is refused before Graph, with when.
      const calls = (await h.sb.received()).length;
      const again = await invite(c.id, h.topics.recurring);
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe('optin_limit');
      expect(new Date(again.body.error.details.nextAt).getTime()).toBeGreaterThan(Date.now());
      expect((await h.sb.received()).length).toBe(calls);
    });

    it('551/1545041 customer unreachable: unreachableReason set, later sends refused before Graph', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 551, subcode: 1545041 });
      const r = await reply(c.id, 'hello');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_customer_unreachable');
      const view = await customer(c.id);
      expect(view.customer.unreachableReason).toBeTruthy();
      expect(view.composer).toMatchObject({ mode: 'policy_notice', reason: 'customer_unreachable' });
      const before = (await h.sb.received(c.psid)).length;
      const again = await reply(c.id, 'hello?');
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe('customer_unreachable');
      expect((await h.sb.received(c.psid)).length).toBe(before);
    });

    it('4, 613, 32 rate limited: retried, then it goes (3 calls for 2 faults)', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 4 });
      await h.sb.failNext({ code: 613 });
      const r = await reply(c.id, 'after the rate limit');
      expect(r.status).toBe(201);
      expect(pendingFaults()).toBe(0);
      expect(
        (await h.sb.received(c.psid)).filter((s) => s.message.text === 'after the rate limit'),
      ).toHaveLength(1);
      await h.sb.failNext({ code: 32 });
      expect((await reply(c.id, 'after 32')).status).toBe(201);
    });

    it('1200, 2, 5xx transient: retried with backoff, bounded (4 calls, then 502); one fault → retried and sent', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      await h.sb.failNext({ code: 2, status: 500 }, 10);
      const r = await reply(c.id, 'never');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('graph_transient');
      expect(10 - pendingFaults()).toBe(4); // 1 + 3 retries, then it stops
      await h.sb.resetFaults();
      expect((await h.sb.received(c.psid)).filter((s) => s.message.text === 'never')).toHaveLength(0);

      await h.sb.failNext({ code: 1200 });
      await h.sb.failNext({ code: 1, status: 503 });
      const ok = await reply(c.id, 'eventually');
      expect(ok.status).toBe(201);
      expect(pendingFaults()).toBe(0);
      expect((await h.sb.received(c.psid)).filter((s) => s.message.text === 'eventually')).toHaveLength(1);
    });

    it('10/1893063 page restricted (R11b): the page records why and every further send is refused', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      try {
        await h.sb.failNext({ code: 10, subcode: 1893063 });
        const r = await reply(c.id, 'x');
        expect(r.status).toBe(502);
        expect(r.body.error.code).toBe('graph_page_restricted');
        const page = (await h.api('GET', `/api/pages/${h.pageId}`)).body;
        expect(page.restrictedReason).toMatch(/^page_restricted/);
        const before = (await h.sb.received()).length;
        const again = await reply(c.id, 'y');
        expect(again.status).toBe(422);
        expect(again.body.error.code).toBe('page_restricted');
        expect((await h.sb.received()).length).toBe(before);
      } finally {
        await h.storage.db.updateTable('pages').set({ restricted_reason: null }).execute();
      }
    });

    it('190 page token invalid: the page stops sending and asks to reconnect', async () => {
      const c = await h.newCustomer({ say: 'xin chào' });
      await h.settle();
      try {
        await h.sb.failNext({ code: 190, subcode: 460 }, 2);
        const r = await reply(c.id, 'x');
        expect(r.status).toBe(502);
        expect(r.body.error.code).toBe('graph_page_token_invalid');
        expect(pendingFaults()).toBe(1);
        await h.sb.resetFaults();
        const page = (await h.api('GET', `/api/pages/${h.pageId}`)).body;
        expect(page.restrictedReason).toMatch(/^page_token_invalid/);
        // Issue 12: the page needs the Login flow again, and says so (not a generic restriction).
        expect((await reply(c.id, 'y')).body.error.code).toBe('page_needs_reconnect');
      } finally {
        await h.storage.db
          .updateTable('pages')
          .set({ restricted_reason: null, connection_status: 'connected', connection_reason: null })
          .execute();
      }
    });
  });
});
