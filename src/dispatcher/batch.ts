// One bounded batch of a campaign: claim (transaction 1: rows → `sending`, eligibility by the domain,
// tokens claimed, immediate skips/defers written) → Graph batch calls (no transaction open) → record
// (transaction 2: outcomes + checkpoint, inbox log, consent `used`, token give-backs). A crash between
// the two leaves rows `sending` under a lease; whoever claims them after it lapses resends on the same
// token, which Meta does not deliver twice (src/domain/campaign-delivery.ts).

import { randomUUID } from 'node:crypto';
import {
  type BatchItem,
  campaignMessage,
  credentials,
  type OutgoingMessage,
  type PageCredentials,
  type SendResult,
} from '../channel/index.ts';
import {
  campaignOutcome,
  type DeliveryVerdict,
  decideRecipient,
  groupBy,
  mayResend,
  toVerdict,
} from '../domain/campaign-delivery.ts';
import type { CampaignCommand } from '../domain/campaigns.ts';
import { marketingRouteApplies } from '../domain/marketing-messages.ts';
import type { Clock, PageState, SendPlan, SubscriptionState, TopicState } from '../domain/model.ts';
import { LIMITS } from '../domain/platform.ts';
import type { SendOutcome } from '../domain/send-outcomes.ts';
import { notificationPlan } from '../domain/send-resolver.ts';
import * as deliveries from '../storage/campaign-deliveries.ts';
import { customersByIds, subscriptionsOf } from '../storage/campaigns.ts';
import * as customersStore from '../storage/customers.ts';
import { type Db, inTransaction, retryOnConnectionLoss, type Tx } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import type { CampaignRow, CustomerRow, PageRow } from '../storage/schema.ts';
import { applyOutcomes } from '../storage/send-outcomes.ts';
import * as subs from '../storage/subscriptions.ts';
import { type PaidCampaignSend, runPaidBatch } from './paid-batch.ts';

/** The part of the Graph client the dispatcher needs. */
export interface BatchChannel {
  sendBatch(page: PageCredentials, items: readonly BatchItem[]): Promise<SendResult[]>;
}

export interface DispatchContext {
  db: Db;
  clock: Clock;
  channel: BatchChannel;
  /** Base of tracked links (GET /r/:token). */
  publicUrl: string;
  /**
   * The campaign's life cycle (due → running, pause, complete) through app's one conditional update
   * (`app/campaigns.command`), filled by the composition root so the dispatcher does not import app.
   */
  lifecycle(campaignId: number, cmd: CampaignCommand): Promise<unknown>;
  /** R14c: paid marketing messages, for pages whose recurring route is closed (paid-batch.ts). */
  paid?: PaidCampaignSend;
}

export interface BatchOptions {
  batchSize: number;
  leaseMs: number;
  /** Graph batch calls of one claimed batch in flight at once (each ≤ 50 items). */
  parallelCalls: number;
}

interface ToSend {
  id: number;
  customer: CustomerRow;
  sub: SubscriptionState;
  plan: SendPlan;
  /** The token's state before our claim; null when an earlier claim took it (a resend). */
  previous: subs.TokenUse | null;
  priorAttempts: number;
  /** Recurring: the end of the period our claim started; resending after it could deliver twice. */
  periodEnd: Date | null;
}

export interface BatchReport {
  claimed: number;
  verdicts: DeliveryVerdict[];
  /** Set when the page could not send (R11b): the campaign must pause. */
  pause: 'page_restricted' | 'page_token_invalid' | null;
}

const EMPTY: BatchReport = { claimed: 0, verdicts: [], pause: null };

