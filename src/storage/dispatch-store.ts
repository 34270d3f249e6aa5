// The campaign dispatcher's store: the few operations campaign sending needs (src/dispatcher/store.ts
// names them; the composition root passes this in). Each is one transaction of its own or a single
// statement, built from the aggregate modules that hold the SQL (campaigns, campaign-deliveries,
// subscriptions, send-outcomes), so how a batch is claimed or recorded can change here without the
// dispatcher noticing. Per batch of the free route (issue 13): the claim is one transaction of four
// statements (lock the rows past the keyset cursor, customers, tokens, then token claims + attempts +
// settled rows + tally in one); the record is one statement (outcomes + tally + inbox log + consent
// rows), in a transaction only when Meta's answers change more. Neither takes the campaign row.
import { audienceOf } from '../domain/campaigns.ts';
import type { CustomerState, PageState, SubscriptionState, TopicState } from '../domain/model.ts';
import * as deliveries from './campaign-deliveries.ts';
import * as campaigns from './campaigns.ts';
import { customersByIds } from './campaigns.ts';
import { toCustomerState } from './customers.ts';
import { type Db, type Executor, inTransaction, retryOnConnectionLoss } from './db.ts';
import { findPage, toPageState } from './pages.ts';
import type { CampaignRow, CustomerRow, DeliveryStatus, PageRow } from './schema.ts';
import { applyOutcomes, hasEffects, type OutcomeScope, type OutcomeTarget } from './send-outcomes.ts';
import { type TokenUse, toSubscriptionState } from './subscriptions.ts';
import { findTopic, toTopicState } from './topics.ts';

export type { Outcome as DeliveryOutcome, SentLog } from './campaign-deliveries.ts';
export type { OutcomeScope, OutcomeTarget } from './send-outcomes.ts';
export type { TokenUse } from './subscriptions.ts';

/** A campaign with work, and what every batch of it needs: its page and topic, read together. */
export interface ActiveCampaign {
  campaign: CampaignRow;
  page: PageRow;
  pageState: PageState;
  topic: TopicState;
}

/** One claimed recipient with what the send decision needs. */
export interface ClaimedRecipient {
  /** The delivery row. */
  id: number;
  /** Its status before this claim: `retry`/`sending` mean an earlier call may have delivered. */
  prevStatus: DeliveryStatus;
  attempts: number;
  /** The token of the first claim (a resend goes on it), and that claim's recurring period end. */
  subscriptionId: number | null;
  tokenPeriodEnd: Date | null;
  customer: CustomerRow;
  customerState: CustomerState;
  /** The customer's tokens on the campaign's topic. */
  subscriptions: SubscriptionState[];
}

/** What the dispatcher decided for a claimed batch; the store writes it in the claim's transaction. */
export interface ClaimPlan {
  /** Settled now: skipped, deferred, failed, or handed back as pending. */
  outcomes: Array<Pick<deliveries.Outcome, 'id' | 'status' | 'reason' | 'deferredUntil'>>;
  /**
   * To send. `claim`: the token's new use marks, set only if the conditional claim wins (R7b); null for
   * a resend on the token the first claim took. A lost claim settles the row `skipped`/`lostReason`.
   */
  sends: Array<{
    id: number;
    subscriptionId: number;
    tokenPeriodEnd: Date | null;
    claim: TokenUse | null;
    lostReason: string;
  }>;
}

export interface ClaimOptions {
  claimId: string;
  limit: number;
  leaseMs: number;
  now: Date;
}

/** One sent (or refused) recipient as recorded after Meta answered. */
export interface RecordedSend {
  outcome: deliveries.Outcome;
  /** Sent: the inbox log row and the consent `used` row (R3c). */
  log: deliveries.SentLog | null;
  /** What Meta's answer changes around the recipient (the one applier, send-outcomes.ts). */
  effects: OutcomeTarget;
}

