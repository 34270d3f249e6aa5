// Subscriptions (tokens) and their append-only consent history (R3c): the only module that writes
// either table. The atomic token claim (R7b) is a conditional UPDATE, set-based for every sender: of
// two concurrent claimers exactly one sees its row come back.
import { type RawBuilder, sql } from 'kysely';
import type { ConsentEvent, SubscriptionState } from '../domain/model.ts';
import type { Frequency } from '../domain/platform.ts';
import type { NewSubscription } from '../domain/subscriptions.ts';
import type { Executor } from './db.ts';
import type { ConsentRow, SubscriptionRow } from './schema.ts';
import { decrypt, encrypt, lookupHash } from './secrets.ts';

export function toSubscriptionState(row: SubscriptionRow): SubscriptionState {
  return {
    id: row.id,
    topicId: row.topic_id,
    kind: row.kind,
    token: decrypt(row.token),
    invitationId: row.invitation_id,
    optedInAt: row.opted_in_at,
    expiresAt: row.expires_at,
    stoppedAt: row.stopped_at,
    usedAt: row.used_at,
    frequency: row.frequency as Frequency | null,
    lastSentAt: row.last_sent_at,
    nextEligibleAt: row.next_eligible_at,
  };
}

function columns(s: NewSubscription) {
  return {
    topic_id: s.topicId,
    kind: s.kind,
    token: encrypt(s.token),
    token_hash: lookupHash(s.token),
    invitation_id: s.invitationId,
    opted_in_at: s.optedInAt,
    expires_at: s.expiresAt,
    stopped_at: s.stoppedAt,
    used_at: s.usedAt,
    frequency: s.frequency,
    last_sent_at: s.lastSentAt,
    next_eligible_at: s.nextEligibleAt,
  };
}

