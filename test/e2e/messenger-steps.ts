// What the Messenger end-to-end suites (messenger*.test.ts) share: the demo's card titles, the page's
// local Monday, and steps through the service's API and the sandbox, over the suite's harness.
import { sql } from 'kysely';
import { expect } from 'vitest';
import { type Harness, waitFor } from './harness.ts';

export const RECURRING_TITLE = 'Ưu đãi mỗi tuần từ Cửa hàng demo';
export const OTN_TITLE = 'Báo cho tôi khi có sản phẩm mới';
export const HCM_OFFSET_MS = 7 * 3_600_000; // Asia/Ho_Chi_Minh is UTC+7 all year (no DST)

/** Monday 00:00 in Ho Chi Minh City after `at` — computed here independently of src/domain. */
export function nextMondayHcm(at: Date): Date {
  const local = new Date(at.getTime() + HCM_OFFSET_MS);
  const dow = local.getUTCDay(); // 0 = Sunday
  const days = (8 - dow) % 7 || 7;
  const midnightLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days);
  return new Date(midnightLocal - HCM_OFFSET_MS);
}

/** The suite's harness, set in its beforeAll (the steps read it when called). */
export interface HarnessRef {
  h: Harness;
}

export function messengerSteps(ref: HarnessRef) {
  /** A customer who asked for offers (the bot answered with both cards) and tapped the card titled `title`. */
  async function optedIn(title: string) {
    const c = await ref.h.newCustomer({ say: 'khuyến mãi', locale: 'vi_VN' });
    await waitFor(
      async () => (await ref.h.sb.thread(c.psid)).items.some((i) => i.optInCard?.title === title),
      {
        what: `the "${title}" card in the thread`,
      },
    );
    await ref.h.settle();
    const tap = await ref.h.sb.optinLatest(c.psid, title);
    await ref.h.settle();
    return { ...c, token: tap.token! };
  }

  const customer = async (id: number) => {
    const r = await ref.h.api('GET', `/api/customers/${id}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const topicItem = (body: any, topicId: number) =>
    [...body.topics.sent, ...body.topics.notSent].find((t: any) => t.topicId === topicId);
  const notify = (id: number, topicId: number, text: string) =>
    ref.h.api('POST', `/api/customers/${id}/notifications`, { topicId, text });
  const reply = (id: number, text: string) => ref.h.api('POST', `/api/customers/${id}/messages`, { text });
  const invite = (id: number, topicId: number) =>
    ref.h.api('POST', `/api/customers/${id}/invitations`, { topicId });
  const consent = async (customerId: number) =>
    (
      await sql<{ event: string; at: Date; topic_id: number }>`
        SELECT event, at, topic_id FROM consent_history WHERE customer_id = ${customerId} ORDER BY id`.execute(
        ref.h.storage.db,
      )
    ).rows;
  const subscription = async (customerId: number, topicId: number) =>
    ref.h.storage.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('topic_id', '=', topicId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
  /** One-shot faults not yet consumed: each Send API call attempt takes one. */
  const pendingFaults = () => ref.h.rt.sandbox!.faults.pendingOneShots();
  return { optedIn, customer, topicItem, notify, reply, invite, consent, subscription, pendingFaults };
}
