// R14a: a workspace connects one ad account (id + system-user token, encrypted at rest), checked
// against Graph before it is stored, with the budget defaults its paid campaigns start from.
import type { AdAccountInfo, MarketingApi } from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import { MARKETING } from '../domain/marketing-messages.ts';
import * as adAccounts from '../storage/ad-accounts.ts';
import type { AppContext } from './context.ts';

export interface AdAccountForm {
  adAccountId: string;
  accessToken: string;
  defaultBudgetMinor?: number | null;
  minConversationGapSeconds?: number | null;
}

export interface AdAccountView {
  adAccountId: string;
  name: string | null;
  currency: string;
  defaultBudgetMinor: number | null;
  minConversationGapSeconds: number;
  checkedAt: Date;
}

/** The paid-message port the use-cases need; the composition root fills it with the real client. */
export interface MarketingContext extends AppContext {
  marketing?: MarketingApi;
}

const MAX_GAP_SECONDS = 30 * 86_400;

function invalid(message: string, field: string): DomainError {
  return new DomainError('ad_account_invalid', message, { field });
}

/** Bad input changes nothing: every field is checked before Graph is asked or anything is stored. */
function cleanForm(f: AdAccountForm) {
  const id = f.adAccountId.trim().replace(/^act_/, '');
  if (!/^\d{1,20}$/.test(id))
    throw invalid('The ad account ID is digits (act_ may be left out).', 'adAccountId');
  const token = f.accessToken.trim();
  if (token.length < 8 || /\s/.test(token))
    throw invalid('The system-user token is missing or malformed.', 'accessToken');
  const budget = f.defaultBudgetMinor ?? null;
  if (budget !== null && (!Number.isSafeInteger(budget) || budget < 0)) {
    throw invalid(
      'The default budget is a whole amount in the smallest currency unit, 0 or more.',
      'defaultBudgetMinor',
    );
  }
  const gap = f.minConversationGapSeconds ?? MARKETING.defaultMinConversationGapSeconds;
  if (!Number.isSafeInteger(gap) || gap < 0 || gap > MAX_GAP_SECONDS) {
    throw invalid('The minimum conversation gap is 0 to 30 days, in seconds.', 'minConversationGapSeconds');
  }
  return { id, token, budget, gap };
}

function requireApi(ctx: MarketingContext): MarketingApi {
  if (!ctx.marketing)
    throw new DomainError('marketing_unavailable', 'Paid marketing messages are not configured.');
  return ctx.marketing;
}

export async function connectAdAccount(
  ctx: MarketingContext,
  workspaceId: number,
  form: AdAccountForm,
): Promise<AdAccountView> {
  const f = cleanForm(form);
  const checked = await requireApi(ctx).adAccount({ adAccountId: f.id, accessToken: f.token });
  if (!checked.ok) {
    throw new DomainError(
      'ad_account_rejected',
      `Facebook refused the ad account: ${checked.error.message}`,
      {
        graphClass: checked.error.class,
        graphCode: checked.error.code ?? null,
      },
    );
  }
  const info: AdAccountInfo = checked.value;
  if (info.status !== null && info.status !== 1) {
    throw new DomainError(
      'ad_account_rejected',
      `The ad account is not active (account_status ${info.status}).`,
      {
        accountStatus: info.status,
      },
    );
  }
  const now = ctx.clock.now();
  await adAccounts.saveAdAccount(ctx.db, {
    workspaceId,
    adAccountId: f.id,
    accessToken: f.token,
    name: info.name,
    currency: info.currency,
    defaultBudgetMinor: f.budget,
    minConversationGapSeconds: f.gap,
    now,
  });
  return {
    adAccountId: f.id,
    name: info.name,
    currency: info.currency,
    defaultBudgetMinor: f.budget,
    minConversationGapSeconds: f.gap,
    checkedAt: now,
  };
}

/** The connected account without its token (the token never leaves the server). */
export async function getAdAccount(ctx: AppContext, workspaceId: number): Promise<AdAccountView | null> {
  const row = await adAccounts.findAdAccount(ctx.db, workspaceId);
  if (!row) return null;
  return {
    adAccountId: row.ad_account_id,
    name: row.name,
    currency: row.currency,
    defaultBudgetMinor: row.default_budget_minor === null ? null : Number(row.default_budget_minor),
    minConversationGapSeconds: row.min_conversation_gap_seconds,
    checkedAt: new Date(row.checked_at),
  };
}

export async function disconnectAdAccount(ctx: AppContext, workspaceId: number): Promise<void> {
  if (!(await adAccounts.deleteAdAccount(ctx.db, workspaceId))) {
    throw new DomainError('ad_account_not_found', 'No ad account is connected.');
  }
}