export async function insertSubscription(
  db: Executor,
  scope: { workspaceId: number; pageId: number; customerId: number },
  s: NewSubscription,
  now: Date,
): Promise<SubscriptionRow> {
  return db
    .insertInto('subscriptions')
    .values({
      workspace_id: scope.workspaceId,
      page_id: scope.pageId,
      customer_id: scope.customerId,
      ...columns(s),
      expiry_recorded_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function replaceSubscription(
  db: Executor,
  id: number,
  s: NewSubscription,
  now: Date,
): Promise<SubscriptionRow> {
  return db
    .updateTable('subscriptions')
    .set({ ...columns(s), expiry_recorded_at: null, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One customer's tokens on one topic (or all topics), locked when asked (opt-in, stop, send). */
export async function customerSubscriptions(
  db: Executor,
  customerId: number,
  opts: { topicId?: number; forUpdate?: boolean } = {},
): Promise<SubscriptionRow[]> {
  let q = db.selectFrom('subscriptions').selectAll().where('customer_id', '=', customerId);
  if (opts.topicId !== undefined) q = q.where('topic_id', '=', opts.topicId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.orderBy('id').execute();
}

export async function findSubscriptionByToken(
  db: Executor,
  pageId: number,
  token: string,
): Promise<SubscriptionRow | undefined> {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('token_hash', '=', lookupHash(token))
    .forUpdate()
    .executeTakeFirst();
}

export async function setStopped(
  db: Executor,
  id: number,
  stoppedAt: Date | null,
  statusAt: Date,
  now: Date,
): Promise<void> {
  await db
    .updateTable('subscriptions')
    // A new stop is told to Meta afresh (R14e): not queued behind others for an earlier stop's refusal.
    .set({ stopped_at: stoppedAt, status_at: statusAt, updated_at: now, meta_stop_tried_at: null })
    .where('id', '=', id)
    .execute();
}

/** A token's use marks: what a claim sets, or what a release puts back. */
export interface TokenUse {
  subscriptionId: number;
  usedAt: Date | null;
  lastSentAt: Date | null;
  nextEligibleAt: Date | null;
}

/**
 * R7b, the one guard for every sender (a single send and a campaign batch alike): claims each token
 * with a conditional UPDATE whose WHERE repeats the validity conditions a concurrent claimer could
 * change (OTN unused; recurring past its cooldown), so of two racing claims exactly one gets its row
 * back. Returns the ids won.
 */
export async function claimTokens(db: Executor, uses: readonly TokenUse[], now: Date): Promise<Set<number>> {
  if (uses.length === 0) return new Set();
  const res = await claimTokensStatement(uses, now).execute(db);
  return new Set(res.rows.map((r) => Number(r.id)));
}

/**
 * The same guard as one `UPDATE … RETURNING id` to compose into a larger statement (the campaign claim
 * writes its batch's token claims and attempts in one round trip, dispatch-store.ts). Empty `uses` is
 * fine: it updates nothing.
 */
export function claimTokensStatement(uses: readonly TokenUse[], now: Date) {
  return sql<{ id: number }>`
    UPDATE subscriptions s
    SET used_at = v.used_at, last_sent_at = v.last_sent_at, next_eligible_at = v.next_eligible_at,
        updated_at = ${now}
    FROM unnest(${uses.map((u) => u.subscriptionId)}::int[], ${uses.map((u) => u.usedAt)}::timestamptz[],
      ${uses.map((u) => u.lastSentAt)}::timestamptz[], ${uses.map((u) => u.nextEligibleAt)}::timestamptz[])
      AS v(id, used_at, last_sent_at, next_eligible_at)
    WHERE s.id = v.id AND s.stopped_at IS NULL AND s.expires_at > ${now}
      AND ((s.kind = 'one_time' AND s.used_at IS NULL)
        OR (s.kind = 'recurring' AND (s.next_eligible_at IS NULL OR s.next_eligible_at <= ${now})))
    RETURNING s.id`;
}

/** R7b for one send: true when this claim won the token. */
export async function claimToken(
  db: Executor,
  sub: Pick<SubscriptionState, 'id'>,
  patch: Pick<SubscriptionState, 'usedAt' | 'lastSentAt' | 'nextEligibleAt'>,
  now: Date,
): Promise<boolean> {
  const won = await claimTokens(db, [useOf(sub.id, patch)], now);
  return won.has(sub.id);
}

/** Gives tokens back to their state before the claim (the send provably did not happen). */
export async function releaseTokens(db: Executor, previous: readonly TokenUse[], now: Date): Promise<void> {
  if (previous.length === 0) return;
  await sql`
    UPDATE subscriptions s
    SET used_at = v.used_at, last_sent_at = v.last_sent_at, next_eligible_at = v.next_eligible_at,
        updated_at = ${now}
    FROM unnest(${previous.map((u) => u.subscriptionId)}::int[], ${previous.map((u) => u.usedAt)}::timestamptz[],
      ${previous.map((u) => u.lastSentAt)}::timestamptz[], ${previous.map((u) => u.nextEligibleAt)}::timestamptz[])
      AS v(id, used_at, last_sent_at, next_eligible_at)
    WHERE s.id = v.id`.execute(db);
}

/** Give a claimed token back when the send provably did not happen (Meta refused before delivery). */
export async function releaseToken(
  db: Executor,
  id: number,
  previous: Pick<SubscriptionState, 'usedAt' | 'lastSentAt' | 'nextEligibleAt'>,
  now: Date,
): Promise<void> {
  await releaseTokens(db, [useOf(id, previous)], now);
}

function useOf(
  subscriptionId: number,
  s: Pick<SubscriptionState, 'usedAt' | 'lastSentAt' | 'nextEligibleAt'>,
): TokenUse {
  return { subscriptionId, usedAt: s.usedAt, lastSentAt: s.lastSentAt, nextEligibleAt: s.nextEligibleAt };
}

/** Held subscriptions of a topic: not expired, not used. R5c refuses deleting a topic with any. */
export async function countLiveSubscriptions(db: Executor, topicId: number, now: Date): Promise<number> {
  const row = await db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('topic_id', '=', topicId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Audience of a topic right now: customers holding a sendable token (R6e), counted once each. */
export async function countValidSubscribers(db: Executor, topicId: number, now: Date): Promise<number> {
  const row = await db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.count<number>('customer_id').distinct().as('n'))
    .where('topic_id', '=', topicId)
    .where('used_at', 'is', null)
    .where('stopped_at', 'is', null)
    .where('expires_at', '>', now)
    .where((eb) => eb.or([eb('next_eligible_at', 'is', null), eb('next_eligible_at', '<=', now)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface ConsentEntry {
  workspaceId: number;
  pageId: number;
  topicId: number;
  customerId: number;
  subscriptionId: number | null;
  event: ConsentEvent;
  at: Date;
  invitationId?: number | null;
  senderKind?: string | null;
  detail?: Record<string, unknown>;
}

/** Appends one event to the consent history (append-only: a trigger refuses updates and deletes). */
export async function appendConsent(db: Executor, e: ConsentEntry): Promise<void> {
  await appendConsents(db, [e]);
}

/** Set-based append, one statement for a batch (a campaign's `used` rows). */
export async function appendConsents(db: Executor, entries: readonly ConsentEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await appendConsentsStatement(entries).execute(db);
}

/**
 * The same append to compose into a larger statement. With `gate`, entry i is appended only when
 * `gate.keys[i]` is in the relation `gate.in` (e.g. the deliveries an outcome update wrote).
 */
export function appendConsentsStatement(
  entries: readonly ConsentEntry[],
  gate?: { keys: readonly number[]; in: RawBuilder<unknown> },
) {
  const col = <T>(f: (e: ConsentEntry) => T) => entries.map(f);
  return sql`
    INSERT INTO consent_history
      (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at, invitation_id, sender_kind, detail)
    SELECT w, p, t, c, s, ev, at, inv, sk, d::jsonb
    FROM unnest(${col((e) => e.workspaceId)}::int[], ${col((e) => e.pageId)}::int[],
      ${col((e) => e.topicId)}::int[], ${col((e) => e.customerId)}::int[],
      ${col((e) => e.subscriptionId)}::int[], ${col((e) => e.event)}::text[], ${col((e) => e.at)}::timestamptz[],
      ${col((e) => e.invitationId ?? null)}::int[], ${col((e) => e.senderKind ?? null)}::text[],
      ${col((e) => JSON.stringify(e.detail ?? {}))}::text[], ${gate ? [...gate.keys] : col(() => null)}::bigint[])
      AS v(w, p, t, c, s, ev, at, inv, sk, d, gate_key)
    ${gate ? sql`WHERE gate_key IN ${gate.in}` : sql``}`;
}

export async function consentHistory(
  db: Executor,
  workspaceId: number,
  filter: { customerId?: number; topicId?: number } = {},
): Promise<ConsentRow[]> {
  let q = db.selectFrom('consent_history').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
  if (filter.topicId !== undefined) q = q.where('topic_id', '=', filter.topicId);
  return q.orderBy('at').orderBy('id').execute();
}

/** Expired tokens whose expiry is not in the history yet: the sweep records them once. */
export async function claimUnrecordedExpiries(
  db: Executor,
  now: Date,
  limit: number,
): Promise<SubscriptionRow[]> {
  return db
    .updateTable('subscriptions')
    .set({ expiry_recorded_at: now })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('subscriptions')
        .select('id')
        .where('expiry_recorded_at', 'is', null)
        .where('expires_at', '<=', now)
        .where('used_at', 'is', null)
        .limit(limit),
    )
    .returningAll()
    .execute();
}

/** A consent-history row as exported, with its topic and customer. */
export interface ConsentExportRow {
  id: number;
  at: Date;
  event: string;
  topic_id: number;
  topic_name: string;
  topic_kind: string;
  customer_id: number;
  psid: string;
  subscription_id: number | null;
  invitation_id: number | null;
  sender_kind: string | null;
  detail: Record<string, unknown>;
}

/** One keyset batch of the workspace's consent history, oldest first (ids grow with time of writing). */
export async function consentBatch(
  db: Executor,
  workspaceId: number,
  filter: { topicId?: number | undefined; customerId?: number | undefined },
  afterId: number,
  limit: number,
): Promise<ConsentExportRow[]> {
  let q = db
    .selectFrom('consent_history as h')
    .innerJoin('topics as t', 't.id', 'h.topic_id')
    .innerJoin('customers as c', 'c.id', 'h.customer_id')
    .select([
      'h.id',
      'h.at',
      'h.event',
      'h.topic_id',
      't.name as topic_name',
      't.kind as topic_kind',
      'h.customer_id',
      'c.psid',
      'h.subscription_id',
      'h.invitation_id',
      'h.sender_kind',
      'h.detail',
    ])
    .where('h.workspace_id', '=', workspaceId)
    .where('h.id', '>', afterId);
  if (filter.topicId !== undefined) q = q.where('h.topic_id', '=', filter.topicId);
  if (filter.customerId !== undefined) q = q.where('h.customer_id', '=', filter.customerId);
  return q.orderBy('h.id').limit(limit).execute();
}
