// Campaign use-cases (R9): create, dry run, start / schedule, pause, resume, cancel, progress, the
// delivery list and clicks. Sending itself is the dispatcher's (src/dispatcher).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSignature } from '../channel/index.ts';
import { decideRecipient, groupBy } from '../domain/campaign-delivery.ts';
import {
  audienceOf,
  type CampaignCommand,
  type CampaignContent,
  type CampaignInput,
  estimatedSeconds,
  parsePostbackPayload,
  transition,
  validateCampaign,
} from '../domain/campaigns.ts';
import { DomainError } from '../domain/errors.ts';
import { type Money, marketingRouteApplies } from '../domain/marketing-messages.ts';
import { LIMITS } from '../domain/platform.ts';
import { type Route, resolveRoute } from '../domain/send-routes.ts';
import { type Enqueuer, JOBS } from '../jobs/queue.ts';
import { findAdAccount } from '../storage/ad-accounts.ts';
import * as deliveries from '../storage/campaign-deliveries.ts';
import * as store from '../storage/campaigns.ts';
import * as customers from '../storage/customers.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import type { CampaignRow, CampaignStatus, DeliveryStatus } from '../storage/schema.ts';
import * as subs from '../storage/subscriptions.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';
import { knownUnitPrice } from './marketing-estimates.ts';
import { routeFacts, SENDABLE_ROUTES } from './send-routes.ts';

/**
 * Starting or resuming a campaign wakes the dispatchers (runtime.ts fills both; without them the
 * dispatcher's safety poll finds the campaign).
 */
export interface CampaignContext extends AppContext {
  /** Takes a `campaign-wake` job in the transaction of the start, for a worker in any process. */
  queue?: Enqueuer;
  /** Wakes this process's own dispatcher after the commit. */
  kickDispatcher?: () => void;
}

export interface CreateCampaign extends Omit<CampaignInput, 'allowDefer'> {
  topicId: number;
  allowDefer?: boolean;
}

export async function createCampaign(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  input: CreateCampaign,
): Promise<CampaignRow> {
  const page = await pages.findPage(ctx.db, workspaceId, pageId);
  if (!page) throw new DomainError('page_not_found', `No page ${pageId} in this workspace.`);
  const topic = await topics.findTopic(ctx.db, workspaceId, input.topicId);
  if (!topic || topic.page_id !== page.id || topic.deleted_at)
    throw new DomainError('topic_not_found', `No topic ${input.topicId} on this page.`);
  const valid = validateCampaign({ ...input, allowDefer: input.allowDefer ?? false });
  return store.insertCampaign(
    ctx.db,
    {
      workspaceId,
      pageId,
      topicId: topic.id,
      name: valid.name,
      content: valid.content,
      audience: valid.audience,
      allowDefer: valid.allowDefer,
      linkSecret: randomBytes(16).toString('hex'),
    },
    ctx.clock.now(),
  );
}

/** The stored definition of a campaign, as the input it was made from. */
function inputOf(c: CampaignRow): CreateCampaign {
  return {
    name: c.name,
    topicId: c.topic_id,
    content: c.content as CampaignContent,
    audience: audienceOf(c),
    allowDefer: c.allow_defer,
  };
}

const notDraft = (c: CampaignRow) =>
  new DomainError(
    'campaign_state_conflict',
    `Only a draft can be changed or deleted; this one is ${c.status}.`,
    {
      status: c.status,
    },
  );

/**
 * R9: the wizard keeps one draft and rewrites it as the shop edits. Only a draft: what was started is
 * what went out. Ownership first, then the state, then the input (nothing is changed on a refusal).
 */
export async function updateDraft(
  ctx: AppContext,
  workspaceId: number,
  id: number,
  patch: Partial<CreateCampaign>,
): Promise<CampaignRow> {
  return inTransaction(ctx.db, async (tx) => {
    const c = await store.findCampaign(tx, workspaceId, id, { forUpdate: true });
    if (!c) throw new DomainError('campaign_not_found', `No campaign ${id} in this workspace.`);
    if (c.status !== 'draft') throw notDraft(c);
    const next = { ...inputOf(c), ...patch };
    if (next.topicId !== c.topic_id) {
      const topic = await topics.findTopic(tx, workspaceId, next.topicId);
      if (!topic || topic.page_id !== c.page_id || topic.deleted_at)
        throw new DomainError('topic_not_found', `No topic ${next.topicId} on this page.`);
    }
    const valid = validateCampaign({ ...next, allowDefer: next.allowDefer ?? false });
    const row = await store.updateDraft(tx, c.id, { ...valid, topicId: next.topicId }, ctx.clock.now());
    if (!row) throw notDraft(c);
    return row;
  });
}

