// What Meta allows, per platform profile (../shared/spec/platform.md). Read by the rule engine,
// the Graph client and the sandbox alike, so that all three agree on one table.
import { DateTime } from 'luxon';
import { type Frequency, PROFILES, type Profile } from './options.ts';

// The lists live in options.ts (no luxon there: the console imports them as code).
export { CTA_TEXTS, type CtaText, FREQUENCIES, type Frequency, PROFILES, type Profile } from './options.ts';

export const LIMITS = {
  titleMax: 65,
  textMax: 2000,
  buttonTemplateTextMax: 640,
  buttonsMax: 3,
  buttonTitleMax: 20,
  quickRepliesMax: 13,
  batchMax: 50,
  callsPerSecond: 300,
  /** Meta: one opt-in request with the same title per person per 7 days (R2c). */
  sameTitleOptInDays: 7,
  otnValidityYears: 1,
} as const;

/** The 27 member states of the European Union (ISO 3166-1 alpha-2), as of 2026. */
export const EU_COUNTRIES: ReadonlySet<string> = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' '),
);
/**
 * Regions where recurring notifications survive the 2026 shutdown (R12d) — and, the same five, where
 * Meta's paid marketing messages may not deliver [M26 §1.3]. `EU` itself and every member count as EU;
 * the UK is written UK by Meta and GB by ISO, so both count.
 */
const RECURRING_REGIONS_2026 = new Set(['AU', 'EU', 'JP', 'KR', 'UK', 'GB']);

/** Is the region one of AU, an EU country, JP, KR or UK? */
export function inRecurringRegion(region: string | null | undefined): boolean {
  const r = (region ?? '').toUpperCase();
  return RECURRING_REGIONS_2026.has(r) || EU_COUNTRIES.has(r);
}

export interface ProfileRules {
  /** Does an opt-in carry the chosen frequency (pre-2023), or is every new token DAILY? */
  frequencyOnOptIn: boolean;
  /** Does Meta send a token expiry? If not, the product applies the topic's own validity (R8a). */
  metaExpiry: boolean;
  /** Rolling cooldown of a DAILY token, in hours (R8b). */
  dailyCooldownHours: number;
  /** 2026: recurring sends only in AU/EU/JP/KR/UK. */
  recurringRegionLimited: boolean;
  /** 2026: the only message tag left is HUMAN_AGENT. */
  onlyHumanAgentTag: boolean;
}

export const PROFILE_RULES: Record<Profile, ProfileRules> = {
  'legacy-2022': {
    frequencyOnOptIn: true,
    metaExpiry: true,
    dailyCooldownHours: 24,
    recurringRegionLimited: false,
    onlyHumanAgentTag: false,
  },
  '2023': {
    frequencyOnOptIn: false,
    metaExpiry: false,
    dailyCooldownHours: 24,
    recurringRegionLimited: false,
    onlyHumanAgentTag: false,
  },
  '2025': {
    frequencyOnOptIn: false,
    metaExpiry: false,
    dailyCooldownHours: 48,
    recurringRegionLimited: false,
    onlyHumanAgentTag: false,
  },
  '2026': {
    frequencyOnOptIn: false,
    metaExpiry: false,
    dailyCooldownHours: 48,
    recurringRegionLimited: true,
    onlyHumanAgentTag: true,
  },
};

export function isProfile(v: unknown): v is Profile {
  return typeof v === 'string' && (PROFILES as readonly string[]).includes(v);
}

export function recurringAllowedInRegion(profile: Profile, region: string | null | undefined): boolean {
  if (!PROFILE_RULES[profile].recurringRegionLimited) return true;
  return inRecurringRegion(region);
}

/** The frequency a newly accepted token carries under a profile (R8a/b, platform.md). */
export function tokenFrequency(profile: Profile, topicFrequency: Frequency): Frequency {
  return PROFILE_RULES[profile].frequencyOnOptIn ? topicFrequency : 'DAILY';
}

/** Default validity of a recurring token by frequency: DAILY 6, WEEKLY 9, MONTHLY 12 months (R8a). */
export const VALIDITY_MONTHS: Record<Frequency, number> = { DAILY: 6, WEEKLY: 9, MONTHLY: 12 };

export function addMonths(at: Date, months: number): Date {
  return DateTime.fromJSDate(at, { zone: 'utc' }).plus({ months }).toJSDate();
}

/** OTN tokens are valid one year from acceptance (R7a). */
export function otnExpiry(acceptedAt: Date): Date {
  // Calendar years in UTC, 29 February to the 28th (as luxon's plus). Plain Date arithmetic: this runs
  // for every OTN opt-in, and luxon's took a fifth of the worker's CPU in a burst of them.
  const at = new Date(acceptedAt.getTime());
  const month = at.getUTCMonth();
  at.setUTCFullYear(at.getUTCFullYear() + LIMITS.otnValidityYears);
  if (at.getUTCMonth() !== month) at.setUTCDate(0); // rolled into March: the last day of February
  return at;
}

/**
 * The earliest instant a recurring token may carry its next message after one was sent at `sentAt`
 * (R8b): DAILY is a rolling window (24 h, or 48 h from the 2025 profile on); WEEKLY and MONTHLY are
 * calendar periods (ISO week Mon–Sun, calendar month) in the page's time zone.
 */
export function nextEligibleAfterSend(
  profile: Profile,
  frequency: Frequency,
  sentAt: Date,
  timeZone: string,
): Date {
  if (frequency === 'DAILY') {
    return new Date(sentAt.getTime() + PROFILE_RULES[profile].dailyCooldownHours * 3_600_000);
  }
  const local = DateTime.fromJSDate(sentAt, { zone: timeZone });
  const unit = frequency === 'WEEKLY' ? 'week' : 'month';
  // luxon's startOf('week') is the ISO week, which starts on Monday.
  return local
    .startOf(unit)
    .plus(frequency === 'WEEKLY' ? { weeks: 1 } : { months: 1 })
    .toJSDate();
}

/** `token_expiry_timestamp` is documented as unix time but sent in ms in practice: detect by magnitude. */
export function parseMetaTimestamp(value: number | string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'string' ? Number(value) : value;
  if (!Number.isFinite(n) || n <= 0) return null;
  return new Date(n < 1e11 ? n * 1000 : n);
}

export function isValidTimeZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}
