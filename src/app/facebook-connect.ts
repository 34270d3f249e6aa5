// "Kết nối Fanpage" (issue 12 item 3): the Facebook Login round trip. Start stores a single-use, expiring
// `state` nonce (kept only as its keyed HMAC) for the owner's session and sends them to the dialog; the
// callback takes the state once, exchanges the code for a long-lived user token and keeps the pages
// `/me/accounts` lists (encrypted) as an offer; the same session then ticks pages and connects them.
// The callback cannot rely on the session cookie (SameSite=strict is not sent on Facebook's cross-site
// redirect); the session binding is enforced where the offer is read and used, and checked at the
// callback whenever the cookie does come along.
import { randomBytes } from 'node:crypto';
import { type FacebookApp, facebookLogin as fb, LoginApiError } from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import type { Profile } from '../domain/platform.ts';
import * as conn from '../storage/page-connections.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow } from '../storage/schema.ts';
import { lookupHash } from '../storage/secrets.ts';
import type { AppContext } from './context.ts';

export type { FacebookApp };

import { connectPage } from './page-connections.ts';

/**
 * What the dialog asks for, and who needs it:
 * - pages_show_list: `/me/accounts` (the tick list);
 * - pages_messaging: the Send API (replies, invitations, notifications, campaigns);
 * - pages_manage_metadata: `POST|DELETE /{page-id}/subscribed_apps` (webhooks) and `debug_token` health;
 * - pages_read_engagement: customers' profiles and page details (`GET /{psid}`, page name) in the inbox;
 * - business_management: pages the shop owns through a Business portfolio appear in `/me/accounts`.
 */
export const CONNECT_SCOPES = [
  'pages_show_list',
  'pages_messaging',
  'pages_manage_metadata',
  'pages_read_engagement',
  'business_management',
] as const;

/** The webhook fields the product reads (webhook-events.ts): messages, taps, opt-ins, receipts. */
export const SUBSCRIBED_FIELDS = [
  'messages',
  'messaging_postbacks',
  'messaging_optins',
  'message_deliveries',
  'message_reads',
  'message_echoes',
] as const;

const STATE_TTL_MS = 10 * 60_000;
const OFFER_TTL_MS = 30 * 60_000;

const invalidState = () =>
  new DomainError('login_state_invalid', 'The Facebook sign-in state is unknown, used or expired.');

/** Creates the state for this session and answers the Login dialog URL to redirect to. */
export async function startConnect(
  ctx: AppContext,
  app: FacebookApp,
  q: { workspaceId: number; sessionToken: string; redirectUri: string },
): Promise<string> {
  const nonce = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  await conn.insertLoginState(ctx.db, {
    workspaceId: q.workspaceId,
    nonceHash: lookupHash(`fb-login:${nonce}`),
    sessionHash: lookupHash(`fb-session:${q.sessionToken}`),
    now,
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
  });
  return fb.dialogUrl(app, { redirectUri: q.redirectUri, state: nonce, scopes: CONNECT_SCOPES });
}

export type CallbackResult = { kind: 'offer'; offerId: number } | { kind: 'denied' };

/** The dialog's redirect: `code` or `error=access_denied`, with our `state`. */
export async function finishLogin(
  ctx: AppContext,
  app: FacebookApp,
  q: { state?: string; code?: string; error?: string; sessionToken: string | null; redirectUri: string },
): Promise<CallbackResult> {
  if (!q.state) throw invalidState();
  const row = await conn.takeLoginState(ctx.db, lookupHash(`fb-login:${q.state}`), ctx.clock.now());
  if (!row) throw invalidState();
  if (q.sessionToken && row.sessionHash !== lookupHash(`fb-session:${q.sessionToken}`)) throw invalidState();
  if (q.error || !q.code) return { kind: 'denied' };
  try {
    const userToken = await fb.exchangeCode(app, q.code, q.redirectUri);
    const person = await fb.me(app, userToken);
    const accounts = await fb.listAccounts(app, userToken);
    await conn.saveOffer(ctx.db, row.id, {
      fbUserId: person.id,
      userToken,
      pagesJson: JSON.stringify(accounts),
      expiresAt: new Date(ctx.clock.now().getTime() + OFFER_TTL_MS),
    });
  } catch (e) {
    if (e instanceof LoginApiError)
      throw new DomainError('facebook_login_failed', e.message, { code: e.code, subcode: e.subcode });
    throw e;
  }
  return { kind: 'offer', offerId: row.id };
}

