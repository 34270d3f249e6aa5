// A campaign's message for one recipient (R9b): personalised text, and URL buttons sent through the
// service's tracked redirect GET /r/:token so a click counts per recipient. Here, not in app/, because
// both the campaign use-cases (link checks) and the dispatcher (sending) need it.
import { createHmac } from 'node:crypto';
import { type CampaignContent, type NameFields, personalise, postbackPayload } from '../domain/campaigns.ts';
import { LIMITS } from '../domain/platform.ts';
import {
  buttonTemplate,
  imageMessage,
  type OutgoingMessage,
  postbackButton,
  textMessage,
  webUrlButton,
} from './messages.ts';

/** The campaign fields the message needs (a campaigns row has them). */
export interface CampaignForMessage {
  id: number;
  link_secret: string;
  content: unknown;
}

/** The signature part of a link token (followLink checks it in constant time). */
export function linkSignature(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url').slice(0, 22);
}

/** URL buttons go through GET /r/:token, signed per campaign, so a click is counted per recipient. */
export function linkToken(
  c: Pick<CampaignForMessage, 'id' | 'link_secret'>,
  deliveryId: number,
  button: number,
): string {
  const body = `${c.id}.${deliveryId}.${button}`;
  return `${body}.${linkSignature(c.link_secret, body)}`;
}

/** The campaign's message for one recipient: personalised (R9b), buttons tracked. */
export function campaignMessage(
  c: CampaignForMessage,
  who: NameFields,
  deliveryId: number,
  publicUrl: string,
): OutgoingMessage {
  const content = c.content as CampaignContent;
  if (content.type === 'image') return imageMessage(content.url);
  const text = personalise(content.text, who);
  if (content.type === 'text') return textMessage(text.slice(0, LIMITS.textMax));
  return buttonTemplate(
    text.slice(0, LIMITS.buttonTemplateTextMax),
    content.buttons.map((b, i) =>
      b.type === 'postback'
        ? postbackButton(b.title, postbackPayload(c.id, i))
        : webUrlButton(b.title, `${publicUrl.replace(/\/+$/, '')}/r/${linkToken(c, deliveryId, i)}`),
    ),
  );
}
