// Connecting a Facebook page to a workspace: the one code path for every way a page arrives — the
// console's "Kết nối Fanpage" flow (Facebook Login, issue 12.3) and the single-page environment
// shortcut (FB_PAGE_ID + FB_PAGE_ACCESS_TOKEN, runtime.ts). A page belongs to one workspace at a time.
import { type FacebookApp, facebookLogin as fb, LoginApiError } from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import { isProfile, isValidTimeZone, type Profile } from '../domain/platform.ts';
import { inTransaction } from '../storage/db.ts';
import * as conn from '../storage/page-connections.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow } from '../storage/schema.ts';
import { type AppContext, isUniqueViolation } from './context.ts';

export interface PageConnection {
  /** Facebook's page id (digits on Meta; the sandbox's ids are digits too). */
  fbPageId: string;
  name: string;
  /** The page access token; stored encrypted (storage/secrets.ts), never returned by the API. */
  accessToken: string;
  /** Platform rules the page runs under; a new page defaults to 2026 (Meta's current rules). */
  profile?: Profile;
  region?: string | null;
  timeZone?: string;
  /**
   * Only for pages signed by an app other than the deployment's (the sandbox's demo pages): the
   * deployment's FB_APP_SECRET applies when null (app/webhook-intake.ts `webhookSecretFor`).
   */
  appSecret?: string | null;
}

export interface ConnectResult {
  page: PageRow;
  /** false when the workspace had the page already (a reconnect: new token, history kept). */
  created: boolean;
}

const FB_ID = /^[0-9]{1,30}$/;

function check(c: PageConnection): void {
  if (typeof c.fbPageId !== 'string' || !FB_ID.test(c.fbPageId)) {
    throw new DomainError('validation_failed', 'A Facebook page id is 1 to 30 digits.');
  }
  if (typeof c.name !== 'string' || !c.name.trim() || c.name.length > 200) {
    throw new DomainError('validation_failed', "The page's name is 1 to 200 characters.");
  }
  if (typeof c.accessToken !== 'string' || !c.accessToken || c.accessToken.length > 2000) {
    throw new DomainError('validation_failed', 'A page access token is required.');
  }
  if (c.profile !== undefined && !isProfile(c.profile)) {
    throw new DomainError('invalid_profile', 'The platform profile is one of legacy-2022, 2023, 2025, 2026.');
  }
  if (c.timeZone !== undefined && !isValidTimeZone(c.timeZone)) {
    throw new DomainError(
      'invalid_time_zone',
      'The time zone must be an IANA zone such as Asia/Ho_Chi_Minh.',
    );
  }
  if (c.region !== undefined && c.region !== null && !/^[A-Z]{2}$/.test(c.region)) {
    throw new DomainError('validation_failed', 'A region is a two-letter country code such as VN.');
  }
}

const taken = (fbPageId: string) =>
  new DomainError('page_taken', `Page ${fbPageId} is connected to another workspace.`, { fbPageId });

/** The restricted_reason prefix the dispatcher reads as "token invalid" (dispatcher.ts, send-outcomes). */
const RECONNECT_PREFIX = 'page_token_invalid';

/**
 * Connects (or reconnects) a page to the workspace: a new page is created, a page the workspace already
 * has gets the new token and is connected again with its history; a page another workspace holds —
 * connected or disconnected, since its history stays there — is refused with `page_taken`.
 */
export async function connectPage(
  ctx: AppContext,
  workspaceId: number,
  c: PageConnection,
): Promise<ConnectResult> {
  check(c);
  const now = ctx.clock.now();
  const name = c.name.trim();
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const existing = await pages.lockPageByFbId(tx, c.fbPageId);
      if (existing && existing.workspace_id !== workspaceId) throw taken(c.fbPageId);
      if (existing) {
        // A restriction Meta reported for other reasons (R11b) stays; a dead token's or a disconnect's does not.
        const keep =
          existing.restricted_reason &&
          existing.connection_status === 'connected' &&
          !existing.restricted_reason.startsWith(RECONNECT_PREFIX)
            ? existing.restricted_reason
            : null;
        const page = await pages.reconnectPage(
          tx,
          existing.id,
          {
            name,
            accessToken: c.accessToken,
            appSecret: c.appSecret ?? null,
            profile: c.profile,
            timeZone: c.timeZone,
            region: c.region,
            restrictedReason: keep,
          },
          now,
        );
        return { page, created: false };
      }
      const page = await pages.insertPage(
        tx,
        {
          workspaceId,
          fbPageId: c.fbPageId,
          name,
          profile: c.profile ?? '2026',
          timeZone: c.timeZone ?? 'Asia/Ho_Chi_Minh',
          region: c.region ?? null,
          accessToken: c.accessToken,
          appSecret: c.appSecret ?? null,
          connectedAt: now,
        },
        now,
      );
      return { page, created: true };
    });
  } catch (e) {
    // Two workspaces connecting the same new page at once: the unique key lets one in.
    if (isUniqueViolation(e, 'pages_fb_page_id_key')) throw taken(c.fbPageId);
    throw e;
  }
}