/**
 * How often a claim rescans a campaign from its first row (the clock the dispatcher passes in `now`):
 * rows behind the keyset cursor that became claimable again — a resend (`retry`), a due deferral, a
 * lapsed lease, a recipient handed back — wait at most this long, or until the rows ahead run out.
 */
export const RESCAN_MS = 5_000;

export function createDispatchStore(db: Db) {
  // Per campaign, this process's keyset cursor (the highest row it claimed), the low-water mark below
  // which every row is final (a rescan starts there, not at the first row), and when to rescan. Only
  // hints: a fresh process, or a second one, starts with a rescan and loses nothing.
  const cursors = new Map<number, { after: number; low: number; rescanAt: number }>();

  /** Claims past the cursor; from the low-water mark when a rescan is due or nothing is left past it. */
  async function claimKeyset(tx: Executor, campaignId: number, opts: ClaimOptions & { lockOnly?: boolean }) {
    const cur = cursors.get(campaignId) ?? { after: 0, low: 0, rescanAt: Number.NEGATIVE_INFINITY };
    const now = opts.now.getTime();
    const rescan = async () => {
      const first = await deliveries.firstOpenId(tx, campaignId, cur.low);
      if (first === null) return [];
      cur.low = first - 1;
      cur.rescanAt = now + RESCAN_MS;
      return deliveries.claimBatch(tx, campaignId, { ...opts, after: cur.low });
    };
    const due = now >= cur.rescanAt;
    let rows = due
      ? await rescan()
      : await deliveries.claimBatch(tx, campaignId, { ...opts, after: cur.after });
    if (rows.length === 0 && !due) rows = await rescan();
    cur.after = Math.max(cur.after, cur.low, rows.at(-1)?.id ?? 0);
    cursors.set(campaignId, cur);
    return rows;
  }

  return {
    /** R14c: a batch of a paid campaign claimed, with its customers (no lock on the campaign row). */
    async claimPaid(
      campaignId: number,
      opts: { claimId: string; limit: number; leaseMs: number; now: Date },
    ): Promise<Array<{ id: number; customer: CustomerRow }>> {
      return inTransaction(db, async (tx) => {
        const rows = await claimKeyset(tx, campaignId, opts);
        const people = new Map(
          (
            await customersByIds(
              tx,
              rows.map((r) => r.customer_id),
            )
          ).map((c) => [c.id, c]),
        );
        return rows.map((r) => ({ id: r.id, customer: people.get(r.customer_id)! }));
      });
    },

    /** R14c: the outcomes of a paid batch, written under the claim like the free branch's. */
    async recordPaid(
      campaignId: number,
      claimId: string,
      outcomes: deliveries.Outcome[],
      at: Date,
    ): Promise<void> {
      // One statement (outcomes and their tally): no transaction to open.
      await deliveries.writeOutcomes(db, campaignId, claimId, outcomes, at);
    },

    /** Running campaigns and scheduled ones due at `now`, each with its page and topic. */
    async activeCampaigns(now: Date): Promise<ActiveCampaign[]> {
      const rows = await campaigns.activeCampaigns(db, now);
      const out: ActiveCampaign[] = [];
      for (const campaign of rows) {
        const page = await findPage(db, campaign.workspace_id, campaign.page_id);
        const topic = await findTopic(db, campaign.workspace_id, campaign.topic_id);
        if (page && topic) {
          out.push({ campaign, page, pageState: toPageState(page), topic: toTopicState(topic) });
        }
      }
      return out;
    },

    /**
     * Copies the next keyset page of a running campaign's audience into delivery rows. False when there
     * was nothing to do: another worker holds the campaign, or it is materialised or no longer running.
     */
    async materialiseNext(campaignId: number, pageSize: number, now: Date): Promise<boolean> {
      return inTransaction(db, async (tx) => {
        const c = await campaigns.lockCampaign(tx, campaignId);
        if (!c || c.materialized || c.status !== 'running') return false;
        const scope = { pageId: c.page_id, topicId: c.topic_id, filters: audienceOf(c) };
        await campaigns.materialisePage(tx, c, scope, pageSize, now);
        return true;
      });
    },

    /**
     * Claims up to `limit` recipients of a running campaign under `claimId` and a lease, asks `plan`
     * (pure) what to do with each, and writes that in the same transaction: settled rows, token claims,
     * attempts of the rows that go out. Null when there was nothing to claim.
     */
    async claimBatch(
      c: Pick<CampaignRow, 'id' | 'topic_id'>,
      opts: ClaimOptions,
      plan: (batch: ClaimedRecipient[]) => ClaimPlan,
    ): Promise<{ claimed: number; sending: Set<number> } | null> {
      return inTransaction(db, async (tx) => {
        // Locked, not yet written: the plan's one update below claims them (lockOnly).
        const rows = await claimKeyset(tx, c.id, { ...opts, lockOnly: true });
        if (rows.length === 0) return null;
        const ids = rows.map((r) => r.customer_id);
        const customers = new Map((await campaigns.customersByIds(tx, ids)).map((x) => [x.id, x]));
        const subsOf = new Map<number, SubscriptionState[]>();
        for (const s of await campaigns.subscriptionsOf(tx, c.topic_id, ids)) {
          const list = subsOf.get(s.customer_id) ?? [];
          list.push(toSubscriptionState(s));
          subsOf.set(s.customer_id, list);
        }
        const decided = plan(
          rows.map((r) => {
            const customer = customers.get(r.customer_id)!;
            return {
              id: r.id,
              prevStatus: r.prev_status,
              attempts: r.attempts,
              subscriptionId: r.subscription_id,
              tokenPeriodEnd: r.token_period_end,
              customer,
              customerState: toCustomerState(customer),
              subscriptions: subsOf.get(customer.id) ?? [],
            };
          }),
        );
        // Token claims (R7b), attempts, settled and lost rows and their tally: one statement.
        const sending = await deliveries.applyClaimPlan(
          tx,
          c.id,
          opts.claimId,
          { settled: decided.outcomes, going: decided.sends },
          opts,
        );
        return { claimed: rows.length, sending };
      });
    },

    /**
     * Records what Meta answered for a claimed batch: outcomes and the checkpoint, the inbox log and
     * consent rows of what was sent, and what the answers change (send-outcomes.applyOutcomes). Only rows
     * still held by `claimId` are written (one re-claimed after its lease lapsed belongs to its new holder),
     * so repeating it is safe: a lost connection is retried for up to `retryForMs` — Meta has answered,
     * and dropping the answers would leave the rows waiting out their lease.
     */
    async recordBatch(
      c: Pick<CampaignRow, 'id'>,
      claimId: string,
      sends: readonly RecordedSend[],
      scope: OutcomeScope,
      at: Date,
      retryForMs: number,
    ): Promise<void> {
      const logs = sends.flatMap((s) => (s.log ? [{ deliveryId: s.outcome.id, log: s.log }] : []));
      const outcomes = sends.map((s) => s.outcome);
      // Outcomes, tally, inbox log and consent rows are one statement; a batch whose answers change
      // nothing else (the usual one) needs no transaction around it.
      if (
        !hasEffects(
          scope,
          sends.map((s) => s.effects),
        )
      ) {
        await retryOnConnectionLoss(
          () => deliveries.writeOutcomes(db, c.id, claimId, outcomes, at, logs),
          retryForMs,
        );
        return;
      }
      await retryOnConnectionLoss(
        () =>
          inTransaction(db, async (tx) => {
            const written = new Set(await deliveries.writeOutcomes(tx, c.id, claimId, outcomes, at, logs));
            await applyOutcomes(
              tx,
              scope,
              sends.filter((s) => written.has(s.outcome.id)).map((s) => s.effects),
              at,
            );
          }),
        retryForMs,
      );
    },

    /** Recipients with work left (pending, in flight, to retry, deferred): none means complete. */
    openCount: (campaignId: number) => deliveries.openCount(db, campaignId),
  };
}
