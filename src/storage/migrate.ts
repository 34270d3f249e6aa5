// Schema migrations: numbered plain-SQL files (`001_init.sql`, …) applied in order by Kysely's Migrator,
// each in a transaction. On PostgreSQL, an index a pending migration adds to a table that already holds
// many rows is built first with CREATE INDEX CONCURRENTLY, outside the migration's transaction: a plain
// CREATE INDEX would block every write to the table (customers, subscriptions, webhook_events) for as
// long as the build takes, on a running installation that is being upgraded.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * The session advisory lock of an upgrade with indexes to build, per schema (test suites migrate many
 * schemas of one database at once); Kysely's own migration lock is another.
 */
const UPGRADE_LOCK = sql`hashtext('renotify online upgrade ' || current_schema())`;

/**
 * Tables whose rows take at least this much space get their new indexes built online (the size, not
 * PostgreSQL's row estimate: a table never analysed has none). Smaller ones build in well under a second.
 */
const ONLINE_INDEX_MIN_BYTES = 8 * 1024 * 1024;

async function migrationTexts(): Promise<Map<string, string>> {
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const out = new Map<string, string>();
  for (const file of files)
    out.set(file.replace(/\.sql$/, ''), await fs.readFile(path.join(MIGRATIONS_DIR, file), 'utf8'));
  return out;
}

class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly texts: Map<string, string>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, text] of this.texts)
      out[name] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    return out;
  }
}

/**
 * The indexes a migration may have built online before it runs: its `CREATE INDEX IF NOT EXISTS` on a
 * table (IF NOT EXISTS is the opt-in: the migration then finds the index built and goes on).
 */
export function onlineIndexes(text: string): Array<{ name: string; table: string; rest: string }> {
  const found: Array<{ name: string; table: string; rest: string }> = [];
  const withoutComments = text.replace(/--[^\n]*/g, '');
  for (const m of withoutComments.matchAll(
    /CREATE\s+INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)\s+ON\s+(\w+)\s+([^;]+);/gi,
  ))
    found.push({ name: m[1]!, table: m[2]!, rest: m[3]!.trim() });
  return found;
}

export interface MigrateOptions {
  /** Kysely's bookkeeping schema when it is not the default one. */
  schema?: string | undefined;
  /** PostgreSQL (not PGlite, a single session with nothing to block): build big tables' indexes online. */
  online?: boolean;
  /** Smaller tables take their indexes inside the migration (tests set 0 to force online). */
  onlineMinBytes?: number;
}

export async function migrate(db: Kysely<unknown>, opts: MigrateOptions = {}): Promise<void> {
  const texts = await migrationTexts();
  // Kysely looks its bookkeeping tables up by schema: name ours when it is not the default one.
  const migrator = new Migrator({
    db,
    provider: new SqlFileMigrationProvider(texts),
    ...(opts.schema && { migrationTableSchema: opts.schema }),
    // Numbers are reserved per piece of work, so a new file may sort before one already applied (034
    // after 039): apply it too rather than refuse to start.
    allowUnorderedMigrations: true,
  });
  const minBytes = opts.onlineMinBytes ?? ONLINE_INDEX_MIN_BYTES;
  const pending = async () => (await migrator.getMigrations()).filter((m) => !m.executedAt);
  const indexesOf = (name: string) => onlineIndexes(texts.get(name) ?? '');
  const big = async (ix: { table: string }) => (await tableBytes(db, ix.table)) >= minBytes;
  // PGlite, or no pending migration with an index to build: all at once, as Kysely does.
  if (!opts.online || !(await pending()).some((m) => indexesOf(m.name).length > 0))
    return check(await migrator.migrateToLatest());
  // Decided under the lock, where no other process is upgrading: two processes that judged a table
  // differently (one online, one not) would deadlock, one's plain CREATE INDEX waiting on the other's
  // concurrent build, which waits for the first's transaction.
  await holdingUpgradeLock(db, async () => {
    let online = false;
    for (const m of await pending()) for (const ix of indexesOf(m.name)) online ||= await big(ix);
    // A fresh database or nothing big to index.
    if (!online) return check(await migrator.migrateToLatest());
    // One step at a time, so an index on a column an earlier pending migration adds can be built online
    // once that migration has run. Always up by one (migrateUp), never "to" a name: Kysely's migrateTo an
    // applied migration migrates *down* to it.
    for (;;) {
      const [next] = await pending();
      if (!next) return;
      for (const ix of indexesOf(next.name)) if (await big(ix)) await buildOnline(db, ix);
      check(await migrator.migrateUp());
    }
  });
}