/** Removes a draft; anything started stays (it has recipients and history) and can only be cancelled. */
export async function deleteDraft(ctx: AppContext, workspaceId: number, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const c = await store.findCampaign(tx, workspaceId, id, { forUpdate: true });
    if (!c) throw new DomainError('campaign_not_found', `No campaign ${id} in this workspace.`);
    if (c.status !== 'draft' || !(await store.deleteDraft(tx, c.id))) throw notDraft(c);
  });
}

export async function getCampaign(ctx: AppContext, workspaceId: number, id: number): Promise<CampaignRow> {
  const c = await store.findCampaign(ctx.db, workspaceId, id);
  if (!c) throw new DomainError('campaign_not_found', `No campaign ${id} in this workspace.`);
  return c;
}

export async function listCampaigns(ctx: AppContext, workspaceId: number, filter: { pageId?: number } = {}) {
  // A page of another workspace is "not found", not an empty list.
  if (filter.pageId !== undefined && !(await pages.findPage(ctx.db, workspaceId, filter.pageId))) {
    throw new DomainError('page_not_found', `No page ${filter.pageId} in this workspace.`);
  }
  return store.listCampaigns(ctx.db, workspaceId, filter);
}

export interface Progress {
  targeted: number;
  counts: Record<DeliveryStatus, number>;
  reasons: Record<string, number>;
  delivered: number;
  read: number;
  clicked: number;
}

/** R9e / R10a: recipients per status, failures and skips per reason, delivered / read / clicked. */
export async function campaignProgress(ctx: AppContext, c: CampaignRow): Promise<Progress> {
  const counts: Record<DeliveryStatus, number> = {
    pending: 0,
    sending: 0,
    retry: 0,
    deferred: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
  };
  const reasons: Record<string, number> = {};
  for (const row of await store.deliveryCounts(ctx.db, c.id)) {
    counts[row.status as DeliveryStatus] += Number(row.n);
    if (row.reason && (row.status === 'failed' || row.status === 'skipped' || row.status === 'sent'))
      reasons[`${row.status}:${row.reason}`] = (reasons[`${row.status}:${row.reason}`] ?? 0) + Number(row.n);
  }
  return { targeted: c.targeted, counts, reasons, ...(await store.engagementCounts(ctx.db, c.id)) };
}

export interface DryRun {
  audience: number;
  reachable: number;
  deferred: number;
  /** Why the rest would not get the message (R9c), by reason code. */
  skipped: Record<string, number>;
  estimatedSeconds: number;
  /** R12h: how many recipients each route would take (R1d with sender `campaign`). */
  routes: Partial<Record<Route, number>>;
  /** R12h: the recipients no route takes, by reason code. */
  refusals: Record<string, number>;
  /** Recipients whose route this version cannot send (a guard: every route R12 names is sendable now). */
  routeNotAvailable: number;
  /** marketing_message: the paid recipients at Meta's estimated price per message; absent while unknown. */
  estimate?: Money;
}

/**
 * R9c: walks the audience in keyset pages and asks the same domain function the dispatcher asks, so
 * the counts are what a run started now would do (on a paid page, the route resolver). Nothing is written.
 */
