// A campaign's message for one recipient (R9b): personalised text, and URL buttons sent through the
// service's tracked redirect GET /r/:token so a click counts per recipient. The dispatcher builds it;
// the link's signature (channel/tracked-links.ts) is shared with app/campaigns' followLink, which checks it.
import {
  buttonTemplate,
  imageMessage,
  linkToken,
  type OutgoingMessage,
  postbackButton,
  textMessage,
  webUrlButton,
} from '../channel/index.ts';
import { type CampaignContent, type NameFields, personalise, postbackPayload } from '../domain/campaigns.ts';
import { LIMITS } from '../domain/platform.ts';

/** The campaign fields the message needs (a campaigns row has them). */
export interface CampaignForMessage {
  id: number;
  link_secret: string;
  content: unknown;
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
