// Sign-in behind the throttle (policy: domain/sign-in-throttle.ts; docs/SECURITY.md). The attempt is
// counted before the password is hashed, so concurrent guesses cannot all be evaluated; a success
// refunds it and makes the address known to the account.
import { decide, SIGN_IN_LIMITS, type SignInLimits, throttleKeys } from '../domain/sign-in-throttle.ts';
import { countAttempt, pruneThrottle, recordSuccess } from '../storage/sign-in-throttle.ts';
import { type SessionInfo, signIn } from './accounts.ts';
import type { AppContext } from './context.ts';

export type SignInOutcome =
  | { kind: 'signed_in'; token: string; session: SessionInfo }
  | { kind: 'refused' }
  | { kind: 'blocked'; retryAt: Date; retryAfterS: number };

export async function attemptSignIn(
  ctx: AppContext,
  input: { email: string; password: string; clientAddress: string },
  limits: SignInLimits = SIGN_IN_LIMITS,
): Promise<SignInOutcome> {
  const keys = throttleKeys(input.email, input.clientAddress);
  const now = ctx.clock.now();
  const decision = decide(keys, await countAttempt(ctx.db, keys, now, limits.windowMs), now, limits);
  if (!decision.allowed) {
    return { kind: 'blocked', retryAt: decision.retryAt, retryAfterS: decision.retryAfterS };
  }
  const result = await signIn(ctx, input.email, input.password);
  if (!result) return { kind: 'refused' };
  await recordSuccess(ctx.db, keys, ctx.clock.now());
  return { kind: 'signed_in', ...result };
}

/** The periodic sweep: counters of ended windows are forgotten (known addresses kept). */
export async function forgetSignInAttempts(ctx: AppContext, limits: SignInLimits = SIGN_IN_LIMITS) {
  await pruneThrottle(ctx.db, ctx.clock.now(), limits.windowMs, limits.knownMs);
}
