// One bounded batch of a campaign: claim (store transaction 1: rows → `sending`, eligibility by the
// domain, tokens claimed, immediate skips/defers written) → Graph batch calls (no transaction open) →
// record (store transaction 2: outcomes + checkpoint, inbox log, consent `used`, Meta's effects). A crash
// between the two leaves rows `sending` under a lease; whoever claims them after it lapses resends on the
// same token, which Meta does not deliver twice (src/domain/campaign-delivery.ts).

import { randomUUID } from 'node:crypto';
import { type BatchItem, credentials } from '../channel/index.ts';
import { campaignOutcome, type DeliveryVerdict, otnClosure, toVerdict } from '../domain/campaign-delivery.ts';
import { marketingRouteApplies } from '../domain/marketing-messages.ts';
import type { SendOutcome } from '../domain/send-outcomes.ts';
import type { ActiveCampaign, DeliveryOutcome, RecordedSend } from '../storage/dispatch-store.ts';
import { campaignMessage } from './content.ts';
import { runPaidBatch } from './paid-batch.ts';
import { planRecipients, type ToSend } from './recipients.ts';
import { sendChunks } from './send-batch.ts';
import type { DispatchContext } from './store.ts';

export interface BatchOptions {
  batchSize: number;
  leaseMs: number;
  /** Graph batch calls of one claimed batch in flight at once (each ≤ 50 items). */
  parallelCalls: number;
}

export interface BatchReport {
  claimed: number;
  verdicts: DeliveryVerdict[];
  /** Set when the page could not send (R11b): the campaign must pause. */
  pause: 'page_restricted' | 'page_token_invalid' | null;
}

const EMPTY: BatchReport = { claimed: 0, verdicts: [], pause: null };

/** One batch of `target` (its campaign, page and topic as read for this batch). */
export async function runBatch(
  ctx: DispatchContext,
  target: ActiveCampaign,
  opts: BatchOptions,
): Promise<BatchReport> {
  const { campaign, page } = target;
  // R12e replaces only the recurring route (R12d); a one-time topic keeps its OTN route (R12f).
  if (ctx.paid && target.topic.kind === 'recurring' && marketingRouteApplies(page))
    return runPaidBatch(ctx, ctx.paid, campaign, opts);
  const claimId = randomUUID();
  const now = ctx.clock.now();
  let planned: ReturnType<typeof planRecipients> | undefined;
  const claimed = await ctx.store.claimBatch(
    campaign,
    { claimId, limit: opts.batchSize, leaseMs: opts.leaseMs, now },
    (batch) => {
      planned = planRecipients(batch, {
        page: target.pageState,
        topic: target.topic,
        allowDefer: campaign.allow_defer,
        now,
        otnClosed: page.otn_closed_at !== null,
      });
      return planned.claim;
    },
  );
  if (!claimed || !planned) return EMPTY;
  const toSend = [...planned.toSend.values()].filter((s) => claimed.sending.has(s.id));

  const items: BatchItem[] = toSend.map((s) => ({
    plan: s.plan,
    message: campaignMessage(
      campaign,
      { firstName: s.customer.first_name, lastName: s.customer.last_name, name: s.customer.name },
      s.id,
      ctx.publicUrl,
    ),
  }));
  const results = await sendChunks(ctx.channel, credentials(page), items, opts.parallelCalls);
  const sentAt = ctx.clock.now();
  const answers = toSend.map((s, i) => {
    const r = results[i]!;
    const outcome = campaignOutcome({
      result: r.ok
        ? { ok: true, messageId: r.messageId }
        : { ok: false, class: r.error.class, message: r.error.message },
      tokenKind: s.sub.kind,
      priorAttempts: s.priorAttempts,
      attemptsNow: r.attempts,
    });
    return { outcome, verdict: toVerdict(outcome, r.ok ? r.messageId : null) };
  });
  const verdicts = answers.map((a) => a.verdict);
  const pause = verdicts.find((v) => v.status === 'requeue')?.pause ?? planned.pause;
  const sends = toSend.map((s, i) => recorded(target, s, items[i]!, answers[i]!, sentAt));
  // R12f: the first OTN-token answer saying OTN is unavailable closes it for the page, with this batch.
  const closeOtn =
    toSend
      .map((s, i) => {
        const r = results[i]!;
        return otnClosure(target.pageState, s.sub.kind, r.ok ? null : r.error);
      })
      .find((m) => m !== null) ?? null;
  await ctx.store.recordBatch(
    campaign,
    claimId,
    sends,
    {
      workspaceId: page.workspace_id,
      pageId: page.id,
      unreachableReason: 'Meta: the person is not available (campaign send).',
      stoppedDetail: { source: 'graph_error_1893015', campaignId: campaign.id },
      stopPage: pause ? `${pause}: reported by Meta during campaign ${campaign.id}` : null,
      closeOtn,
    },
    sentAt,
    opts.leaseMs / 2,
  );
  return { claimed: claimed.claimed, verdicts, pause };
}

/** What the store records for one recipient Meta answered for. */
function recorded(
  { campaign, page }: ActiveCampaign,
  s: ToSend,
  item: BatchItem,
  answer: { outcome: SendOutcome; verdict: DeliveryVerdict },
  at: Date,
): RecordedSend {
  const v = answer.verdict;
  const base = { id: s.id, messageId: null, sentAt: null, deferredUntil: null };
  let outcome: DeliveryOutcome;
  switch (v.status) {
    case 'sent':
      outcome = {
        ...base,
        status: 'sent',
        reason: v.confirmedByToken ? 'confirmed_by_token' : null,
        messageId: v.messageId,
        sentAt: at,
      };
      break;
    case 'retry':
      outcome = { ...base, status: 'retry', reason: v.reason };
      break;
    case 'requeue':
      outcome = { ...base, status: v.release && s.previous ? 'pending' : 'retry', reason: v.pause };
      break;
    default:
      outcome = { ...base, status: v.status, reason: v.reason };
  }
  const message = item.message;
  return {
    outcome,
    log:
      v.status === 'sent'
        ? {
            workspaceId: page.workspace_id,
            pageId: page.id,
            topicId: campaign.topic_id,
            customerId: s.customer.id,
            subscriptionId: s.sub.id,
            messageId: v.messageId,
            // The inbox shows what this customer saw: the personalised text, the buttons (issue 10 item 10).
            text: 'text' in message ? (message.text ?? null) : null,
            payload: { campaignId: campaign.id, ...message },
          }
        : null,
    effects: {
      outcome: answer.outcome,
      customerId: s.customer.id,
      token: { subscriptionId: s.sub.id, topicId: campaign.topic_id, previous: s.previous },
    },
  };
}
