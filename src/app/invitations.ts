// An agent's topic invitation (R2) with what R4f adds: when the domain says the refusal is "already
// sent or subscribed", the page's notice text is loaded to be shown with it.
import type { Bilingual } from '../domain/model.ts';
import { refusalShowsNotice } from '../domain/notice.ts';
import { type MessagingContext, type SendOutcome, sendInvitation } from './messaging.ts';
import { loadConversation } from './sends.ts';
import { getNoticeText } from './workspaces.ts';

export interface InvitationResult {
  outcome: SendOutcome;
  /** R4f: the page's notice text, when the refusal calls for it. */
  notice?: Bilingual;
}

export async function inviteWithNotice(
  ctx: MessagingContext,
  req: Parameters<typeof sendInvitation>[1],
): Promise<InvitationResult> {
  const outcome = await sendInvitation(ctx, req);
  if (outcome.ok || outcome.stage !== 'rules' || !refusalShowsNotice(outcome.reason)) return { outcome };
  const { page } = await loadConversation(ctx.db, req.workspaceId, req.customerId);
  return { outcome, notice: await getNoticeText(ctx, req.workspaceId, page.id) };
}