/**
 * Unsubscribes the app from the page (best effort: a dead token cannot) and marks the page disconnected.
 * Its customers, conversations and campaigns stay; sends are refused with `page_disconnected`.
 */
export async function disconnectPage(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  app: FacebookApp | null = null,
): Promise<{ page: PageRow; unsubscribed: boolean }> {
  const page = await pages.findPage(ctx.db, workspaceId, pageId);
  if (!page) throw new DomainError('page_not_found', `No page ${pageId} in this workspace.`);
  let unsubscribed = false;
  if (app && page.access_token) {
    unsubscribed = await fb.unsubscribeApp(app, page.fb_page_id, page.access_token).then(
      () => true,
      (e: unknown) => {
        if (e instanceof LoginApiError) return false;
        throw e;
      },
    );
  }
  await conn.setConnection(ctx.db, workspaceId, pageId, {
    status: 'disconnected',
    reason: 'page_disconnected',
    restrictedReason: 'page_disconnected',
    accessToken: null,
  });
  return { page: (await pages.findPage(ctx.db, workspaceId, pageId))!, unsubscribed };
}

/** The page stops sending until the owner runs the Login flow again; `reason` is Meta's words. */
export async function markNeedsReconnect(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  reason: string,
): Promise<void> {
  const text = `${RECONNECT_PREFIX}: ${reason}`.slice(0, 500);
  await conn.setConnection(ctx.db, workspaceId, pageId, {
    status: 'needs_reconnect',
    reason: text,
    restrictedReason: text,
  });
}

/** Permissions a connected page cannot work without (sending, and the webhook subscription). */
const REQUIRED_SCOPES = ['pages_messaging', 'pages_manage_metadata'] as const;

/**
 * One health round (the `page-health` job): `debug_token` for every connected page; an invalid token or
 * a missing permission marks the page needs_reconnect. Answers what it found, page by page.
 */
export async function checkPageHealth(
  ctx: AppContext,
  app: FacebookApp,
): Promise<Array<{ pageId: number; ok: boolean; reason: string | null }>> {
  const out: Array<{ pageId: number; ok: boolean; reason: string | null }> = [];
  for (const page of await conn.listConnectedPages(ctx.db)) {
    let reason: string | null = null;
    try {
      const d = await fb.debugToken(app, page.access_token ?? '');
      if (!d.isValid)
        reason = d.error
          ? `(#${d.error.code}/${d.error.subcode ?? '-'}) ${d.error.message}`
          : 'token invalid';
      else {
        const missing = REQUIRED_SCOPES.find(
          (s) => !d.scopes.includes(s) || (d.targets[s] && !d.targets[s]!.includes(page.fb_page_id)),
        );
        if (missing) reason = `missing permission ${missing}`;
      }
    } catch (e) {
      // 190 on the call itself (the token cannot even be read) is the same verdict; anything else
      // (network, Meta down) says nothing about the page: try again next round.
      if (e instanceof LoginApiError && e.code === 190) reason = e.message;
      else {
        out.push({ pageId: page.id, ok: true, reason: null });
        continue;
      }
    }
    if (reason) await markNeedsReconnect(ctx, page.workspace_id, page.id, reason);
    await conn.markHealthChecked(ctx.db, page.id, ctx.clock.now());
    out.push({ pageId: page.id, ok: reason === null, reason });
  }
  return out;
}

/**
 * The operator's door (`renotify pages disconnect`): a page of any workspace, named by Facebook's id;
 * the same unsubscribe and disconnect as the console's route.
 */
export async function disconnectPageByFbId(
  ctx: AppContext,
  fbPageId: string,
  app: FacebookApp | null,
): Promise<{ page: PageRow; unsubscribed: boolean }> {
  const page = await pages.findPageByFbId(ctx.db, fbPageId);
  if (!page) throw new DomainError('page_not_found', `No page ${fbPageId} on this deployment.`);
  return disconnectPage(ctx, page.workspace_id, page.id, app);
}
