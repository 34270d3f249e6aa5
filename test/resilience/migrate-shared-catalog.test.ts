// Migrations on a PostgreSQL database that other clients share: a schema dropped by someone else while
// we migrate, and another schema's bookkeeping table, are none of our business (CI flake, session 3).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/db.ts';
import { hasPostgres } from '../support/backends.ts';

const url = process.env.DATABASE_URL;

describe.skipIf(!hasPostgres())('migrations in a shared PostgreSQL database', () => {
  it('a migration is not failed by other clients creating and dropping schemas at the same time', async () => {
    const churn = await openStorage({ databaseUrl: url, migrate: false, poolSize: 4 });
    const ours: string[] = [];
    let stop = false;
    // Four clients create a schema with a few tables and drop it again, as parallel test files do.
    const churners = [0, 1, 2, 3].map(async (n) => {
      for (let i = 0; !stop; i++) {
        const s = `churn_${n}_${i}_${randomBytes(3).toString('hex')}`;
        await sql
          .raw(`create schema ${s}; create table ${s}.a (id serial primary key, v text);
          create table ${s}.b (id bigserial primary key); create table ${s}.kysely_migration (name text)`)
          .execute(churn.db);
        await sql.raw(`drop schema ${s} cascade`).execute(churn.db);
      }
    });
    try {
      for (let i = 0; i < 12; i++) {
        const schema = `t_mig_${randomBytes(4).toString('hex')}`;
        ours.push(schema);
        const storage = await openStorage({ databaseUrl: url, schema, poolSize: 1 });
        const tables = await sql<{ n: number }>`
          select count(*)::int as n from pg_tables where schemaname = ${schema}`.execute(storage.db);
        expect(tables.rows[0]!.n).toBeGreaterThan(10);
        await storage.close();
      }
    } finally {
      stop = true;
      await Promise.all(churners);
      for (const s of ours) await sql.raw(`drop schema if exists ${s} cascade`).execute(churn.db);
      await churn.close();
    }
  }, 120_000);

  it("another schema's kysely_migration table does not make the default schema look migrated", async () => {
    // A deployment without a schema migrates into the database's default one (public); another
    // application's Kysely bookkeeping in a schema of its own must not count as ours.
    const admin = await openStorage({ databaseUrl: url, migrate: false, poolSize: 1 });
    const dbName = `renotify_t_${randomBytes(4).toString('hex')}`;
    await sql.raw(`create database ${dbName}`).execute(admin.db);
    const dbUrl = new URL(url!);
    dbUrl.pathname = `/${dbName}`;
    try {
      const other = await openStorage({ databaseUrl: dbUrl.toString(), migrate: false, poolSize: 1 });
      await sql
        .raw(`create schema other_app; create table other_app.kysely_migration (name varchar(255) primary key,
        timestamp varchar(255) not null); create table other_app.kysely_migration_lock (id varchar(255) primary key,
        is_locked integer not null default 0)`)
        .execute(other.db);
      await other.close();
      const storage = await openStorage({ databaseUrl: dbUrl.toString(), poolSize: 1 });
      const applied = await sql<{
        n: number;
      }>`select count(*)::int as n from public.kysely_migration`.execute(storage.db);
      expect(applied.rows[0]!.n).toBeGreaterThan(5);
      const topics = await sql<{ n: number }>`select count(*)::int as n from public.topics`.execute(
        storage.db,
      );
      expect(topics.rows[0]!.n).toBe(0);
      await storage.close();
    } finally {
      await sql.raw(`drop database if exists ${dbName} with (force)`).execute(admin.db);
      await admin.close();
    }
  });
});
