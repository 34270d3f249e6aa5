// One executor over either backend: Kysely + PostgresDialect over a `pg.Pool`, which talks to a
// PostgreSQL server (DATABASE_URL) or, by default, to embedded PGlite through its node-postgres
// adapter. Same SQL, same migrations, same type parsing on both.
import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import {
  CompiledQuery,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { migrate } from './migrate.ts';
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
  /** Why the database cannot be reached right now, or null when a query goes through (for /healthz). */
  problem(timeoutMs?: number): Promise<string | null>;
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
  /** A lost connection (the server restarted, a pooler killed it); default: logged. */
  onConnectionError?: (e: Error) => void;
  /** Send the hot statements (`prepared()`) as named statements; default true (false: to measure the gain). */
  prepare?: boolean;
}

/** Hot statements' texts → their names; every pool client sends these texts as named statements. */
const preparedNames = new Map<string, string>();

export interface Prepared<R> {
  readonly name: string;
  readonly text: string;
  run(exec: Executor, params: readonly unknown[]): Promise<R[]>;
}

/**
 * JSON for a json / jsonb parameter. A lone surrogate in a string (a webhook's JSON may escape one: a
 * truncated emoji) becomes U+FFFD, as a text parameter's UTF-8 encoding makes it; PostgreSQL refuses the
 * escape, and the event carrying it would fail every time it is applied.
 */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value);
  // JSON.stringify writes a lone surrogate as a \udXXX escape and a pair as itself; without such an
  // escape (the rule), no second pass with a replacer (several times slower).
  if (!/\\ud[89a-f]/i.test(text)) return text;
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? (v as string & { toWellFormed(): string }).toWellFormed() : v,
  );
}

/**
 * A hot statement, parsed and planned once per connection (a pg named statement) instead of once per
 * call, and run without Kysely compiling anything. Its text is fixed; only `params` vary.
 */
export function prepared<R>(name: string, text: string): Prepared<R> {
  const known = preparedNames.get(text);
  if (known !== undefined && known !== name) throw new Error(`statement ${name} repeats ${known}`);
  for (const [t, n] of preparedNames)
    if (n === name && t !== text) throw new Error(`two statements named ${name}`);
  preparedNames.set(text, name);
  return {
    name,
    text,
    async run(exec, params) {
      return (await exec.executeQuery(CompiledQuery.raw(text, [...params]))).rows as R[];
    },
  };
}

/**
 * A hot statement whose text only a library knows (pg-boss's job insert): prepared under a name derived
 * from the text the first time it is seen. Single statements only; a bounded number of texts.
 */
export function prepareText(prefix: string, text: string): void {
  if (preparedNames.has(text) || preparedNames.size >= 1000 || text.trim().replace(/;$/, '').includes(';'))
    return;
  preparedNames.set(text, `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`);
}

/**
 * Kysely calls `client.query(text, values)`: a registered text goes out as `{ name, text, values }`.
 * A migration (by a newer process) that changes a table under a prepared `*` makes PostgreSQL refuse
 * that statement for the connection's life ("cached plan must not change result type"): it is then
 * prepared again under a new name — retried at once outside a transaction; inside one the transaction
 * is already aborted, and its own retry gets the new statement.
 */
function sendPreparedByName(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const renamed = new Map<string, string>();
  let renames = 0;
  (client as { query: unknown }).query = (config: unknown, values?: unknown, cb?: unknown) => {
    const name = typeof config === 'string' ? preparedNames.get(config) : undefined;
    if (name === undefined) return cb === undefined ? query(config, values) : query(config, values, cb);
    const send = () => query({ name: renamed.get(name) ?? name, text: config, values });
    return send().catch((e: unknown) => {
      if (!planChanged(e)) throw e;
      renamed.set(name, `${name}_r${++renames}`);
      if ((client as { getTransactionStatus?(): string | null }).getTransactionStatus?.() !== 'I') throw e;
      return send();
    });
  };
}

function planChanged(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return err?.code === '0A000' && typeof err.message === 'string' && err.message.includes('cached plan');
}

/**
 * Errors that mean the connection or the server went away (not that the statement was wrong): the
 * work can be tried again once the database is back. SQLSTATE classes 08 (connection exception) and
 * 57P0x (admin/crash shutdown, cannot connect now), socket errors, and pg's own messages.
 */
export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  if (/^08|^57P0[1-4]$/.test(code)) return true;
  if (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)) return true;
  const msg = typeof err?.message === 'string' ? err.message : '';
  return /Connection terminated|not queryable|connection error|timeout exceeded when trying to connect/i.test(
    msg,
  );
}