export async function dryRun(
  ctx: AppContext,
  workspaceId: number,
  id: number,
  opts: { pageSize?: number; ratePerSecond?: number } = {},
): Promise<DryRun> {
  const c = await getCampaign(ctx, workspaceId, id);
  const pageRow = (await pages.findPage(ctx.db, workspaceId, c.page_id))!;
  const page = pages.toPageState(pageRow);
  const topic = topics.toTopicState((await topics.findTopic(ctx.db, workspaceId, c.topic_id))!);
  const scope = { pageId: c.page_id, topicId: c.topic_id, filters: audienceOf(c) };
  const now = ctx.clock.now();
  const out: DryRun = {
    audience: 0,
    reachable: 0,
    deferred: 0,
    skipped: {},
    estimatedSeconds: 0,
    routes: {},
    refusals: {},
    routeNotAvailable: 0,
  };
  // A page whose recurring route is closed sends a recurring topic's campaign as paid messages
  // (dispatcher/batch.ts): there the route decides who is reached, not the recurring-token eligibility.
  const paidPage = marketingRouteApplies(page) && topic.kind === 'recurring';
  const size = opts.pageSize ?? 5000;
  for (let after = 0; ; ) {
    const batch = await store.audiencePage(ctx.db, scope, after, size);
    const byCustomer = groupBy(batch.subscriptions.map(subs.toSubscriptionState), batch.subscriptions);
    for (const row of batch.customers) {
      const d = decideRecipient({
        page,
        customer: customers.toCustomerState(row),
        topic,
        subscriptions: byCustomer.get(row.id) ?? [],
        allowDefer: c.allow_defer,
        now,
        // R12f: as the dispatcher plans it (dispatcher/recipients.ts), a closed OTN route reaches no one.
        otnClosed: pageRow.otn_closed_at !== null,
      });
      const facts = await routeFacts(ctx.db, pageRow, row);
      const r = resolveRoute({
        page,
        customer: customers.toCustomerState(row),
        sender: 'campaign',
        intent: { kind: 'notification', topic },
        subscriptions: byCustomer.get(row.id) ?? [],
        now,
        otnClosed: facts.otnClosed,
        marketing: facts.marketing,
        marketingToken: facts.marketingToken,
        lastPaidSendAt: facts.lastPaidSendAt,
      });
      if (r.ok) {
        out.routes[r.route] = (out.routes[r.route] ?? 0) + 1;
        if (!SENDABLE_ROUTES.has(r.route)) out.routeNotAvailable++;
      } else out.refusals[r.reason] = (out.refusals[r.reason] ?? 0) + 1;
      out.audience++;
      if (paidPage) {
        // The dispatcher's paid branch (dispatcher/paid-batch.ts) sends whom the route rules allow and
        // skips the rest with the resolver's reason: the recurring-token decision does not apply.
        if (r.ok) out.reachable++;
        else out.skipped[r.reason] = (out.skipped[r.reason] ?? 0) + 1;
      } else if (d.action === 'send') out.reachable++;
      else if (d.action === 'defer') out.deferred++;
      else out.skipped[d.reason] = (out.skipped[d.reason] ?? 0) + 1;
    }
    if (batch.customers.length < size) break;
    after = batch.customers[batch.customers.length - 1]!.id;
  }
  out.estimatedSeconds = estimatedSeconds(out.reachable, opts.ratePerSecond ?? LIMITS.callsPerSecond);
  // R14d: the paid recipients at the price Meta's estimate gave the page's message campaign (none
  // known yet: absent, and the wizard asks Meta's estimate itself).
  const paid = out.routes.marketing_message ?? 0;
  if (paid > 0) {
    const account = await findAdAccount(ctx.db, workspaceId);
    const unit = account ? await knownUnitPrice(ctx.db, pageRow.id, account.currency) : null;
    if (unit) out.estimate = { currency: unit.currency, amount: unit.amount * paid };
  }
  return out;
}

/**
 * One life-cycle step (R9e) as a conditional update from the status the decision was taken on.
 * Cancel also closes every recipient not yet tried (skipped `cancelled`). Resuming a campaign the page's
 * restriction paused (R11b) clears the page's restriction: the admin says it is lifted, and Meta's
 * next answer says so again if it is not.
 */
/** The dispatcher's life-cycle port (dispatcher/batch.ts `DispatchContext.lifecycle`): system commands. */
export function campaignLifecycle(ctx: AppContext) {
  return (campaignId: number, cmd: CampaignCommand) => command(ctx, null, campaignId, cmd);
}

