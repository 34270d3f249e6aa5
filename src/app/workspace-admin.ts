// Shops on one deployment (issue 12.2): a shop signs up from the console when the operator opens
// sign-up (SIGNUP=open), or the operator creates it (`renotify workspaces create`) and invites its
// owner; the operator lists workspaces with their usage and suspends or resumes one.
import { DomainError } from '../domain/errors.ts';
import { inTransaction } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import * as workspaces from '../storage/workspaces.ts';
import { addMember, createUser, inviteUser } from './accounts.ts';
import type { AppContext } from './context.ts';

const USAGE_DAYS = 30;

function shopName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim() || name.trim().length > 100) {
    throw new DomainError('validation_failed', "The shop's name is 1 to 100 characters.");
  }
  return name.trim();
}

/**
 * Open sign-up: the workspace and its owner account in one transaction (an email already taken
 * leaves no workspace behind). The workspace has no page yet; the owner connects one next.
 */
export async function signUpShop(
  ctx: AppContext,
  input: { shopName: unknown; ownerName: unknown; email: unknown; password: unknown },
): Promise<{ workspaceId: number; userId: number }> {
  const name = shopName(input.shopName);
  return inTransaction(ctx.db, async (tx) => {
    const txCtx = { ...ctx, db: tx };
    const user = await createUser(txCtx, {
      email: input.email,
      name: input.ownerName,
      password: input.password,
    });
    const workspaceId = await pages.insertWorkspace(tx, name, ctx.clock.now());
    await addMember(txCtx, workspaceId, user.id, 'owner');
    return { workspaceId, userId: user.id };
  });
}

/** The operator's way: the workspace, and an owner invitation (its token makes the link to send). */
export async function createShopWithInvite(
  ctx: AppContext,
  input: { name: unknown; ownerEmail: unknown },
): Promise<{ workspaceId: number; email: string; inviteToken: string; expiresAt: Date }> {
  const name = shopName(input.name);
  return inTransaction(ctx.db, async (tx) => {
    const txCtx = { ...ctx, db: tx };
    const workspaceId = await pages.insertWorkspace(tx, name, ctx.clock.now());
    const invite = await inviteUser(txCtx, workspaceId, { email: input.ownerEmail, role: 'owner' }, null);
    return { workspaceId, email: invite.email, inviteToken: invite.token, expiresAt: invite.expires_at };
  });
}

export function listShops(ctx: AppContext): Promise<workspaces.WorkspaceUsage[]> {
  return workspaces.listWorkspaceUsage(ctx.db, new Date(ctx.clock.now().getTime() - USAGE_DAYS * 86_400_000));
}

/**
 * Suspended: members cannot sign in and their sessions and API keys stop working, its pages send
 * nothing, its webhooks are answered 200 and dropped (app/webhook-intake.ts). Data is kept; resuming
 * undoes all of it except campaigns the suspension paused, which the shop resumes itself.
 */
export async function setShopSuspended(
  ctx: AppContext,
  workspaceId: number,
  suspended: boolean,
): Promise<{ workspaceId: number; suspended: boolean }> {
  await inTransaction(ctx.db, async (tx) => {
    const found = await pages.setWorkspaceSuspended(tx, workspaceId, suspended ? ctx.clock.now() : null);
    if (!found) throw new DomainError('workspace_not_found', `No workspace ${workspaceId}.`);
  });
  return { workspaceId, suspended };
}
