// What every use-case needs: the database and the injected clock.
import type { Clock } from '../domain/model.ts';
import type { Db } from '../storage/db.ts';

export interface AppContext {
  db: Db;
  clock: Clock;
}

/** Postgres unique_violation, raised by a concurrent insert that lost a race to a unique index. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string } | null;
  return err?.code === '23505' && (constraint === undefined || err.constraint === constraint);
}
