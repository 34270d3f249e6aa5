// A page's connection to Facebook (issue 12 item 3): connect (or reconnect) with a page token, disconnect,
// and the health check that marks a page "needs reconnect" when Meta says its token or permission is gone.
// `connectPage` is shared with the operator's and the single-page env shortcut's paths (engineer h3).
import { type FacebookApp, facebookLogin as fb, LoginApiError } from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import { isProfile, isValidTimeZone, type Profile } from '../domain/platform.ts';
import { inTransaction } from '../storage/db.ts';
import * as conn from '../storage/page-connections.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow } from '../storage/schema.ts';
import { type AppContext, isUniqueViolation } from './context.ts';

export interface ConnectPageInput {
  fbPageId: string;
  name: string;
  accessToken: string;
  profile: Profile;
  region: string | null;
  timeZone: string;
}

/** The restricted_reason prefix the dispatcher reads as "token invalid" (dispatcher.ts, send-outcomes). */
const RECONNECT_PREFIX = 'page_token_invalid';

const taken = (fbPageId: string) =>
  new DomainError('page_taken', `Page ${fbPageId} is connected to another workspace.`, { fbPageId });

/**
 * Connects the page to the workspace, storing its token encrypted; a page this workspace already has
 * (disconnected or needing reconnect) gets the new token and sends again with its settings and history
 * kept. A page held by another workspace is refused with `page_taken` and nothing changes.
 */
export async function connectPage(
  ctx: AppContext,
  workspaceId: number,
  input: ConnectPageInput,
): Promise<PageRow> {
  if (!isProfile(input.profile)) throw new DomainError('invalid_profile', 'Unknown platform profile.');
  if (!isValidTimeZone(input.timeZone))
    throw new DomainError(
      'invalid_time_zone',
      'The time zone must be an IANA zone such as Asia/Ho_Chi_Minh.',
    );
  const now = ctx.clock.now();
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const existing = await pages.findPageByFbId(tx, input.fbPageId);
      if (existing && existing.workspace_id !== workspaceId) throw taken(input.fbPageId);
      const row =
        existing ??
        (await pages.insertPage(
          tx,
          {
            workspaceId,
            fbPageId: input.fbPageId,
            name: input.name,
            profile: input.profile,
            timeZone: input.timeZone,
            region: input.region,
          },
          now,
        ));
      // A restriction Meta reported for other reasons (R11b) stays; a dead token's does not.
      const keep =
        existing?.restricted_reason &&
        existing.connection_status === 'connected' &&
        !existing.restricted_reason.startsWith(RECONNECT_PREFIX)
          ? existing.restricted_reason
          : null;
      await conn.setConnection(tx, workspaceId, row.id, {
        status: 'connected',
        reason: null,
        restrictedReason: keep,
        accessToken: input.accessToken,
        connectedAt: now,
      });
      if (existing && existing.name !== input.name)
        await pages.updatePage(tx, workspaceId, row.id, { name: input.name });
      return (await pages.findPage(tx, workspaceId, row.id))!;
    });
  } catch (e) {
    // Two workspaces connecting the same page at once: the unique index decides, the loser is told.
    if (isUniqueViolation(e, 'pages_fb_page_id_key')) throw taken(input.fbPageId);
    throw e;
  }
}

/**
 * Unsubscribes the app from the page (best effort: a dead token cannot) and marks the page disconnected.
 * Its customers, conversations and campaigns stay; sends are refused with `page_disconnected`.
 */
export async function disconnectPage(
  ctx: AppContext,
  app: FacebookApp | null,
  workspaceId: number,
  pageId: number,
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
