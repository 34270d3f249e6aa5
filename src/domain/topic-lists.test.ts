import { describe, expect, it } from 'vitest';
import { topic } from '../../test/support/domain-fixtures.ts';
import type { InvitationState, SubscriptionState, TopicState } from './model.ts';
import { sameTitleUntil, topicListItem, topicLists } from './topic-lists.ts';

const T0 = new Date('2026-03-02T03:00:00Z');
const H = 3_600_000;
const DAY = 24 * H;
const at = (ms: number) => new Date(T0.getTime() + ms);

const otnTopic = (o: Partial<TopicState> = {}) =>
  topic({ kind: 'one_time', name: 'Restock', title: 'Back in stock', frequency: null, ctaText: null, ...o });
function inv(o: Partial<InvitationState> = {}): InvitationState {
  return { id: 1, topicId: 1, title: 'Daily deals', sentAt: T0, acceptedAt: null, status: 'sent', ...o };
}
function sub(o: Partial<SubscriptionState> = {}): SubscriptionState {
  return {
    id: 1,
    topicId: 1,
    kind: 'recurring',
    token: 'tok-1',
    invitationId: 1,
    optedInAt: at(H),
    expiresAt: at(30 * DAY),
    stoppedAt: null,
    usedAt: null,
    frequency: 'DAILY',
    lastSentAt: null,
    nextEligibleAt: null,
    ...o,
  };
}

