// The paid branch of a campaign batch (R14c/d): on a page whose recurring route is closed, each claimed
// recipient goes through the paid-send port (app's marketing use-case, filled by the composition root)
// one by one, so the budget is read before every message and, once spent, every remaining recipient
// ends `skipped` with `budget_exhausted`. Outcomes are written under the claim like the free branch.
import { randomUUID } from 'node:crypto';
import type { DeliveryVerdict } from '../domain/campaign-delivery.ts';
import type { Clock } from '../domain/model.ts';
import type { Outcome } from '../storage/campaign-deliveries.ts';
import type { CampaignRow } from '../storage/schema.ts';
import { campaignMessage } from './content.ts';
import type { DispatchStore, PaidCampaignSend } from './store.ts';

export type { PaidCampaignSend, PaidDeliveryAnswer } from './store.ts';

// What batch.ts passes (its DispatchContext and BatchOptions fit): no import of batch.ts, no cycle.
interface PaidBatchContext {
  store: Pick<DispatchStore, 'claimPaid' | 'recordPaid'>;
  clock: Clock;
  publicUrl: string;
}

export async function runPaidBatch(
  ctx: PaidBatchContext,
  send: PaidCampaignSend,
  campaign: CampaignRow,
  opts: { batchSize: number; leaseMs: number },
): Promise<{ claimed: number; verdicts: DeliveryVerdict[]; pause: null }> {
  const claimId = randomUUID();
  const rows = await ctx.store.claimPaid(campaign.id, {
    claimId,
    limit: opts.batchSize,
    leaseMs: opts.leaseMs,
    now: ctx.clock.now(),
  });
  if (rows.length === 0) return { claimed: 0, verdicts: [], pause: null };
  const outcomes: Outcome[] = [];
  const verdicts: DeliveryVerdict[] = [];
  for (const row of rows) {
    const c = row.customer;
    const message = campaignMessage(
      campaign,
      { firstName: c.first_name, lastName: c.last_name, name: c.name },
      row.id,
      ctx.publicUrl,
    );
    const a = await send({
      workspaceId: campaign.workspace_id,
      campaignId: campaign.id,
      customerId: c.id,
      topicId: campaign.topic_id,
      message,
    });
    const now = ctx.clock.now();
    if (a.status === 'deferred') {
      // 2300003: Meta's campaign is not active yet; the row is claimed again once `until` passes.
      outcomes.push({
        id: row.id,
        status: 'deferred',
        reason: a.reason,
        messageId: null,
        sentAt: null,
        deferredUntil: a.until,
      });
      continue;
    }
    outcomes.push(
      a.status === 'sent'
        ? {
            id: row.id,
            status: 'sent',
            reason: null,
            messageId: a.messageId,
            sentAt: now,
            deferredUntil: null,
          }
        : {
            id: row.id,
            status: a.status,
            reason: a.reason,
            messageId: null,
            sentAt: null,
            deferredUntil: null,
          },
    );
    verdicts.push(
      a.status === 'sent'
        ? { status: 'sent', messageId: a.messageId, confirmedByToken: false }
        : { status: a.status, reason: a.reason, release: false },
    );
  }
  await ctx.store.recordPaid(campaign.id, claimId, outcomes, ctx.clock.now());
  return { claimed: rows.length, verdicts, pause: null };
}
