// Meta's webhook verification handshake (GET /webhooks/messenger): the route hands the query over and
// answers the challenge, or 403 when this returns null. The check itself is the channel's.
import { verifyChallenge as channelVerifyChallenge } from '../channel/index.ts';

/** The hub.challenge to echo when hub.mode is subscribe and hub.verify_token matches, else null. */
export function verifyChallenge(query: Record<string, unknown>, verifyToken: string): string | null {
  return channelVerifyChallenge(query, verifyToken);
}
