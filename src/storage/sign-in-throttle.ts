// The sign-in throttle's counters (policy in domain/sign-in-throttle.ts). Counting is one UPSERT …
// RETURNING over the three keys, before the password is checked: concurrent attempts each get their
// own number, so none can slip past the limit while another is still hashing. The rows are always
// locked in the same order (account, address, pair), so concurrent upserts cannot deadlock.
import { sql } from 'kysely';
import type { ThrottleCount, ThrottleKeys } from '../domain/sign-in-throttle.ts';
import type { Executor } from './db.ts';

/** Counts one attempt on each key (a counter whose window has ended starts a new one). */
export async function countAttempt(
  db: Executor,
  keys: ThrottleKeys,
  now: Date,
  windowMs: number,
): Promise<ThrottleCount[]> {
  const ended = new Date(now.getTime() - windowMs);
  const stale = sql<boolean>`sign_in_throttle.window_start <= ${ended}::timestamptz`;
  const rows = await db
    .insertInto('sign_in_throttle')
    .values([keys.account, keys.address, keys.pair].map((key) => ({ key, attempts: 1, window_start: now })))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        attempts: sql<number>`CASE WHEN ${stale} THEN 1 ELSE sign_in_throttle.attempts + 1 END`,
        window_start: sql<Date>`CASE WHEN ${stale} THEN ${now}::timestamptz ELSE sign_in_throttle.window_start END`,
      }),
    )
    .returning(['key', 'attempts', 'window_start', 'last_success'])
    .execute();
  return rows.map((r) => ({
    key: r.key,
    attempts: r.attempts,
    windowStart: r.window_start,
    lastSuccess: r.last_success,
  }));
}

/**
 * A successful sign-in: the pair starts afresh and becomes known; the account gets its attempt back. The
 * address does not: else one valid account, signed into between guesses, would refund an address's
 * budget for trying many other accounts.
 */
export async function recordSuccess(db: Executor, keys: ThrottleKeys, now: Date): Promise<void> {
  await db
    .updateTable('sign_in_throttle')
    .set({
      attempts: sql<number>`CASE WHEN key = ${keys.pair} THEN 0 ELSE greatest(attempts - 1, 0) END`,
      last_success: sql<Date>`CASE WHEN key = ${keys.pair} THEN ${now}::timestamptz ELSE last_success END`,
    })
    .where('key', 'in', [keys.account, keys.pair])
    .execute();
}

/**
 * Forgets counters whose window has ended, except pairs still known (signed in within knownMs). Rows a
 * sign-in holds are skipped, not waited for, so the sweep never deadlocks with a sign-in.
 */
export async function pruneThrottle(
  db: Executor,
  now: Date,
  windowMs: number,
  knownMs: number,
): Promise<void> {
  const ended = new Date(now.getTime() - windowMs);
  const forgotten = new Date(now.getTime() - knownMs);
  await sql`
    DELETE FROM sign_in_throttle WHERE key IN (
      SELECT key FROM sign_in_throttle
      WHERE window_start <= ${ended}::timestamptz
        AND (last_success IS NULL OR last_success <= ${forgotten}::timestamptz)
      ORDER BY key
      FOR UPDATE SKIP LOCKED)`.execute(db);
}
