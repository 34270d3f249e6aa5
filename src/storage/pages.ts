// Workspaces, their pages and settings: the tenancy root. All SQL for these tables lives here.
import type { PageState } from '../domain/model.ts';
import type { Profile } from '../domain/platform.ts';
import type { Executor } from './db.ts';
import type { PageRow } from './schema.ts';
import { decrypt, encrypt } from './secrets.ts';

/** Page tokens and app secrets are encrypted at rest and decrypted only here, on the way out of SQL. */
function readable(row: PageRow): PageRow {
  return { ...row, access_token: decrypt(row.access_token), app_secret: decrypt(row.app_secret) };
}

export function toPageState(row: PageRow): PageState {
  return {
    id: row.id,
    profile: row.profile,
    timeZone: row.time_zone,
    region: row.region,
    optInFeatureEnabled: row.opt_in_feature_enabled,
    restrictedReason: row.restricted_reason,
  };
}

export async function insertWorkspace(db: Executor, name: string, now: Date): Promise<number> {
  const row = await db
    .insertInto('workspaces')
    .values({ name, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The health check's read: the database answers and the schema is there. */
export async function pingWorkspaces(db: Executor): Promise<void> {
  await db.selectFrom('workspaces').select('id').limit(1).execute();
}

export interface NewPage {
  workspaceId: number;
  fbPageId: string;
  name: string;
  profile: Profile;
  timeZone: string;
  region?: string | null;
  optInFeatureEnabled?: boolean;
  accessToken?: string | null;
  appSecret?: string | null;
}

export async function insertPage(db: Executor, p: NewPage, now: Date): Promise<PageRow> {
  return db
    .insertInto('pages')
    .values({
      workspace_id: p.workspaceId,
      fb_page_id: p.fbPageId,
      name: p.name,
      profile: p.profile,
      time_zone: p.timeZone,
      region: p.region ?? null,
      opt_in_feature_enabled: p.optInFeatureEnabled ?? true,
      access_token: encrypt(p.accessToken ?? null),
      app_secret: encrypt(p.appSecret ?? null),
      restricted_reason: null,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .then(readable);
}

export async function findPage(
  db: Executor,
  workspaceId: number,
  pageId: number,
): Promise<PageRow | undefined> {
  return db
    .selectFrom('pages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', pageId)
    .executeTakeFirst()
    .then((r) => r && readable(r));
}

export async function findPageByFbId(db: Executor, fbPageId: string): Promise<PageRow | undefined> {
  const row = await db.selectFrom('pages').selectAll().where('fb_page_id', '=', fbPageId).executeTakeFirst();
  return row && readable(row);
}

/** Several pages at once by Facebook id (the webhook intake's lookup); 10,000 ids a statement. */
export async function findPagesByFbIds(db: Executor, fbPageIds: string[]): Promise<PageRow[]> {
  const out: PageRow[] = [];
  for (let i = 0; i < fbPageIds.length; i += 10_000) {
    const ids = fbPageIds.slice(i, i + 10_000);
    const rows = await db.selectFrom('pages').selectAll().where('fb_page_id', 'in', ids).execute();
    out.push(...rows.map(readable));
  }
  return out;
}

export async function listPages(db: Executor, workspaceId: number): Promise<PageRow[]> {
  const rows = await db
    .selectFrom('pages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
  return rows.map(readable);
}

/** Every page on the 2026 profile, all workspaces (the paid-route sweeps pick theirs by region). */
export async function listPagesOnProfile(db: Executor, profile: PageRow['profile']): Promise<PageRow[]> {
  const rows = await db
    .selectFrom('pages')
    .selectAll()
    .where('profile', '=', profile)
    .orderBy('id')
    .execute();
  return rows.map(readable);
}

/** The oldest page of the installation (the default workspace on a single-shop server). */
export async function firstPage(db: Executor): Promise<PageRow | undefined> {
  const row = await db.selectFrom('pages').selectAll().orderBy('id').limit(1).executeTakeFirst();
  return row && readable(row);
}

export type PagePatch = Partial<
  Pick<
    PageRow,
    | 'name'
    | 'profile'
    | 'time_zone'
    | 'region'
    | 'opt_in_feature_enabled'
    | 'restricted_reason'
    | 'access_token'
    | 'app_secret'
  >
>;

export async function updatePage(
  db: Executor,
  workspaceId: number,
  pageId: number,
  patch: PagePatch,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await db
    .updateTable('pages')
    .set(patch)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', pageId)
    .execute();
}

export async function getSetting<T>(
  db: Executor,
  workspaceId: number,
  pageId: number | null,
  key: string,
): Promise<T | undefined> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('workspace_id', '=', workspaceId)
    .where((eb) => (pageId === null ? eb('page_id', 'is', null) : eb('page_id', '=', pageId)))
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value as T | undefined;
}

export async function putSetting(
  db: Executor,
  workspaceId: number,
  pageId: number | null,
  key: string,
  value: unknown,
  now: Date,
): Promise<void> {
  const json = JSON.stringify(value);
  const updated = await db
    .updateTable('settings')
    .set({ value: json, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where((eb) => (pageId === null ? eb('page_id', 'is', null) : eb('page_id', '=', pageId)))
    .where('key', '=', key)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    await db
      .insertInto('settings')
      .values({ workspace_id: workspaceId, page_id: pageId, key, value: json, updated_at: now })
      .execute();
  }
}