export async function command(
  ctx: CampaignContext,
  workspaceId: number | null,
  id: number,
  cmd: CampaignCommand,
): Promise<CampaignRow> {
  const now = ctx.clock.now();
  let wake = false;
  const row = await inTransaction(ctx.db, async (tx) => {
    const c = await store.findCampaign(tx, workspaceId, id, { forUpdate: true });
    if (!c) throw new DomainError('campaign_not_found', `No campaign ${id} in this workspace.`);
    // The batches' tallies join the counters here, under the row this step holds anyway (issue 13).
    await store.foldTallies(tx, c.id);
    const t = transition(
      { status: c.status, scheduledAt: c.scheduled_at, pauseReason: c.pause_reason },
      cmd,
      now,
    );
    if (!t.ok) throw new DomainError('campaign_state_conflict', t.message, { status: c.status });
    const patch: store.CampaignPatch = {
      status: t.next.status,
      pause_reason: t.next.pauseReason,
      scheduled_at: t.next.scheduledAt,
    };
    if (t.next.status === 'running' && !c.started_at) patch.started_at = now;
    if (t.next.status === 'completed' || t.next.status === 'cancelled') patch.finished_at = now;
    await store.updateCampaignIf(tx, c.id, c.status, patch, now);
    if (t.next.status === 'cancelled') await deliveries.closeCancelled(tx, c.id, now);
    if (
      cmd.type === 'resume' &&
      (c.pause_reason === 'page_restricted' || c.pause_reason === 'page_token_invalid')
    )
      await pages.updatePage(tx, c.workspace_id, c.page_id, { restricted_reason: null });
    if ((cmd.type === 'start' || cmd.type === 'resume') && ctx.queue) {
      const at = t.next.status === 'scheduled' ? t.next.scheduledAt : null;
      await ctx.queue.send(JOBS.campaignWake, { campaignId: c.id }, { tx, ...(at && { startAfter: at }) });
    }
    wake = t.next.status === 'running' && cmd.type !== 'due';
    return (await store.findCampaign(tx, null, c.id))!;
  });
  if (wake) ctx.kickDispatcher?.();
  return row;
}

export const startCampaign = (ctx: CampaignContext, ws: number, id: number, at?: Date | null) =>
  command(ctx, ws, id, { type: 'start', at: at ?? null });
export const pauseCampaign = (ctx: AppContext, ws: number, id: number) =>
  command(ctx, ws, id, { type: 'pause', reason: 'manual' });
export const resumeCampaign = (ctx: CampaignContext, ws: number, id: number) =>
  command(ctx, ws, id, { type: 'resume' });
export const cancelCampaign = (ctx: AppContext, ws: number, id: number) =>
  command(ctx, ws, id, { type: 'cancel' });

export async function campaignDeliveries(
  ctx: AppContext,
  workspaceId: number,
  id: number,
  opts: { status?: DeliveryStatus; after?: number; limit?: number },
) {
  const c = await getCampaign(ctx, workspaceId, id);
  return deliveries.listDeliveries(ctx.db, c.id, { ...opts, limit: Math.min(opts.limit ?? 100, 1000) });
}

// --- the message and its clicks -------------------------------------------------------------------

const INT_MAX = 2_147_483_647;

/** GET /r/:token: records the click and answers where to go; an unknown or forged token is not found. */
export async function followLink(ctx: AppContext, token: string): Promise<string> {
  const notFound = () => new DomainError('campaign_not_found', 'This link is not valid.');
  const m = /^([1-9]\d{0,9})\.([1-9]\d{0,15})\.(\d{1,2})\.([\w-]{1,64})$/.exec(token);
  if (!m) throw notFound();
  const [campaignId, deliveryId, button] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Ids beyond their columns (int, bigint held as a safe JS number) never reach the database.
  if (campaignId > INT_MAX || !Number.isSafeInteger(deliveryId)) throw notFound();
  const c = await store.findCampaign(ctx.db, null, campaignId);
  if (!c) throw notFound();
  const expected = Buffer.from(linkSignature(c.link_secret, `${campaignId}.${deliveryId}.${button}`));
  const given = Buffer.from(m[4]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw notFound();
  const content = c.content as CampaignContent;
  const target = content.type === 'buttons' ? content.buttons[button] : undefined;
  if (!target || target.type !== 'url') throw notFound();
  const d = await deliveries.findDelivery(ctx.db, deliveryId);
  if (d?.campaign_id === c.id) await deliveries.markClicked(ctx.db, { deliveryId }, ctx.clock.now());
  return target.url;
}

/** A postback from a campaign's button (`rn:c<id>:b<n>`): a click of that customer (R10a). */
export async function recordPostbackClick(
  ctx: AppContext,
  db: Executor,
  customerId: number,
  payload: string,
): Promise<boolean> {
  const p = parsePostbackPayload(payload);
  if (!p) return false;
  return deliveries.markClicked(db, { campaignId: p.campaignId, customerId }, ctx.clock.now());
}

export type { CampaignStatus };
