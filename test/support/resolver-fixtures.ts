// Plain-data fixtures shared by the send resolver's tests (R1–R8 rows): a clock, tokens, invitations.
import type { InvitationState, SubscriptionState, TopicState } from '../../src/domain/model.ts';
import type { ReasonCode } from '../../src/domain/reasons.ts';
import type { MessageIntent, Resolution } from '../../src/domain/send-resolver.ts';
import { topic } from './domain-fixtures.ts';

export const NOW = new Date('2026-03-02T03:00:00Z');
export const MIN = 60_000;
export const H = 3_600_000;
export const DAY = 24 * H;
export const ago = (ms: number) => new Date(NOW.getTime() - ms);
export const later = (ms: number) => new Date(NOW.getTime() + ms);

export const otnTopic = (o: Partial<TopicState> = {}) =>
  topic({
    id: 2,
    kind: 'one_time',
    name: 'Restock',
    title: 'Back in stock',
    frequency: null,
    ctaText: null,
    ...o,
  });
export function inv(o: Partial<InvitationState> = {}): InvitationState {
  return {
    id: 1,
    topicId: 1,
    title: 'Daily deals',
    sentAt: ago(2 * DAY),
    acceptedAt: null,
    status: 'sent',
    ...o,
  };
}
export function sub(o: Partial<SubscriptionState> = {}): SubscriptionState {
  return {
    id: 1,
    topicId: 1,
    kind: 'recurring',
    token: 'rn-1',
    invitationId: null,
    optedInAt: ago(30 * DAY),
    expiresAt: later(150 * DAY),
    stoppedAt: null,
    usedAt: null,
    frequency: 'DAILY',
    lastSentAt: null,
    nextEligibleAt: null,
    ...o,
  };
}
export const otnSub = (o: Partial<SubscriptionState> = {}) =>
  sub({ id: 2, topicId: 2, kind: 'one_time', token: 'otn-1', frequency: null, ...o });

export const ordinary: MessageIntent = { kind: 'ordinary' };

export function refusal(r: Resolution): { reason: ReasonCode; nextAt: Date | null } | 'ok' {
  return r.ok ? 'ok' : { reason: r.reason, nextAt: r.nextAt };
}