export async function runBatch(
  ctx: DispatchContext,
  campaign: CampaignRow,
  page: PageRow,
  topic: TopicState,
  opts: BatchOptions,
): Promise<BatchReport> {
  if (ctx.paid && marketingRouteApplies(page)) return runPaidBatch(ctx, ctx.paid, campaign, opts);
  const claimId = randomUUID();
  const now = ctx.clock.now();
  const pageState = pages.toPageState(page);
  const claimed = await inTransaction(ctx.db, (tx) =>
    claim(tx, campaign, pageState, topic, claimId, now, opts),
  );
  if (!claimed) return EMPTY;
  const { toSend, count, pause } = claimed;

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
  const pauseNow = verdicts.find((v) => v.status === 'requeue')?.pause ?? pause;
  // Meta has answered: a lost connection must not drop these outcomes and leave the rows waiting out
  // their lease. Repeating is safe: only rows still under this claim are written.
  const sent = toSend.map((s, i) => ({ ...s, message: items[i]!.message, outcome: answers[i]!.outcome }));
  await retryOnConnectionLoss(
    () =>
      inTransaction(ctx.db, (tx) => record(tx, campaign, page, claimId, sent, verdicts, sentAt, pauseNow)),
    opts.leaseMs / 2,
  );
  return { claimed: count, verdicts, pause: pauseNow };
}

async function claim(
  tx: Tx,
  campaign: CampaignRow,
  page: PageState,
  topic: TopicState,
  claimId: string,
  now: Date,
  opts: BatchOptions,
) {
  await deliveries.lockCampaignRow(tx, campaign.id);
  const rows = await deliveries.claimBatch(tx, campaign.id, {
    claimId,
    limit: opts.batchSize,
    leaseMs: opts.leaseMs,
    now,
  });
  if (rows.length === 0) return null;
  const customerRows = await customersByIds(
    tx,
    rows.map((r) => r.customer_id),
  );
  const customerById = new Map(customerRows.map((c) => [c.id, c]));
  const subRows = await subscriptionsOf(
    tx,
    campaign.topic_id,
    rows.map((r) => r.customer_id),
  );
  const subStates = subRows.map(subs.toSubscriptionState);
  const byCustomer = groupBy(subStates, subRows);
  const subById = new Map(subStates.map((s) => [s.id, s]));

  const immediate: deliveries.Outcome[] = [];
  const wanted: Array<ToSend & { patch: subs.TokenUse }> = [];
  const toSend: ToSend[] = [];
  let pause: BatchReport['pause'] = null;
  const outcome = (
    id: number,
    status: deliveries.Outcome['status'],
    reason: string | null,
    deferredUntil: Date | null = null,
  ) => immediate.push({ id, status, reason, messageId: null, sentAt: null, deferredUntil });

  for (const row of rows) {
    const customer = customerById.get(row.customer_id)!;
    if (row.prev_status === 'retry' || row.prev_status === 'sending') {
      // An earlier call may have delivered: resend on the same token only while it deduplicates.
      const sub = row.subscription_id ? subById.get(row.subscription_id) : undefined;
      const ok =
        sub &&
        mayResend(
          {
            tokenKind: sub.kind,
            attempts: row.attempts,
            expiresAt: sub.expiresAt,
            tokenPeriodEnd: row.token_period_end,
          },
          now,
        );
      if (!sub || !ok) {
        outcome(row.id, 'failed', 'uncertain');
        continue;
      }
      // A resend goes on the token of the first claim: the resolver would (rightly) call it used.
      const resend = {
        id: row.id,
        customer,
        sub,
        plan: notificationPlan(sub),
        previous: null,
        periodEnd: null,
      };
      toSend.push({ ...resend, priorAttempts: row.attempts });
      continue;
    }
    const d = decideRecipient({
      page,
      customer: customersStore.toCustomerState(customer),
      topic,
      subscriptions: byCustomer.get(customer.id) ?? [],
      allowDefer: campaign.allow_defer,
      now,
    });
    if (d.action === 'defer') outcome(row.id, 'deferred', d.reason, d.until);
    else if (d.action === 'skip' && d.reason === 'page_restricted') {
      outcome(row.id, 'pending', null);
      pause = 'page_restricted';
    } else if (d.action === 'skip') outcome(row.id, 'skipped', d.reason);
    else {
      wanted.push({
        id: row.id,
        customer,
        sub: d.subscription,
        plan: d.plan,
        previous: tokenUse(d.subscription.id, d.subscription),
        priorAttempts: row.attempts,
        periodEnd: d.subscription.kind === 'recurring' ? d.patch.nextEligibleAt : null,
        patch: tokenUse(d.subscription.id, d.patch),
      });
    }
  }
  // R7b: the token is ours only if the conditional claim wins (an agent may have just used it).
  const won = await subs.claimTokens(
    tx,
    wanted.map((w) => w.patch),
    now,
  );
  for (const w of wanted) {
    if (won.has(w.sub.id)) toSend.push(w);
    else outcome(w.id, 'skipped', w.sub.kind === 'one_time' ? 'token_used' : 'cooldown');
  }
  await deliveries.markAttempt(
    tx,
    toSend.map((s) => ({ id: s.id, subscriptionId: s.sub.id, tokenPeriodEnd: s.periodEnd })),
  );
  await deliveries.writeOutcomes(tx, campaign.id, claimId, immediate, now);
  return { toSend, count: rows.length, pause };
}

