// Tracked links of campaign URL buttons: GET /r/:token, signed per campaign so a click counts per
// recipient and a forged token is refused. Here because both sides need it: the dispatcher signs
// (dispatcher/content.ts) and app/campaigns' followLink checks.
import { createHmac } from 'node:crypto';

/** The signature part of a link token (followLink checks it in constant time). */
export function linkSignature(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url').slice(0, 22);
}

/** URL buttons go through GET /r/:token, signed per campaign, so a click is counted per recipient. */
export function linkToken(
  c: { id: number; link_secret: string },
  deliveryId: number,
  button: number,
): string {
  const body = `${c.id}.${deliveryId}.${button}`;
  return `${body}.${linkSignature(c.link_secret, body)}`;
}
