// Bounds on the bodies of the public /api routes (sign-in, sign-up, invitation acceptance; issue 9,
// item 6). Like a webhook's, their body is read before anyone is authenticated, so anyone can make the
// server hold one: under the server-wide 1 MB limit and with no time limit, slow never-finished bodies
// held up to 1 MB each for as long as the client liked. What these routes take is a few hundred bytes.
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/** An email, a name, a password and a token fit many times over. */
export const PUBLIC_BODY_LIMIT = 16 * 1024;
/** A body this small that has not arrived in 10 s is not coming from a person signing in. */
export const PUBLIC_BODY_TIMEOUT_MS = 10_000;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** onRequest: drops the connection if the body is not received in time (no answer can be written then). */
function dropSlowBody(timeoutMs: number) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const timer = setTimeout(() => req.raw.destroy(), timeoutMs);
    timer.unref();
    req.raw.once('end', () => clearTimeout(timer));
    reply.raw.once('close', () => clearTimeout(timer));
  };
}

/**
 * For the onRoute hook: a public route that takes a body gets the small limit (unless it declares its
 * own) and the time limit, so a route added later is bounded without anyone remembering to.
 */
export function boundPublicBody(route: RouteOptions, timeoutMs = PUBLIC_BODY_TIMEOUT_MS): void {
  if (![route.method].flat().some((m) => BODY_METHODS.has(m))) return;
  route.bodyLimit ??= PUBLIC_BODY_LIMIT;
  route.onRequest = [dropSlowBody(timeoutMs), ...[route.onRequest ?? []].flat()];
}
