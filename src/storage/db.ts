// One executor over either backend: Kysely + PostgresDialect over a `pg.Pool`, which talks to a
// PostgreSQL server (DATABASE_URL) or, by default, to embedded PGlite through its node-postgres
// adapter. Same SQL, same migrations, same type parsing on both.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import {
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  sql,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import type { Database } from './schema.ts';

// int8 (count(*), bigint ids) as numbers: our values stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Storage {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The embedded instance, when there is one (pg-boss and tests reach it). */
  pglite: PGlite | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… selects a PostgreSQL server; otherwise PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` for an in-memory database. */
  dataDir?: string | undefined;
  /** PostgreSQL schema to use (created if missing); tests get a fresh one each. */
  schema?: string | undefined;
  poolSize?: number;
  migrate?: boolean;
}

export async function openStorage(opts: OpenOptions = {}): Promise<Storage> {
  let pool: pg.Pool;
  let pglite: PGlite | null = null;
  let unlock = async () => {};
  if (opts.databaseUrl) {
    pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    if (opts.schema) {
      const c = await pool.connect();
      try {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(opts.schema)}`);
      } finally {
        c.release();
      }
    }
  } else {
    const dataDir = opts.dataDir ?? 'memory://';
    if (!dataDir.startsWith('memory://')) {
      await fs.mkdir(dataDir, { recursive: true });
      unlock = await lockDataDir(dataDir);
    }
    // Smaller buffers and WAL keep the embedded database light on a small machine.
    try {
      pglite = await PGlite.create({
        dataDir,
        postgresqlconf: ['shared_buffers=32MB', 'max_wal_size=256MB', 'min_wal_size=32MB'],
      });
    } catch (e) {
      await unlock();
      throw e;
    }
    // PGlite is a single session: one pooled connection, so a transaction holds it and others wait.
    pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 } as pg.PoolConfig);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const storage: Storage = {
    db,
    kind: opts.databaseUrl ? 'postgres' : 'pglite',
    pglite,
    async close() {
      await db.destroy();
      if (pglite && !pglite.closed) await pglite.close();
      await unlock();
    },
  };
  if (opts.migrate !== false) await migrate(db, opts.schema);
  return storage;
}

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Numbered plain-SQL files (`001_init.sql`, …), applied in order by Kysely's Migrator. */
class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
    const out: Record<string, Migration> = {};
    for (const file of files) {
      const text = await fs.readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      out[file.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
    return out;
  }
}

export async function migrate(db: Db, schema?: string): Promise<void> {
  // Kysely looks its bookkeeping tables up by schema: name ours when it is not the default one.
  const migrator = new Migrator({
    db,
    provider: new SqlFileMigrationProvider(),
    ...(schema && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '?'} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** Run `fn` in one transaction; reuse the caller's transaction when given one. */
export async function inTransaction<T>(exec: Executor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (exec.isTransaction) return fn(exec as Tx);
  return (exec as Db).transaction().execute(fn);
}
