// Arbitraries and a small model of local calendars for the property tests (properties-*.test.ts).
import fc from 'fast-check';
import type { CustomerState, PageState, SenderKind, TopicKind, TopicState } from '../model.ts';
import { type Frequency, PROFILES, type Profile } from '../platform.ts';

export const T0 = new Date('2026-03-02T03:00:00Z').getTime();
export const H = 3_600_000;
export const DAY = 24 * H;
export const FAR = new Date('2035-01-01T00:00:00Z');

export const ZONES = [
  'UTC',
  'Asia/Ho_Chi_Minh',
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kathmandu',
  'America/Sao_Paulo',
  'America/Santiago',
  'Asia/Tehran',
  'Pacific/Chatham',
] as const;

export const senderArb = fc.constantFrom<SenderKind>('bot', 'agent', 'campaign');
export const profileArb = fc.constantFrom<Profile>(...PROFILES);
export const frequencyArb = fc.constantFrom<Frequency>('DAILY', 'WEEKLY', 'MONTHLY');

export function page(o: Partial<PageState> = {}): PageState {
  return {
    id: 1,
    profile: 'legacy-2022',
    timeZone: 'UTC',
    region: 'JP',
    optInFeatureEnabled: true,
    restrictedReason: null,
    ...o,
  };
}
export const customer = (lastInteractionAt: Date | null): CustomerState => ({
  id: 1,
  psid: 'psid-1',
  lastInteractionAt,
  unreachableReason: null,
});
export function topic(id: number, kind: TopicKind, active = true): TopicState {
  return {
    id,
    name: `Topic ${id}`,
    kind,
    title: `Title ${id}`,
    active,
    frequency: kind === 'recurring' ? 'DAILY' : null,
    ctaText: kind === 'recurring' ? 'GET_UPDATES' : null,
    imageUrl: null,
    validityMonths: null,
  };
}

// --- Independent calendar oracle (Intl, not luxon) for R8b ------------------------------------------
export const formatters = new Map<string, Intl.DateTimeFormat>();
export function localDate(t: Date, zone: string): { y: number; m: number; d: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day) };
}
/** Day number (since epoch) of the Monday of t's local ISO week. */
export function weekKey(t: Date, zone: string): number {
  const { y, m, d } = localDate(t, zone);
  const day = Date.UTC(y, m - 1, d) / DAY;
  const dow = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  return day - dow;
}
export function monthKey(t: Date, zone: string): number {
  const { y, m } = localDate(t, zone);
  return y * 12 + m;
}
export const DAILY_HOURS: Record<Profile, number> = { 'legacy-2022': 24, '2023': 24, '2025': 48, '2026': 48 };
/** R8b, stated independently: may a token last used at `sent` carry a message at `t`? */
export function cooldownOver(profile: Profile, f: Frequency, zone: string, sent: Date, t: Date): boolean {
  if (f === 'DAILY') return t.getTime() - sent.getTime() >= DAILY_HOURS[profile] * H;
  if (f === 'WEEKLY') return weekKey(t, zone) !== weekKey(sent, zone);
  return monthKey(t, zone) !== monthKey(sent, zone);
}