export interface OfferedPage {
  fbPageId: string;
  name: string;
  tasks: string[];
  /** This workspace already has the page: `connected`, `needs_reconnect`, `disconnected`; else null. */
  here: PageRow['connection_status'] | null;
  /** Another workspace holds it: connecting is refused (page_taken). */
  taken: boolean;
}

async function loadOffer(ctx: AppContext, workspaceId: number, sessionToken: string, offerId: number) {
  const row = await conn.findOffer(ctx.db, {
    id: offerId,
    workspaceId,
    sessionHash: lookupHash(`fb-session:${sessionToken}`),
    now: ctx.clock.now(),
  });
  if (!row?.pagesJson)
    throw new DomainError('login_offer_not_found', 'No such list of pages for this session.');
  const accounts = JSON.parse(row.pagesJson) as Array<{
    id: string;
    name: string;
    accessToken: string;
    tasks: string[];
  }>;
  return { row, accounts };
}

/** The pages the person may connect, as the tick list shows them. */
export async function offeredPages(
  ctx: AppContext,
  q: { workspaceId: number; sessionToken: string; offerId: number },
): Promise<OfferedPage[]> {
  const { accounts } = await loadOffer(ctx, q.workspaceId, q.sessionToken, q.offerId);
  const held = await pages.findPagesByFbIds(
    ctx.db,
    accounts.map((a) => a.id),
  );
  return accounts.map((a) => {
    const row = held.find((p) => p.fb_page_id === a.id);
    return {
      fbPageId: a.id,
      name: a.name,
      tasks: a.tasks,
      here: row && row.workspace_id === q.workspaceId ? row.connection_status : null,
      taken: !!row && row.workspace_id !== q.workspaceId,
    };
  });
}

export interface PageChoice {
  fbPageId: string;
  profile?: Profile;
  region?: string | null;
  timeZone?: string;
}

/**
 * Connects the ticked pages: every one must be in the offer and free (else nothing changes), then each
 * is subscribed to the app's webhooks and stored with its page token (encrypted). The offer is used up.
 */
export async function connectOffered(
  ctx: AppContext,
  app: FacebookApp,
  q: { workspaceId: number; sessionToken: string; offerId: number; pages: PageChoice[] },
): Promise<PageRow[]> {
  const { row, accounts } = await loadOffer(ctx, q.workspaceId, q.sessionToken, q.offerId);
  if (q.pages.length === 0) throw new DomainError('validation_failed', 'Tick at least one page.');
  const chosen = q.pages.map((c) => {
    const a = accounts.find((x) => x.id === c.fbPageId);
    if (!a)
      throw new DomainError('validation_failed', `Page ${c.fbPageId} is not in the list Facebook gave.`);
    return { choice: c, account: a };
  });
  const held = await pages.findPagesByFbIds(
    ctx.db,
    chosen.map((c) => c.account.id),
  );
  const other = held.find((p) => p.workspace_id !== q.workspaceId);
  if (other)
    throw new DomainError('page_taken', `Page ${other.fb_page_id} is connected to another workspace.`, {
      fbPageId: other.fb_page_id,
    });
  const out: PageRow[] = [];
  for (const { choice, account } of chosen) {
    try {
      await fb.subscribeApp(app, account.id, account.accessToken, SUBSCRIBED_FIELDS);
    } catch (e) {
      if (e instanceof LoginApiError)
        throw new DomainError('facebook_login_failed', `${account.name}: ${e.message}`, {
          fbPageId: account.id,
          code: e.code,
        });
      throw e;
    }
    out.push(
      await connectPage(ctx, q.workspaceId, {
        fbPageId: account.id,
        name: account.name,
        accessToken: account.accessToken,
        profile: choice.profile ?? '2026',
        region: choice.region === undefined ? 'VN' : choice.region,
        timeZone: choice.timeZone ?? 'Asia/Ho_Chi_Minh',
      }).then((r) => r.page),
    );
  }
  await conn.consumeOffer(ctx.db, row.id, ctx.clock.now());
  return out;
}