function tokenUse(
  subscriptionId: number,
  s: Pick<SubscriptionState, 'usedAt' | 'lastSentAt' | 'nextEligibleAt'>,
): subs.TokenUse {
  return { subscriptionId, usedAt: s.usedAt, lastSentAt: s.lastSentAt, nextEligibleAt: s.nextEligibleAt };
}

async function sendChunks(
  channel: BatchChannel,
  page: PageCredentials,
  items: BatchItem[],
  parallel: number,
): Promise<SendResult[]> {
  const chunks: BatchItem[][] = [];
  for (let i = 0; i < items.length; i += LIMITS.batchMax) chunks.push(items.slice(i, i + LIMITS.batchMax));
  const out: SendResult[][] = new Array(chunks.length);
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const i = next++;
      out[i] = await channel.sendBatch(page, chunks[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, chunks.length)) }, lane));
  return out.flat();
}

async function record(
  tx: Tx,
  campaign: CampaignRow,
  page: PageRow,
  claimId: string,
  toSend: Array<ToSend & { message: OutgoingMessage; outcome: SendOutcome }>,
  verdicts: DeliveryVerdict[],
  at: Date,
  pause: BatchReport['pause'],
): Promise<void> {
  const outcomes: deliveries.Outcome[] = toSend.map((s, i) => {
    const v = verdicts[i]!;
    const base = { id: s.id, messageId: null, sentAt: null, deferredUntil: null };
    switch (v.status) {
      case 'sent':
        return {
          ...base,
          status: 'sent',
          reason: v.confirmedByToken ? 'confirmed_by_token' : null,
          messageId: v.messageId,
          sentAt: at,
        };
      case 'retry':
        return { ...base, status: 'retry', reason: v.reason };
      case 'requeue':
        return { ...base, status: v.release && s.previous ? 'pending' : 'retry', reason: v.pause };
      default:
        return { ...base, status: v.status, reason: v.reason };
    }
  });
  await deliveries.lockCampaignRow(tx, campaign.id);
  const written = new Set(await deliveries.writeOutcomes(tx, campaign.id, claimId, outcomes, at));
  const mine = toSend.map((s, i) => ({ s, v: verdicts[i]! })).filter(({ s }) => written.has(s.id));
  await deliveries.logSent(
    tx,
    campaign.id,
    mine
      .filter(({ v }) => v.status === 'sent')
      .map(({ s, v }) => ({
        workspaceId: page.workspace_id,
        pageId: page.id,
        topicId: campaign.topic_id,
        customerId: s.customer.id,
        subscriptionId: s.sub.id,
        messageId: v.status === 'sent' ? v.messageId : null,
        // The inbox shows what this customer saw: the personalised text, the buttons (issue 10 item 10).
        text: 'text' in s.message ? (s.message.text ?? null) : null,
        payload: { campaignId: campaign.id, ...s.message },
      })),
    at,
  );
  // What Meta's answers change around the recipients, and a page that must stop (R11b).
  await applyOutcomes(
    tx,
    {
      workspaceId: page.workspace_id,
      pageId: page.id,
      unreachableReason: 'Meta: the person is not available (campaign send).',
      stoppedDetail: { source: 'graph_error_1893015', campaignId: campaign.id },
      stopPage: pause ? `${pause}: reported by Meta during campaign ${campaign.id}` : null,
    },
    mine.map(({ s }) => ({
      outcome: s.outcome,
      customerId: s.customer.id,
      token: { subscriptionId: s.sub.id, topicId: campaign.topic_id, previous: s.previous },
    })),
    at,
  );
}
