// Which pages Meta's 2026 products answer for, per the page's profile and region (platform.md "2026:
// the routes that remain"): utility templates and paid marketing messages exist for a `2026` page; an
// older profile models Meta before them (utility: 2025-07-29; the marketing API's GA and its 2026
// unsubscribe/gap features), so its calls get Meta's refusal. Utility templates: Meta's 2026 region
// list is unpublished (the beta began in US, VN, TH, PH), so a knob, every region by default. Paid
// messages: businesses in Meta's list (marketing.ts), never delivered to people in AU/EU/JP/KR/UK [S].
// The error codes are Meta's unpublished ones: knobs with documented defaults (docs/SANDBOX.md).
import type { SandboxCore } from './core.ts';
import { Errors } from './errors.ts';
import type { SimPage } from './types.ts';

/** The five regions where Meta kept recurring notifications and where paid messages may not go [M26 §1.3]. */
const NO_MARKETING_RECIPIENTS = new Set(['AU', 'JP', 'KR', 'UK', 'GB', 'EU']);
const EU = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' '),
);

const has2026Products = (page: SimPage) => page.profile === '2026';

/** Utility templates (create, list, edit, delete, send) on this page, or Meta's refusal. */
export function requireUtility(core: SandboxCore, page: SimPage): void {
  const p = core.state.m2026.policy;
  if (!has2026Products(page)) throw Errors.fromKnob(p.utilityUnavailableError);
  if (p.utilityRegions && !p.utilityRegions.includes(page.region.toUpperCase()))
    throw Errors.fromKnob(p.utilityUnavailableError);
}

/** Paid marketing messages (campaigns, estimates, sends) for this page, or Meta's refusal. */
export function requireMarketing(core: SandboxCore, page: SimPage): void {
  if (!has2026Products(page)) throw Errors.fromKnob(core.state.m2026.policy.marketingUnavailableError);
}

/** A paid message to a person in AU/EU/JP/KR/UK (the page's simulated people live in its region). */
export function requireMarketingRecipient(core: SandboxCore, page: SimPage): void {
  const r = page.region.toUpperCase();
  if (NO_MARKETING_RECIPIENTS.has(r) || EU.has(r))
    throw Errors.fromKnob(core.state.m2026.policy.marketingRecipientRegionError);
}
