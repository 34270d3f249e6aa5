import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  type Frequency,
  isProfile,
  isValidTimeZone,
  nextEligibleAfterSend,
  otnExpiry,
  PROFILE_RULES,
  PROFILES,
  type Profile,
  parseMetaTimestamp,
  recurringAllowedInRegion,
  tokenFrequency,
  VALIDITY_MONTHS,
} from './platform.ts';

const d = (iso: string) => new Date(iso);
const H = 3_600_000;

describe('R8a validity', () => {
  it.each([
    ['DAILY', 6],
    ['WEEKLY', 9],
    ['MONTHLY', 12],
  ] as const)('R8a: default validity of a %s token is %i months', (f, months) => {
    expect(VALIDITY_MONTHS[f]).toBe(months);
  });

  it('R8a: addMonths is calendar months in UTC (Aug 31 + 6 months → Feb 28)', () => {
    expect(addMonths(d('2025-08-31T10:00:00Z'), 6)).toEqual(d('2026-02-28T10:00:00Z'));
    expect(addMonths(d('2026-03-02T03:00:00Z'), 9)).toEqual(d('2026-12-02T03:00:00Z'));
  });

  it.each([
    { id: 'R8a', what: 'seconds (documented)', v: 1_788_000_000, want: d('2026-08-29T10:40:00Z') },
    { id: 'R8a', what: 'milliseconds (in practice)', v: 1_788_000_000_000, want: d('2026-08-29T10:40:00Z') },
    { id: 'R8a', what: 'seconds as a string', v: '1788000000', want: d('2026-08-29T10:40:00Z') },
    { id: 'R8a', what: 'milliseconds as a string', v: '1788000000123', want: d('2026-08-29T10:40:00.123Z') },
    { id: 'R8a', what: 'null', v: null, want: null },
    { id: 'R8a', what: 'undefined', v: undefined, want: null },
    { id: 'R8a', what: 'empty string', v: '', want: null },
    { id: 'R8a', what: 'zero', v: 0, want: null },
    { id: 'R8a', what: 'negative', v: -5, want: null },
    { id: 'R8a', what: 'not a number', v: 'soon', want: null },
  ])('$id: parseMetaTimestamp reads $what', ({ v, want }) => {
    expect(parseMetaTimestamp(v)).toEqual(want);
  });
});

