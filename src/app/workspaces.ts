// Workspaces, pages and their settings (profile, time zone, the R4f notice text).
import { DomainError } from '../domain/errors.ts';
import type { Bilingual } from '../domain/model.ts';
import { isProfile, isValidTimeZone, type Profile } from '../domain/platform.ts';
import { requireText } from '../domain/text.ts';
import { inTransaction } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow } from '../storage/schema.ts';
import type { AppContext } from './context.ts';

/** R4f default: what an agent sees for an already sent/subscribed topic, and what the bot answers. */
export const DEFAULT_NOTICE: Bilingual = {
  vi: 'Bạn đã đăng ký nhận thông báo về chủ đề này rồi. Cảm ơn bạn!',
  en: 'You are already subscribed to updates on this topic. Thank you!',
};
const NOTICE_KEY = 'messenger.already_subscribed_notice';

export interface PageInput {
  fbPageId: string;
  name: string;
  profile?: Profile;
  timeZone?: string;
  region?: string | null;
  optInFeatureEnabled?: boolean;
  accessToken?: string | null;
  appSecret?: string | null;
}

function checkPageSettings(p: { profile?: unknown; timeZone?: unknown }): void {
  if (p.profile !== undefined && !isProfile(p.profile)) {
    throw new DomainError('invalid_profile', 'The platform profile is one of legacy-2022, 2023, 2025, 2026.');
  }
  if (p.timeZone !== undefined && (typeof p.timeZone !== 'string' || !isValidTimeZone(p.timeZone))) {
    throw new DomainError(
      'invalid_time_zone',
      'The time zone must be an IANA zone such as Asia/Ho_Chi_Minh.',
    );
  }
}

export async function createWorkspace(
  ctx: AppContext,
  name: string,
  page: PageInput,
): Promise<{ workspaceId: number; page: PageRow }> {
  checkPageSettings(page);
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    const workspaceId = await pages.insertWorkspace(tx, name, now);
    const row = await pages.insertPage(
      tx,
      {
        ...page,
        workspaceId,
        profile: page.profile ?? '2025',
        timeZone: page.timeZone ?? 'Asia/Ho_Chi_Minh',
      },
      now,
    );
    return { workspaceId, page: row };
  });
}

/** For /healthz: throws when the database does not answer. */
export async function checkDatabase(ctx: AppContext): Promise<void> {
  await pages.pingWorkspaces(ctx.db);
}

/** The workspace's pages: the settings list them, agents see them in the inbox. */
export function listPages(ctx: AppContext, workspaceId: number): Promise<PageRow[]> {
  return pages.listPages(ctx.db, workspaceId);
}

export async function getPage(ctx: AppContext, workspaceId: number, pageId: number): Promise<PageRow> {
  const row = await pages.findPage(ctx.db, workspaceId, pageId);
  if (!row) throw new DomainError('page_not_found', `No page ${pageId} in this workspace.`);
  return row;
}

export async function updatePageSettings(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  patch: {
    profile?: Profile;
    timeZone?: string;
    region?: string | null;
    optInFeatureEnabled?: boolean;
    name?: string;
  },
): Promise<PageRow> {
  checkPageSettings(patch);
  return inTransaction(ctx.db, async (tx) => {
    if (!(await pages.findPage(tx, workspaceId, pageId))) {
      throw new DomainError('page_not_found', `No page ${pageId} in this workspace.`);
    }
    await pages.updatePage(tx, workspaceId, pageId, {
      ...(patch.profile !== undefined && { profile: patch.profile }),
      ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
      ...(patch.region !== undefined && { region: patch.region }),
      ...(patch.optInFeatureEnabled !== undefined && { opt_in_feature_enabled: patch.optInFeatureEnabled }),
      ...(patch.name !== undefined && { name: patch.name }),
    });
    return (await pages.findPage(tx, workspaceId, pageId))!;
  });
}

export async function getNoticeText(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
): Promise<Bilingual> {
  await getPage(ctx, workspaceId, pageId);
  const stored = await pages.getSetting<Partial<Bilingual>>(ctx.db, workspaceId, pageId, NOTICE_KEY);
  return { vi: stored?.vi || DEFAULT_NOTICE.vi, en: stored?.en || DEFAULT_NOTICE.en };
}

export async function setNoticeText(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  text: Partial<Bilingual>,
): Promise<Bilingual> {
  for (const v of [text.vi, text.en]) {
    if (typeof v === 'string') requireText(v, 'notice');
    if (v !== undefined && (typeof v !== 'string' || v.length > 640)) {
      throw new DomainError('validation_failed', 'The notice text is 1 to 640 characters.');
    }
  }
  await getPage(ctx, workspaceId, pageId);
  const next = { ...(await getNoticeText(ctx, workspaceId, pageId)), ...text };
  await pages.putSetting(ctx.db, workspaceId, pageId, NOTICE_KEY, next, ctx.clock.now());
  return next;
}
