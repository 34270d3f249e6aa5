// R9 campaigns: what a campaign may contain and target (R9a/b), its personalisation, and its life
// (R9e): draft → scheduled → running ⇄ paused → completed | cancelled, with automatic pauses for too
// many errors and for a restricted page (R11b). Pure: the app loads a campaign, asks here, saves.
import { DomainError } from './errors.ts';
import { givenName } from './names.ts';
import { LIMITS } from './platform.ts';
import { requireText } from './text.ts';
import { isHttpUrl } from './urls.ts';

export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';

export type CampaignButton =
  | { type: 'postback'; title: string }
  | { type: 'url'; title: string; url: string };

/** R9b: a single image, a text, or a text with up to 3 buttons. */
export type CampaignContent =
  | { type: 'text'; text: string }
  | { type: 'buttons'; text: string; buttons: CampaignButton[] }
  | { type: 'image'; url: string };

/** R9a filters. Every given filter narrows the topic's subscribers (they AND together). */
export interface AudienceFilters {
  /** The customer carries every one of these labels. */
  labels?: string[];
  lastInteractionFrom?: Date;
  lastInteractionTo?: Date;
  /** The customer's subscription on the topic was accepted within this range. */
  optedInFrom?: Date;
  optedInTo?: Date;
  /** customers.attributes[key] equals the value, for every key. */
  attributes?: Record<string, string | number | boolean>;
}

export interface CampaignInput {
  name: string;
  content: CampaignContent;
  audience: AudienceFilters;
  allowDefer: boolean;
}

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*(?:\|([^}]*))?\}\}/g;
export const PLACEHOLDERS = ['first_name', 'last_name', 'name'] as const;

function invalid(message: string, field: string): never {
  throw new DomainError('invalid_campaign', message, { field });
}