describe('R7a OTN expiry', () => {
  it('R7a: an OTN token expires exactly one year after acceptance', () => {
    expect(otnExpiry(d('2026-03-02T03:00:00Z'))).toEqual(d('2027-03-02T03:00:00Z'));
    expect(otnExpiry(d('2028-02-29T23:59:59.999Z'))).toEqual(d('2029-02-28T23:59:59.999Z'));
    expect(otnExpiry(d('2027-12-31T23:00:00Z'))).toEqual(d('2028-12-31T23:00:00Z'));
  });

  it('R7a: one calendar year in UTC, as luxon counts it, for any instant (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const at = new Date(ms);
        const luxon = DateTime.fromJSDate(at, { zone: 'utc' }).plus({ years: 1 }).toJSDate();
        expect(otnExpiry(at)).toEqual(luxon);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('R8b token frequency and cooldown by profile', () => {
  it.each([
    ['legacy-2022', 'WEEKLY', 'WEEKLY'],
    ['legacy-2022', 'MONTHLY', 'MONTHLY'],
    ['2023', 'WEEKLY', 'DAILY'],
    ['2025', 'MONTHLY', 'DAILY'],
    ['2026', 'WEEKLY', 'DAILY'],
  ] as const)('R8b: under %s a %s topic gives a %s token', (profile, topicF, tokenF) => {
    expect(tokenFrequency(profile, topicF)).toBe(tokenF);
  });

  it('R8b: profiles are exactly the four of platform.md', () => {
    expect([...PROFILES]).toEqual(['legacy-2022', '2023', '2025', '2026']);
    expect(isProfile('2025')).toBe(true);
    expect(isProfile('2024')).toBe(false);
    expect(isProfile(2025)).toBe(false);
  });

  const dailyRows: Array<{ profile: Profile; hours: number }> = [
    { profile: 'legacy-2022', hours: 24 },
    { profile: '2023', hours: 24 },
    { profile: '2025', hours: 48 },
    { profile: '2026', hours: 48 },
  ];
  it.each(dailyRows)('R8b: DAILY cooldown under $profile is a rolling $hours h', ({ profile, hours }) => {
    const sent = d('2026-03-02T03:00:00Z');
    expect(PROFILE_RULES[profile].dailyCooldownHours).toBe(hours);
    expect(nextEligibleAfterSend(profile, 'DAILY', sent, 'Asia/Ho_Chi_Minh')).toEqual(
      new Date(sent.getTime() + hours * H),
    );
  });

  interface CalRow {
    id: string;
    what: string;
    frequency: Frequency;
    zone: string;
    sent: string;
    next: string;
  }
  const calendarRows: CalRow[] = [
    {
      id: 'R8b',
      what: 'WEEKLY, Ho Chi Minh: Sunday 23:30 local → Monday 00:00 local (Sunday 17:00 UTC)',
      frequency: 'WEEKLY',
      zone: 'Asia/Ho_Chi_Minh',
      sent: '2026-03-08T16:30:00Z',
      next: '2026-03-08T17:00:00Z',
    },
    {
      id: 'R8b',
      what: 'WEEKLY, Ho Chi Minh: Monday 00:00 local opens a new week, next is the Monday after',
      frequency: 'WEEKLY',
      zone: 'Asia/Ho_Chi_Minh',
      sent: '2026-03-08T17:00:00Z',
      next: '2026-03-15T17:00:00Z',
    },
    {
      id: 'R8b',
      what: 'WEEKLY, UTC: Monday send → next Monday 00:00',
      frequency: 'WEEKLY',
      zone: 'UTC',
      sent: '2026-03-02T03:00:00Z',
      next: '2026-03-09T00:00:00Z',
    },
    {
      id: 'R8b',
      what: 'WEEKLY, New York across the March DST change: next Monday 00:00 EDT (04:00 UTC)',
      frequency: 'WEEKLY',
      zone: 'America/New_York',
      sent: '2026-03-04T17:00:00Z',
      next: '2026-03-09T04:00:00Z',
    },
    {
      id: 'R8b',
      what: 'WEEKLY, New York: Sunday 23:30 EDT is already Monday in UTC, still the old local week',
      frequency: 'WEEKLY',
      zone: 'America/New_York',
      sent: '2026-03-09T03:30:00Z',
      next: '2026-03-09T04:00:00Z',
    },
    {
      id: 'R8b',
      what: 'WEEKLY, New York across the November DST change: next Monday 00:00 EST (05:00 UTC)',
      frequency: 'WEEKLY',
      zone: 'America/New_York',
      sent: '2026-10-28T16:00:00Z',
      next: '2026-11-02T05:00:00Z',
    },
    {
      id: 'R8b',
      what: 'MONTHLY, UTC: Jan 31 → Feb 1 (calendar month, not "one month later")',
      frequency: 'MONTHLY',
      zone: 'UTC',
      sent: '2026-01-31T10:00:00Z',
      next: '2026-02-01T00:00:00Z',
    },
    {
      id: 'R8b',
      what: 'MONTHLY, Ho Chi Minh: Jan 31 23:00 local → Feb 1 00:00 local (Jan 31 17:00 UTC)',
      frequency: 'MONTHLY',
      zone: 'Asia/Ho_Chi_Minh',
      sent: '2026-01-31T16:00:00Z',
      next: '2026-01-31T17:00:00Z',
    },
    {
      id: 'R8b',
      what: 'MONTHLY, UTC: Feb 1 → Mar 1 (short month)',
      frequency: 'MONTHLY',
      zone: 'UTC',
      sent: '2026-02-01T00:00:00Z',
      next: '2026-03-01T00:00:00Z',
    },
    {
      id: 'R8b',
      what: 'MONTHLY, UTC: Dec 15 → Jan 1 of the next year',
      frequency: 'MONTHLY',
      zone: 'UTC',
      sent: '2026-12-15T12:00:00Z',
      next: '2027-01-01T00:00:00Z',
    },
    {
      id: 'R8b',
      what: 'MONTHLY, New York: Feb 28 22:00 EST is March in UTC, still February locally',
      frequency: 'MONTHLY',
      zone: 'America/New_York',
      sent: '2026-03-01T03:00:00Z',
      next: '2026-03-01T05:00:00Z',
    },
  ];
  it.each(calendarRows)('$id: $what', ({ frequency, zone, sent, next }) => {
    for (const profile of ['legacy-2022', '2025'] as const) {
      expect(nextEligibleAfterSend(profile, frequency, d(sent), zone)).toEqual(d(next));
    }
  });
});

describe('2026 profile region rule', () => {
  it.each([
    ['AU', true],
    ['EU', true],
    ['FR', true],
    ['de', true],
    ['JP', true],
    ['KR', true],
    ['UK', true],
    ['GB', true],
    ['VN', false],
    ['US', false],
    ['CH', false],
    ['', false],
    [null, false],
  ] as const)('R8b: under 2026 recurring in region %s allowed = %s', (region, allowed) => {
    expect(recurringAllowedInRegion('2026', region)).toBe(allowed);
  });

  it.each(['legacy-2022', '2023', '2025'] as const)(
    'R8b: under %s recurring is allowed in any region',
    (p) => {
      expect(recurringAllowedInRegion(p, 'VN')).toBe(true);
      expect(recurringAllowedInRegion(p, null)).toBe(true);
    },
  );

  it('R8b: page time zones are validated', () => {
    expect(isValidTimeZone('Asia/Ho_Chi_Minh')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