describe('R4 lists', () => {
  it('R4a: never invited → Not sent, resendable now', () => {
    expect(topicListItem(topic(), [], [], T0)).toMatchObject({
      list: 'not_sent',
      state: 'never_invited',
      resendAfter: null,
      resendableNow: true,
      lastSentAt: null,
    });
  });

  it('R4b: invited, not accepted → Sent, can resend after sent_at + 7 days', () => {
    const item = topicListItem(topic(), [inv()], [], at(2 * DAY));
    expect(item).toMatchObject({
      list: 'sent',
      state: 'invited',
      lastSentAt: T0,
      resendAfter: at(7 * DAY),
      resendableNow: false,
    });
    expect(sameTitleUntil(T0)).toEqual(at(7 * DAY));
  });

  it('R4b: a refused (duplicate) invitation still counts as sent', () => {
    expect(topicListItem(topic(), [inv({ status: 'refused' })], [], at(DAY))).toMatchObject({
      list: 'sent',
      state: 'invited',
      resendableNow: false,
    });
  });

  it('R4e: an invited topic becomes resendable exactly at sent_at + 7 days, not 1 ms before', () => {
    expect(topicListItem(topic(), [inv()], [], at(7 * DAY - 1)).resendableNow).toBe(false);
    expect(topicListItem(topic(), [inv()], [], at(7 * DAY))).toMatchObject({
      list: 'sent',
      state: 'invited',
      resendableNow: true,
    });
  });

  it('R4c: invited and accepted, subscription valid → Sent, can resend after the expiry', () => {
    const item = topicListItem(topic(), [inv({ acceptedAt: at(H) })], [sub()], at(10 * DAY));
    expect(item).toMatchObject({
      list: 'sent',
      state: 'subscribed',
      optedInAt: at(H),
      expiresAt: at(30 * DAY),
      resendAfter: at(30 * DAY),
      resendableNow: false,
    });
  });

  it('R4c: the resend date is never before the 7-day same-title rule', () => {
    const item = topicListItem(
      topic(),
      [inv({ acceptedAt: at(H) })],
      [sub({ expiresAt: at(3 * DAY) })],
      at(DAY),
    );
    expect(item.resendAfter).toEqual(at(7 * DAY));
  });

  it('R4c: stacked OTN tokens, one used → still Sent (subscribed) while one is unused', () => {
    const subs = [
      sub({ id: 1, kind: 'one_time', frequency: null, token: 'a', usedAt: at(2 * H) }),
      sub({ id: 2, kind: 'one_time', frequency: null, token: 'b', expiresAt: at(300 * DAY) }),
    ];
    expect(topicListItem(otnTopic(), [inv({ acceptedAt: at(H) })], subs, at(DAY))).toMatchObject({
      list: 'sent',
      state: 'subscribed',
      expiresAt: at(300 * DAY),
    });
  });

  it('R4c [D]: a stopped subscription is still held → Sent (stopped) until it expires', () => {
    const item = topicListItem(
      topic(),
      [inv({ acceptedAt: at(H) })],
      [sub({ stoppedAt: at(DAY) })],
      at(2 * DAY),
    );
    expect(item).toMatchObject({ list: 'sent', state: 'stopped', resendAfter: at(30 * DAY) });
  });

  it('R4d: subscription expired → back to Not sent, resendable', () => {
    const item = topicListItem(topic(), [inv({ acceptedAt: at(H) })], [sub()], at(30 * DAY));
    expect(item).toMatchObject({
      list: 'not_sent',
      state: 'expired',
      resendAfter: null,
      resendableNow: true,
    });
  });

  it('R4d: an OTN used up → back to Not sent, with the 7-day same-title block still reported', () => {
    const used = sub({ kind: 'one_time', frequency: null, usedAt: at(DAY), expiresAt: at(365 * DAY) });
    const item = topicListItem(otnTopic(), [inv({ acceptedAt: at(H) })], [used], at(2 * DAY));
    expect(item).toMatchObject({
      list: 'not_sent',
      state: 'used',
      resendAfter: at(7 * DAY),
      resendableNow: false,
    });
    const later = topicListItem(otnTopic(), [inv({ acceptedAt: at(H) })], [used], at(7 * DAY));
    expect(later).toMatchObject({ list: 'not_sent', state: 'used', resendAfter: null, resendableNow: true });
  });

  it('R4d: a newer invitation after an OTN was used → Sent (invited) again', () => {
    const used = sub({ kind: 'one_time', frequency: null, usedAt: at(DAY), expiresAt: at(365 * DAY) });
    const invs = [inv({ id: 1, acceptedAt: at(H) }), inv({ id: 2, sentAt: at(8 * DAY) })];
    expect(topicListItem(otnTopic(), invs, [used], at(9 * DAY))).toMatchObject({
      list: 'sent',
      state: 'invited',
      resendAfter: at(15 * DAY),
    });
  });

  it('R4: every active topic is in exactly one list; inactive topics in none; lists sorted by name', () => {
    const topics = [
      topic({ id: 1, name: 'Zeta' }),
      topic({ id: 2, name: 'Alpha', title: 'A' }),
      topic({ id: 3, name: 'Mid', title: 'M' }),
      topic({ id: 4, name: 'Off', title: 'O', active: false }),
      topic({ id: 5, name: 'Beta', title: 'B' }),
    ];
    const invs = [inv({ id: 1, topicId: 1 }), inv({ id: 2, topicId: 3, acceptedAt: at(H), title: 'M' })];
    const subs = [sub({ topicId: 3, invitationId: 2 }), sub({ id: 2, topicId: 4, token: 'x' })];
    const lists = topicLists(topics, invs, subs, at(DAY));
    expect(lists.sent.map((i) => [i.name, i.state])).toEqual([
      ['Mid', 'subscribed'],
      ['Zeta', 'invited'],
    ]);
    expect(lists.notSent.map((i) => [i.name, i.state])).toEqual([
      ['Alpha', 'never_invited'],
      ['Beta', 'never_invited'],
    ]);
    const all = [...lists.sent, ...lists.notSent].map((i) => i.topicId).sort();
    expect(all).toEqual([1, 2, 3, 5]);
  });

  it("R4: another topic's invitations and subscriptions do not move this topic", () => {
    const item = topicListItem(topic({ id: 9 }), [inv({ topicId: 1 })], [sub({ topicId: 1 })], at(DAY));
    expect(item).toMatchObject({ list: 'not_sent', state: 'never_invited' });
  });
});