export async function openStorage(opts: OpenOptions = {}): Promise<Storage> {
  let pool: pg.Pool;
  let pglite: PGlite | null = null;
  let lock: DataDirLock | null = null;
  if (opts.databaseUrl) {
    pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      // A server that is away must fail a query (and /healthz) in bounded time, not queue it forever.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // Before any connection is opened (the schema's below), or that first client would never prepare.
    if (opts.prepare !== false) pool.on('connect', sendPreparedByName);
    // A terminated backend (restart, failover, a pooler's idle kill) makes its client emit 'error': on
    // the pool while idle, on the client itself while checked out. Unheard, either ends the process.
    // The pool drops that client and opens a new one for the next query; the query in flight fails
    // and its caller retries (dispatcher, queue) or answers 5xx (HTTP, and Meta redelivers webhooks).
    const onError =
      opts.onConnectionError ?? ((e: Error) => console.error('[db] connection lost:', e.message));
    pool.on('error', onError);
    pool.on('connect', (client) => client.on('error', onError));
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
    // Before PGlite touches the files: a second process on the same directory is refused (issue 9.3).
    if (!dataDir.startsWith('memory://')) lock = await lockDataDir(dataDir);
    // Smaller buffers and WAL keep the embedded database light on a small machine.
    try {
      pglite = await PGlite.create({
        dataDir,
        postgresqlconf: ['shared_buffers=32MB', 'max_wal_size=256MB', 'min_wal_size=32MB'],
      });
    } catch (e) {
      await lock?.release();
      throw e;
    }
    // PGlite is a single session: one pooled connection, so a transaction holds it and others wait.
    pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 } as pg.PoolConfig);
    // PGlite's adapter speaks the extended protocol (parse / bind / execute), so both backends prepare.
    if (opts.prepare !== false) pool.on('connect', sendPreparedByName);
  }
  const db = new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool }) });
  const storage: Storage = {
    db,
    kind: opts.databaseUrl ? 'postgres' : 'pglite',
    pglite,
    // PGlite's one connection may be held by a long transaction for a while: busy is not away.
    async problem(timeoutMs = opts.databaseUrl ? 3000 : 15_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`database: no answer within ${timeoutMs} ms`), timeoutMs);
      });
      const probe = sql`select 1`.execute(db).then(
        () => null,
        (e: Error) => `database: ${e.message || (e as { code?: string }).code || String(e)}`,
      );
      try {
        return await Promise.race([probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await db.destroy();
      if (pglite && !pglite.closed) await pglite.close();
      await lock?.release();
    },
  };
  if (opts.migrate !== false)
    await migrate(db as unknown as Kysely<unknown>, {
      schema: opts.schema,
      // The online path holds two connections at once (its lock, and a migration or an index build).
      online: !!opts.databaseUrl && (opts.poolSize ?? 10) >= 2,
    });
  return storage;
}

/**
 * Kysely's stock introspector (which its Migrator uses to find its bookkeeping tables) reads every
 * schema in the database and calls has_schema_privilege()/pg_get_serial_sequence() by name on each. Two
 * things go wrong with that on a shared server: a schema another client drops at that instant fails our
 * migration ("schema … does not exist"), and a `kysely_migration` table in some other schema of the
 * same database counts as ours. This one looks only at our own schema (the first on the search_path),
 * by oid, through plain catalog joins.
 */
class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const rows = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(
      this.db,
    );
    return rows.rows.map((r) => ({ name: r.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const rows = await sql<{
      schema: string;
      table: string;
      kind: string;
      column: string | null;
      type: string | null;
      not_null: boolean | null;
      has_default: boolean | null;
    }>`
      select ns.nspname as schema, c.relname as table, c.relkind as kind, a.attname as column,
             t.typname as type, a.attnotnull as not_null, a.atthasdef as has_default
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
        left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        left join pg_catalog.pg_type t on t.oid = a.atttypid
       where ns.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
       order by c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, TableMetadata>();
    for (const r of rows.rows) {
      let table = tables.get(r.table);
      if (!table) {
        table = { name: r.table, schema: r.schema, isView: r.kind === 'v', columns: [] };
        tables.set(r.table, table);
      }
      if (r.column) {
        table.columns.push({
          name: r.column,
          dataType: r.type ?? '',
          isNullable: !r.not_null,
          hasDefaultValue: Boolean(r.has_default),
          isAutoIncrementing: false,
        });
      }
    }
    return [...tables.values()];
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

/**
 * Runs `fn` again while it fails because the database connection went away, for up to `forMs`, with a
 * growing pause (0.1 s … 2 s). For work whose result must not be dropped — a campaign batch already
 * sent to Meta — and that is safe to repeat (its writes are conditional on still holding the claim).
 */
export async function retryOnConnectionLoss<T>(fn: () => Promise<T>, forMs: number): Promise<T> {
  const until = Date.now() + forMs;
  for (let pause = 100; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await fn();
    } catch (e) {
      if (!isConnectionError(e) || Date.now() + pause > until) throw e;
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/** Run `fn` in one transaction; reuse the caller's transaction when given one. */
export async function inTransaction<T>(exec: Executor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (exec.isTransaction) return fn(exec as Tx);
  return (exec as Db).transaction().execute(fn);
}
