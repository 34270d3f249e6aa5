// The option lists the service validates against and the console offers in its pickers. The console
// imports this module as code (web/src/api.ts), so it imports nothing, luxon included: adding a platform
// profile, a role, a frequency or a CTA text here reaches the API schemas and the console at once
// (test/console-lists.test.ts checks the console's labels cover every entry).

/** Meta's rule sets, oldest first (../shared/spec/platform.md). */
export const PROFILES = ['legacy-2022', '2023', '2025', '2026'] as const;
export type Profile = (typeof PROFILES)[number];

export const FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** The recurring opt-in button's text as Meta names it (R5a). */
export const CTA_TEXTS = ['ALLOW', 'GET', 'GET_UPDATES', 'OPT_IN', 'SIGN_UP'] as const;
export type CtaText = (typeof CTA_TEXTS)[number];

export const TRIGGER_KINDS = [
  'get_started',
  'keyword_exact',
  'keyword_contains',
  'postback',
  'quick_reply',
  'default',
] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** Least to most: owner ⊇ admin ⊇ agent. */
export const ROLES = ['agent', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (x: unknown): x is Role => (ROLES as readonly unknown[]).includes(x);

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