function checkText(text: string, max: number, field: string): void {
  requireText(text, field);
  // "{{first_name}}" alone would be blank for a customer without a name: it needs words or a fallback.
  requireText(
    text.replace(PLACEHOLDER, (_m, _k, fallback: string | undefined) => fallback ?? ''),
    field,
  );
  if (text.length > max) invalid(`The message text is longer than ${max} characters.`, field);
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      invalid(
        `Unknown placeholder {{${m[1]}}}: use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
        field,
      );
    }
  }
}

/** R9a/R9b: refuses what Meta would refuse (limits from platform.ts) before anything is stored. */
export function validateCampaign(input: CampaignInput): CampaignInput {
  const name = requireText(input.name, 'name').trim();
  if (name.length > 200) invalid('The campaign name is longer than 200 characters.', 'name');
  const c = input.content;
  if (c.type === 'text') checkText(c.text, LIMITS.textMax, 'content.text');
  else if (c.type === 'buttons') {
    checkText(c.text, LIMITS.buttonTemplateTextMax, 'content.text');
    if (c.buttons.length < 1 || c.buttons.length > LIMITS.buttonsMax)
      invalid(`A text with buttons has 1 to ${LIMITS.buttonsMax} buttons.`, 'content.buttons');
    for (const b of c.buttons) {
      requireText(b.title, 'content.buttons');
      if (b.title.length > LIMITS.buttonTitleMax)
        invalid(`A button title has 1 to ${LIMITS.buttonTitleMax} characters.`, 'content.buttons');
      if (b.type === 'url' && !isHttpUrl(b.url))
        invalid('A URL button needs an http(s) URL.', 'content.buttons');
    }
  } else if (c.type === 'image') {
    if (!isHttpUrl(c.url)) invalid('An image campaign needs an http(s) image URL.', 'content.url');
  } else invalid('Content is a text, a text with buttons, or one image.', 'content.type');
  const a = input.audience;
  const range = (from: Date | undefined, to: Date | undefined, field: string) => {
    if (from && to && from.getTime() > to.getTime()) invalid('A date range ends before it starts.', field);
  };
  range(a.lastInteractionFrom, a.lastInteractionTo, 'audience.lastInteraction');
  range(a.optedInFrom, a.optedInTo, 'audience.optedIn');
  return { ...input, name };
}

export interface NameFields {
  firstName: string | null;
  lastName: string | null;
  name: string | null;
}

/**
 * `{{first_name}}`, `{{last_name}}`, `{{name}}`, each with an optional fallback: `{{first_name|bạn}}`.
 * A missing value with no fallback becomes empty, and the doubled space it leaves is closed up.
 */
export function personalise(template: string, who: NameFields): string {
  const values: Record<string, string | null> = {
    first_name: givenName(who),
    last_name: who.lastName,
    name: who.name ?? ([who.firstName, who.lastName].filter(Boolean).join(' ') || null),
  };
  const out = template.replace(PLACEHOLDER, (_m, key: string, fallback: string | undefined) => {
    const v = values[key]?.trim();
    return v ? v : (fallback ?? '').trim();
  });
  return out.replace(/ {2,}/g, ' ').replace(/ ([,.!?])/g, '$1');
}

/** Postback buttons carry the campaign and the button, so a tap is counted as a click (R10a). */
export function postbackPayload(campaignId: number, button: number): string {
  return `rn:c${campaignId}:b${button}`;
}

export function parsePostbackPayload(payload: string): { campaignId: number; button: number } | null {
  const m = /^rn:c(\d+):b(\d+)$/.exec(payload);
  return m ? { campaignId: Number(m[1]), button: Number(m[2]) } : null;
}

// --- life cycle (R9e) ---------------------------------------------------------------------------

export type PauseReason = 'manual' | 'too_many_errors' | 'page_restricted' | 'page_token_invalid';

export type CampaignCommand =
  | { type: 'start'; at?: Date | null }
  | { type: 'due' }
  | { type: 'pause'; reason: PauseReason }
  | { type: 'resume' }
  | { type: 'cancel' }
  | { type: 'complete' };

export interface CampaignLife {
  status: CampaignStatus;
  scheduledAt: Date | null;
  pauseReason: string | null;
}

export type Transition = { ok: true; next: CampaignLife } | { ok: false; message: string };

const no = (message: string): Transition => ({ ok: false, message });

/**
 * R9e. `start` with a future `at` schedules (a scheduled campaign may be moved or started now);
 * `due` is the clock reaching the schedule; pause/resume only while running/paused; cancel from any
 * unfinished state; `complete` when the dispatcher found nothing left to do.
 */
export function transition(life: CampaignLife, cmd: CampaignCommand, now: Date): Transition {
  const s = life.status;
  switch (cmd.type) {
    case 'start': {
      if (s !== 'draft' && s !== 'scheduled') return no(`A ${s} campaign cannot be started.`);
      if (cmd.at && cmd.at.getTime() > now.getTime())
        return { ok: true, next: { status: 'scheduled', scheduledAt: cmd.at, pauseReason: null } };
      return { ok: true, next: { status: 'running', scheduledAt: life.scheduledAt, pauseReason: null } };
    }
    case 'due':
      if (s !== 'scheduled' || !life.scheduledAt || life.scheduledAt.getTime() > now.getTime())
        return no('The campaign is not due.');
      return { ok: true, next: { ...life, status: 'running' } };
    case 'pause':
      if (s !== 'running') return no(`Only a running campaign can be paused; this one is ${s}.`);
      return { ok: true, next: { ...life, status: 'paused', pauseReason: cmd.reason } };
    case 'resume':
      if (s !== 'paused') return no(`Only a paused campaign can be resumed; this one is ${s}.`);
      return { ok: true, next: { ...life, status: 'running', pauseReason: null } };
    case 'cancel':
      if (s === 'completed' || s === 'cancelled') return no(`The campaign is already ${s}.`);
      return { ok: true, next: { ...life, status: 'cancelled' } };
    case 'complete':
      if (s !== 'running') return no(`Only a running campaign completes; this one is ${s}.`);
      return { ok: true, next: { ...life, status: 'completed', pauseReason: null } };
  }
}

export function isFinished(status: CampaignStatus): boolean {
  return status === 'completed' || status === 'cancelled';
}

/** Time to send `count` messages at the page's rate (R9c's estimate), in seconds, rounded up. */
export function estimatedSeconds(count: number, perSecond: number): number {
  return perSecond > 0 ? Math.ceil(count / perSecond) : 0;
}

/** Stored JSON → filters with dates. */
export function audienceOf(c: { audience: unknown }): AudienceFilters {
  const a = (c.audience ?? {}) as Record<string, unknown>;
  const date = (v: unknown) => (typeof v === 'string' ? new Date(v) : undefined);
  return {
    ...(Array.isArray(a.labels) && { labels: a.labels as string[] }),
    ...(a.attributes && typeof a.attributes === 'object'
      ? { attributes: a.attributes as AudienceFilters['attributes'] }
      : {}),
    ...(date(a.lastInteractionFrom) && { lastInteractionFrom: date(a.lastInteractionFrom) }),
    ...(date(a.lastInteractionTo) && { lastInteractionTo: date(a.lastInteractionTo) }),
    ...(date(a.optedInFrom) && { optedInFrom: date(a.optedInFrom) }),
    ...(date(a.optedInTo) && { optedInTo: date(a.optedInTo) }),
  };
}
