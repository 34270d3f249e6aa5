// The storage backends a suite runs on: PGlite always; PostgreSQL when DATABASE_URL is set (CI sets
// it). The same tests run on both — `describe.each(BACKENDS)` — each with a fresh schema.
import { randomBytes } from 'node:crypto';
import { type OpenOptions, openStorage, type Storage } from '../../src/storage/db.ts';

export type Backend = 'pglite' | 'postgres';

const url = process.env.DATABASE_URL;
export const BACKENDS: Backend[] = url ? ['pglite', 'postgres'] : ['pglite'];

let warned = false;
if (!url && !warned) {
  warned = true;
  console.log('[renotify tests] DATABASE_URL is not set: skipping the PostgreSQL run (PGlite only).');
}

export function hasPostgres(): boolean {
  return Boolean(url);
}

/** A fresh, migrated database: an in-memory PGlite, or a new schema on the PostgreSQL server. */
export async function openTestStorage(backend: Backend, extra: Partial<OpenOptions> = {}): Promise<Storage> {
  if (backend === 'pglite') return openStorage({ dataDir: 'memory://', ...extra });
  if (!url) throw new Error('DATABASE_URL is required for the postgres backend');
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const storage = await openStorage({ databaseUrl: url, schema, ...extra });
  const close = storage.close.bind(storage);
  storage.close = async () => {
    await close();
    // Drop the schema over a separate short-lived connection so tests leave nothing behind.
    const admin = await openStorage({ databaseUrl: url, migrate: false, poolSize: 1 });
    await admin.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await admin.close();
  };
  return storage;
}
