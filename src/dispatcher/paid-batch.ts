// The paid branch of a campaign batch (R14c/d): on a page whose recurring route is closed, each claimed
// recipient goes through the paid-send port (app's marketing use-case, filled by the composition root)
// one by one, so the budget is read before every message and, once spent, every remaining recipient
// ends `skipped` with `budget_exhausted`. Outcomes are written under the claim like the free branch.
import { randomUUID } from 'node:crypto';
import { campaignMessage, type OutgoingMessage } from '../channel/index.ts';
import type { DeliveryVerdict } from '../domain/campaign-delivery.ts';
import type { Clock } from '../domain/model.ts';
import * as deliveries from '../storage/campaign-deliveries.ts';
import { customersByIds } from '../storage/campaigns.ts';
import { type Db, inTransaction } from '../storage/db.ts';
import type { CampaignRow } from '../storage/schema.ts';

export type PaidDeliveryAnswer =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped' | 'failed'; reason: string }
  /** Meta's campaign is not active yet (2300003): the recipient waits for it. */
  | { status: 'deferred'; reason: string; until: Date };

/** One campaign recipient as a paid marketing message; the root fills it with app's use-case. */
export type PaidCampaignSend = (req: {
  workspaceId: number;
  campaignId: number;
  customerId: number;
  topicId: number;
  message: OutgoingMessage;
}) => Promise<PaidDeliveryAnswer>;

// What batch.ts passes (its DispatchContext and BatchOptions fit): no import of batch.ts, no cycle.
interface PaidBatchContext {
  db: Db;
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
  const claimed = await inTransaction(ctx.db, async (tx) => {
    await deliveries.lockCampaignRow(tx, campaign.id);
    const rows = await deliveries.claimBatch(tx, campaign.id, {
      claimId,
      limit: opts.batchSize,
      leaseMs: opts.leaseMs,
      now: ctx.clock.now(),
    });
    const people = await customersByIds(
      tx,
      rows.map((r) => r.customer_id),
    );
    return { rows, people: new Map(people.map((c) => [c.id, c])) };
  });
  if (claimed.rows.length === 0) return { claimed: 0, verdicts: [], pause: null };
  const outcomes: deliveries.Outcome[] = [];
  const verdicts: DeliveryVerdict[] = [];
  for (const row of claimed.rows) {
    const c = claimed.people.get(row.customer_id)!;
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
  await inTransaction(ctx.db, async (tx) => {
    await deliveries.lockCampaignRow(tx, campaign.id);
    await deliveries.writeOutcomes(tx, campaign.id, claimId, outcomes, ctx.clock.now());
  });
  return { claimed: claimed.rows.length, verdicts, pause: null };
}
