// Plain-data fixtures for the pure rule tests: a page, a customer, a topic, with overrides.
import type { CustomerState, PageState, TopicState } from '../../src/domain/model.ts';

export function page(o: Partial<PageState> = {}): PageState {
  return {
    id: 1,
    profile: 'legacy-2022',
    timeZone: 'Asia/Ho_Chi_Minh',
    region: 'VN',
    optInFeatureEnabled: true,
    restrictedReason: null,
    ...o,
  };
}

export function customer(lastInteractionAt: Date | null, o: Partial<CustomerState> = {}): CustomerState {
  return { id: 1, psid: 'psid-1', lastInteractionAt, unreachableReason: null, ...o };
}

/** A recurring DAILY topic by default. */
export function topic(o: Partial<TopicState> = {}): TopicState {
  return {
    id: 1,
    name: 'Deals',
    kind: 'recurring',
    title: 'Daily deals',
    active: true,
    frequency: 'DAILY',
    ctaText: 'GET_UPDATES',
    imageUrl: null,
    validityMonths: null,
    ...o,
  };
}
