// Subscriptions for the pure subscription-rule tests (subscriptions-*.test.ts), with overrides.
import { topic } from '../../../test/support/domain-fixtures.ts';
import type { SubscriptionState, TopicState } from '../model.ts';
import type { decideAcceptance } from '../subscriptions.ts';

export const T0 = new Date('2026-03-02T03:00:00Z'); // a Monday
export const H = 3_600_000;
export const DAY = 24 * H;
export const at = (ms: number) => new Date(T0.getTime() + ms);
export const d = (iso: string) => new Date(iso);

export const otnTopic = (o: Partial<TopicState> = {}) =>
  topic({
    kind: 'one_time',
    name: 'Restock',
    title: 'Tell me when back in stock',
    frequency: null,
    ctaText: null,
    ...o,
  });
export function sub(o: Partial<SubscriptionState> = {}): SubscriptionState {
  return {
    id: 1,
    topicId: 1,
    kind: 'recurring',
    token: 'tok-1',
    invitationId: null,
    optedInAt: T0,
    expiresAt: at(180 * DAY),
    stoppedAt: null,
    usedAt: null,
    frequency: 'DAILY',
    lastSentAt: null,
    nextEligibleAt: null,
    ...o,
  };
}
export const otnSub = (o: Partial<SubscriptionState> = {}) =>
  sub({ kind: 'one_time', frequency: null, expiresAt: d('2027-03-02T03:00:00Z'), ...o });

/** Applies a decision to an in-memory list of rows, as storage would. */
export function apply(
  rows: SubscriptionState[],
  decision: ReturnType<typeof decideAcceptance>,
): SubscriptionState[] {
  if (decision.action === 'insert') return [...rows, { id: rows.length + 1, ...decision.row }];
  if (decision.action === 'update') {
    return rows.map((r) => (r.id === decision.subscriptionId ? { id: r.id, ...decision.row } : r));
  }
  return rows;
}
