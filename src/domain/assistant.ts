// The chat assistant (Trợ lý chat): triggers and the blocks they answer with, including the OTN request
// block "+OTNR" and the recurring opt-in block (S1 step 2, S0). Which trigger answers an event is pure.
import { DomainError } from './errors.ts';
import { TRIGGER_KINDS, type TriggerKind } from './options.ts';
import { CTA_TEXTS, type CtaText, LIMITS } from './platform.ts';
import { requireText } from './text.ts';

export { TRIGGER_KINDS, type TriggerKind } from './options.ts';

/** Meta's Get Started button sends this postback payload by convention. */
export const GET_STARTED_PAYLOAD = 'GET_STARTED';

export type Block =
  | { type: 'text'; text: string; quickReplies?: Array<{ title: string; payload: string }> }
  | { type: 'image'; url: string }
  | {
      type: 'buttons';
      text: string;
      buttons: Array<
        { type: 'postback'; title: string; payload: string } | { type: 'web_url'; title: string; url: string }
      >;
    }
  /** "+OTNR": description (≤ 65, the card's title), topic; the "Notify me" label is fixed by Meta. */
  | { type: 'otn_request'; topicId: number; description: string }
  /** Recurring opt-in: the topic's card; title, image and button label default to the topic's own. */
  | { type: 'recurring_optin'; topicId: number; title?: string; imageUrl?: string; ctaText?: CtaText };

export interface Trigger {
  id: number;
  kind: TriggerKind;
  value: string | null;
  active: boolean;
  position: number;
}

const fail = (message: string): never => {
  throw new DomainError('validation_failed', message);
};

function nonEmpty(v: unknown, what: string, max: number): string {
  if (typeof v !== 'string' || v === '') return fail(`${what} is required.`);
  requireText(v, what);
  if ([...v].length > max) return fail(`${what} is at most ${max} characters.`);
  return v;
}

/** Validates blocks against Meta's limits; topic existence and kinds are checked by the caller. */
export function validateBlocks(input: unknown): Block[] {
  if (!Array.isArray(input) || input.length === 0) return fail('A trigger answers with at least one block.');
  if (input.length > 10) return fail('A trigger answers with at most 10 blocks.');
  return input.map((raw, i): Block => {
    const b = (raw ?? {}) as Record<string, unknown>;
    const where = `Block ${i + 1}`;
    switch (b.type) {
      case 'text': {
        const text = nonEmpty(b.text, `${where}: the text`, LIMITS.textMax);
        const qr = b.quickReplies;
        if (qr === undefined) return { type: 'text', text };
        if (!Array.isArray(qr) || qr.length > LIMITS.quickRepliesMax) {
          return fail(`${where}: at most ${LIMITS.quickRepliesMax} quick replies.`);
        }
        return {
          type: 'text',
          text,
          quickReplies: qr.map((q: Record<string, unknown>) => ({
            title: nonEmpty(q?.title, `${where}: a quick reply title`, LIMITS.buttonTitleMax),
            payload: nonEmpty(q?.payload, `${where}: a quick reply payload`, 1000),
          })),
        };
      }
      case 'image':
        if (typeof b.url !== 'string' || !/^https?:\/\/\S+$/.test(b.url))
          return fail(`${where}: the image needs an http(s) URL.`);
        return { type: 'image', url: b.url };
      case 'buttons': {
        const text = nonEmpty(b.text, `${where}: the text`, LIMITS.buttonTemplateTextMax);
        const buttons = b.buttons;
        if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > LIMITS.buttonsMax) {
          return fail(`${where}: 1 to ${LIMITS.buttonsMax} buttons.`);
        }
        return {
          type: 'buttons',
          text,
          buttons: buttons.map((x: Record<string, unknown>) => {
            const title = nonEmpty(x?.title, `${where}: a button title`, LIMITS.buttonTitleMax);
            if (x?.type === 'web_url') {
              if (typeof x.url !== 'string' || !/^https?:\/\/\S+$/.test(x.url))
                return fail(`${where}: a link button needs a URL.`);
              return { type: 'web_url' as const, title, url: x.url };
            }
            return {
              type: 'postback' as const,
              title,
              payload: nonEmpty(x?.payload, `${where}: a button payload`, 1000),
            };
          }),
        };
      }
      case 'otn_request':
        if (!Number.isInteger(b.topicId)) return fail(`${where}: choose an OTN topic.`);
        return {
          type: 'otn_request',
          topicId: b.topicId as number,
          description: nonEmpty(b.description, `${where}: the description`, LIMITS.titleMax),
        };
      case 'recurring_optin': {
        if (!Number.isInteger(b.topicId)) return fail(`${where}: choose a recurring topic.`);
        const out: Block = { type: 'recurring_optin', topicId: b.topicId as number };
        if (b.title !== undefined) out.title = nonEmpty(b.title, `${where}: the title`, LIMITS.titleMax);
        if (b.imageUrl !== undefined) {
          if (typeof b.imageUrl !== 'string' || !/^https?:\/\/\S+$/.test(b.imageUrl))
            return fail(`${where}: the image needs an http(s) URL.`);
          out.imageUrl = b.imageUrl;
        }
        if (b.ctaText !== undefined) {
          if (!(CTA_TEXTS as readonly unknown[]).includes(b.ctaText))
            return fail(`${where}: the button label is one of ${CTA_TEXTS.join(', ')}.`);
          out.ctaText = b.ctaText as CtaText;
        }
        return out;
      }
      default:
        return fail(`${where}: unknown block type "${String(b.type)}".`);
    }
  });
}

export function validateTrigger(kind: unknown, value: unknown): { kind: TriggerKind; value: string | null } {
  if (!(TRIGGER_KINDS as readonly unknown[]).includes(kind))
    return fail(`The trigger kind is one of ${TRIGGER_KINDS.join(', ')}.`);
  const k = kind as TriggerKind;
  if (k === 'default' || k === 'get_started') return { kind: k, value: null };
  return { kind: k, value: nonEmpty(value, 'The trigger value', 1000).trim() };
}

export type InboundForAssistant =
  | { kind: 'text'; text: string }
  | { kind: 'postback'; payload: string }
  | { kind: 'quick_reply'; payload: string };

const norm = (s: string) => s.trim().toLocaleLowerCase('vi');

/**
 * Which trigger answers: payloads first (Get Started, postback, quick reply), then an exact keyword,
 * then a contained keyword, then the default reply — the default answers free text only.
 */
export function matchTrigger<T extends Trigger>(
  triggers: readonly T[],
  inbound: InboundForAssistant,
): T | null {
  const live = [...triggers].filter((t) => t.active).sort((a, b) => a.position - b.position || a.id - b.id);
  if (inbound.kind === 'postback') {
    if (inbound.payload === GET_STARTED_PAYLOAD) {
      const gs = live.find((t) => t.kind === 'get_started');
      if (gs) return gs;
    }
    return live.find((t) => t.kind === 'postback' && t.value === inbound.payload) ?? null;
  }
  if (inbound.kind === 'quick_reply') {
    const byPayload = live.find((t) => t.kind === 'quick_reply' && t.value === inbound.payload);
    if (byPayload) return byPayload;
    return null;
  }
  const text = norm(inbound.text);
  return (
    live.find((t) => t.kind === 'keyword_exact' && t.value !== null && norm(t.value) === text) ??
    live.find((t) => t.kind === 'keyword_contains' && t.value !== null && text.includes(norm(t.value))) ??
    live.find((t) => t.kind === 'default') ??
    null
  );
}
