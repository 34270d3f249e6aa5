// Workspaces, their pages and settings: the tenancy root. All SQL for these tables lives here.
import type { PageState } from '../domain/model.ts';
import type { Profile } from '../domain/platform.ts';
import { type Executor, prepared } from './db.ts';
import type { PageRow } from './schema.ts';
import { decrypt, decryptCached, encrypt } from './secrets.ts';

/** Page tokens and app secrets are encrypted at rest and decrypted only here, on the way out of SQL. */
function readable(row: PageRow): PageRow {
  return opened(row, decrypt);
}

/** `readable` with the decryption given: decryptCached where the same pages are read on every delivery. */
function opened<R extends PageRow>(row: R, open: (c: string | null) => string | null): R {
  return { ...row, access_token: open(row.access_token), app_secret: open(row.app_secret) };
}

export function toPageState(row: PageRow): PageState {
  return {
    id: row.id,
    profile: row.profile,
    timeZone: row.time_zone,
    region: row.region,
    optInFeatureEnabled: row.opt_in_feature_enabled,
    restrictedReason: row.restricted_reason,
    connection: row.connection_status,
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

/**
 * Suspends or resumes a workspace. Suspending also stops its pages sending (the R11b refusal every send
 * path already obeys) unless Meta restricted them first; resuming lifts only that restriction.
 */
export async function setWorkspaceSuspended(
  db: Executor,
  workspaceId: number,
  suspendedAt: Date | null,
): Promise<boolean> {
  const r = await db
    .updateTable('workspaces')
    .set({ suspended_at: suspendedAt })
    .where('id', '=', workspaceId)
    .executeTakeFirst();
  if (suspendedAt) {
    await db
      .updateTable('pages')
      .set({ restricted_reason: WORKSPACE_SUSPENDED })
      .where('workspace_id', '=', workspaceId)
      .where('restricted_reason', 'is', null)
      .execute();
  } else {
    await db
      .updateTable('pages')
      .set({ restricted_reason: null })
      .where('workspace_id', '=', workspaceId)
      .where('restricted_reason', '=', WORKSPACE_SUSPENDED)
      .execute();
  }
  return Number(r.numUpdatedRows) > 0;
}

/** The restriction a suspension puts on a workspace's pages (shown on the home screen as the reason). */
export const WORKSPACE_SUSPENDED = 'workspace_suspended';

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
  /** Set when the page comes through app/page-connections.ts. */
  connectedAt?: Date | null;
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
      connected_at: p.connectedAt ?? null,
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

/** A page as the webhook intake sees it: with its workspace's suspension (issue 12.2). */
/** `secret_ciphertext`: app_secret as stored, which the intake's guarded store compares (webhook-events.ts). */
export type IntakePage = PageRow & { workspace_suspended_at: Date | null; secret_ciphertext: string | null };

// The webhook intake's lookup, once per group of deliveries: prepared.
const pagesByFbIds = prepared<Omit<IntakePage, 'secret_ciphertext'>>(
  'pages_by_fb_ids',
  `SELECT p.*, w.suspended_at AS workspace_suspended_at
   FROM pages p JOIN workspaces w ON w.id = p.workspace_id
   WHERE p.fb_page_id = ANY($1::text[])`,
);

/** Several pages at once by Facebook id (the webhook intake's lookup); 10,000 ids a statement. */
export async function findPagesByFbIds(db: Executor, fbPageIds: string[]): Promise<IntakePage[]> {
  const out: IntakePage[] = [];
  for (let i = 0; i < fbPageIds.length; i += 10_000) {
    const ids = fbPageIds.slice(i, i + 10_000);
    const rows = await pagesByFbIds.run(db, [ids]);
    // Every delivery reads its pages again (a disconnect takes effect at once); their secrets, decrypted
    // once per ciphertext, are not deciphered again.
    for (const r of rows) out.push({ ...opened(r, decryptCached), secret_ciphertext: r.app_secret });
  }
  return out;
}

/** The page row of a Facebook page, locked until the transaction ends (connecting it). */
export async function lockPageByFbId(db: Executor, fbPageId: string): Promise<PageRow | undefined> {
  const row = await db
    .selectFrom('pages')
    .selectAll()
    .where('fb_page_id', '=', fbPageId)
    .forUpdate()
    .executeTakeFirst();
  return row && readable(row);
}

/** Connecting a page again: a new token (encrypted), connected now, no longer disconnected. */
export async function reconnectPage(
  db: Executor,
  pageId: number,
  p: {
    name: string;
    accessToken: string;
    appSecret: string | null;
    profile?: Profile;
    timeZone?: string;
    region?: string | null;
    /** What stays of restricted_reason (a Meta restriction, R11b); a dead token's is cleared. */
    restrictedReason: string | null;
  },
  now: Date,
): Promise<PageRow> {
  return db
    .updateTable('pages')
    .set({
      name: p.name,
      access_token: encrypt(p.accessToken),
      app_secret: encrypt(p.appSecret),
      ...(p.profile !== undefined && { profile: p.profile }),
      ...(p.timeZone !== undefined && { time_zone: p.timeZone }),
      ...(p.region !== undefined && { region: p.region }),
      connected_at: now,
      connection_status: 'connected',
      connection_reason: null,
      restricted_reason: p.restrictedReason,
    })
    .where('id', '=', pageId)
    .returningAll()
    .executeTakeFirstOrThrow()
    .then(readable);
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

/**
 * R12f: Meta answered that OTN is unavailable for the page: closed from the first such answer (a later
 * one keeps the first time and words). Returns true when this call closed it.
 */
export async function closeOtn(db: Executor, pageId: number, reason: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('pages')
    .set({ otn_closed_at: now, otn_closed_reason: reason })
    .where('id', '=', pageId)
    .where('otn_closed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
