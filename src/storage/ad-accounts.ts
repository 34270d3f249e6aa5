// A workspace's ad account (R14a): one per workspace, the system-user token encrypted at rest.
import type { AdAccountState } from '../domain/marketing-messages.ts';
import type { Executor } from './db.ts';
import type { AdAccountRow } from './schema-marketing.ts';
import { decrypt, encrypt } from './secrets.ts';

export interface AdAccountInput {
  workspaceId: number;
  adAccountId: string;
  accessToken: string;
  name: string | null;
  currency: string;
  defaultBudgetMinor: number | null;
  minConversationGapSeconds: number;
  now: Date;
}

/** Connects or replaces the workspace's ad account (one per workspace). */
export async function saveAdAccount(db: Executor, a: AdAccountInput): Promise<void> {
  const values = {
    ad_account_id: a.adAccountId,
    access_token: encrypt(a.accessToken),
    name: a.name,
    currency: a.currency,
    default_budget_minor: a.defaultBudgetMinor,
    min_conversation_gap_seconds: a.minConversationGapSeconds,
    checked_at: a.now,
    updated_at: a.now,
  };
  await db
    .insertInto('ad_accounts')
    .values({ workspace_id: a.workspaceId, created_at: a.now, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .execute();
}

/** The stored row with the token still encrypted (for presenters: never send the token out). */
export async function findAdAccount(db: Executor, workspaceId: number): Promise<AdAccountRow | undefined> {
  return db.selectFrom('ad_accounts').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

/** The decrypted token, for the Graph calls only. */
export function adAccountToken(row: Pick<AdAccountRow, 'access_token'>): string {
  return decrypt(row.access_token);
}

export function adAccountState(row: AdAccountRow): AdAccountState {
  return {
    adAccountId: row.ad_account_id,
    minConversationGapSeconds: row.min_conversation_gap_seconds,
    defaultBudgetMinor: row.default_budget_minor === null ? null : Number(row.default_budget_minor),
    currency: row.currency,
  };
}

export async function deleteAdAccount(db: Executor, workspaceId: number): Promise<boolean> {
  const r = await db.deleteFrom('ad_accounts').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