/**
 * One process at a time upgrades online (the others find nothing left when their turn comes). The lock
 * is polled, never waited on: a session waiting on a lock holds a snapshot, and CREATE INDEX CONCURRENTLY
 * waits for every older snapshot — the holder's build and the waiter would deadlock, as would a build
 * and another process's migration transaction on the same table.
 */
async function holdingUpgradeLock(db: Kysely<unknown>, fn: () => Promise<void>): Promise<void> {
  await db.connection().execute(async (conn) => {
    const since = Date.now();
    let told = 0;
    for (;;) {
      const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${UPGRADE_LOCK}) AS ok`.execute(
        conn,
      );
      if (rows[0]?.ok) break;
      // Said once after 10 s, then every minute: a stuck upgrade elsewhere holds every start here.
      const waited = Date.now() - since;
      if (waited >= 10_000 + told * 60_000) {
        told++;
        console.warn(
          `[migrate] waiting ${Math.round(waited / 1000)} s for another process to finish upgrading this schema (an advisory lock: pg_locks)`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    try {
      await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(${UPGRADE_LOCK})`.execute(conn);
    }
  });
}

function check(r: Awaited<ReturnType<Migrator['migrateToLatest']>>): void {
  if (!r.error) return;
  const failed = r.results?.find((x) => x.status === 'Error')?.migrationName;
  throw new Error(`migration ${failed ?? '?'} failed: ${(r.error as Error).message ?? String(r.error)}`);
}

/** The space a table's rows take, in the current schema (0 when it does not exist yet). */
async function tableBytes(db: Kysely<unknown>, table: string): Promise<number> {
  const { rows } = await sql<{
    n: number | null;
  }>`SELECT pg_relation_size(to_regclass(${table}))::float8 AS n`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * CREATE INDEX CONCURRENTLY on a connection of its own, outside any transaction (under the upgrade lock).
 * A build that failed before leaves an invalid index under the name, which IF NOT EXISTS would take for
 * done: it is dropped first, and after a failure here too. A failed build is tried once more (another
 * session's deadlock or cancel); then the migration builds the index itself, holding writes meanwhile.
 */
async function buildOnline(db: Kysely<unknown>, ix: { name: string; table: string; rest: string }) {
  await db.connection().execute(async (conn) => {
    // A role's statement timeout would cancel every try (and the fallback) on every start.
    await sql`SET statement_timeout = 0`.execute(conn);
    try {
      await buildOnce(conn, ix);
    } finally {
      await sql`RESET statement_timeout`.execute(conn);
    }
  });
}

/** Tried twice (another session's deadlock or cancel), an invalid leftover dropped before and after. */
async function buildOnce(conn: Kysely<unknown>, ix: { name: string; table: string; rest: string }) {
  const dropInvalid = async () => {
    const { rows } = await sql<{ valid: boolean }>`SELECT i.indisvalid AS valid FROM pg_index i
      WHERE i.indexrelid = to_regclass(${ix.name})`.execute(conn);
    if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(ix.name)}`.execute(conn);
  };
  for (let attempt = 1; ; attempt++) {
    await dropInvalid();
    try {
      await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(ix.name)} ON ${sql.id(ix.table)} ${sql.raw(ix.rest)}`.execute(
        conn,
      );
      return;
    } catch (e) {
      await dropInvalid();
      const why = (e as Error).message;
      if (attempt < 2) {
        console.warn(`[migrate] building ${ix.name} online failed (${why}); trying again`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      console.error(
        `[migrate] ${ix.name} could not be built online (${why}): the migration builds it, and writes to ${ix.table} wait until it is done`,
      );
      return;
    }
  }
}
