// An opt-in in two statements (issue 13): one reads everything the domain needs to decide (page,
// customer upserted, invitation, the customer's tokens on the topic, the topic), one writes what it
// decided (the token inserted or replaced, the invitation marked, the consent-history row). Both are
// prepared; the rules stay in domain/subscriptions.ts, between the two.
//
// Optimistic (two round trips, each in autocommit): the read takes no locks but returns the versions
// (xmin) of what it read; the write first locks the customer row, the invitation and the tokens and
// applies only if they are still the versions read — a concurrent change makes it write nothing and
// say so (`applied: false`), and the caller reads again. Why that is enough: every opt-in's read
// rewrites the customer row (its last interaction), so any opt-in between our read and our write
// changes the customer's xmin; the tokens and the invitation are compared as locked (their latest
// versions, not the statement's snapshot), which covers the dispatcher's and stop/resume's updates.
// The locking read (`lock: true`, inside a transaction) makes the same write's check always hold.
import type { SubscriptionState } from '../domain/model.ts';
import type { Frequency, Profile } from '../domain/options.ts';
import type { NewSubscription } from '../domain/subscriptions.ts';
import { type Executor, prepared } from './db.ts';
import { decrypt, encrypt, lookupHash } from './secrets.ts';

export interface OptInReadInput {
  fbPageId: string;
  psid: string;
  /** The customer's new last interaction, or null when an opt-in does not count as one. */
  interactionAt: Date | null;
  payload: string | null;
  /** The topic id the payload names (rn:t<id>:…), used when no invitation carries that payload. */
  payloadTopicId: number | null;
  /** An opt-in from outside renotify (m.me link, plugin) names its topic by title and kind only. */
  title: string | null;
  kind: 'one_time' | 'recurring';
  now: Date;
}

export interface OptInReads {
  page: { id: number; workspaceId: number; profile: Profile };
  customerId: number;
  invitation: { id: number; acceptedAt: Date | null; senderKind: string } | null;
  topic: {
    id: number;
    kind: 'one_time' | 'recurring';
    frequency: Frequency | null;
    validityMonths: number | null;
  } | null;
  /** The customer's tokens on that topic (locked with `lock`), oldest first. */
  existing: SubscriptionState[];
  /** What the write checks is unchanged: the customer row's and the tokens' versions. */
  versions: { customer: string; subscriptions: string };
}

// The topic: the invitation's, else the payload's, else (neither) the first of that title and kind by
// name; always of the page (a topic id of another page reads as unknown). The customer upsert keeps
// every stored field and only moves the last interaction forward, as customers.upsertCustomers does.
interface ReadRow {
  page_id: number;
  workspace_id: number;
  profile: Profile;
  customer_id: number;
  inv_id: number | null;
  inv_accepted_at: Date | null;
  inv_sender_kind: string | null;
  topic_id: number | null;
  topic_kind: 'one_time' | 'recurring' | null;
  topic_frequency: string | null;
  topic_validity_months: number | null;
  subs: Array<Record<string, string | number | null>> | null;
  customer_version: string;
  subs_version: string;
}

const readText = (lock: boolean) =>
  `WITH page AS (
     SELECT id, workspace_id, profile FROM pages WHERE fb_page_id = $1
   ), cust AS (
     INSERT INTO customers (workspace_id, page_id, psid, last_interaction_at, created_at)
     SELECT workspace_id, id, $2, $3::timestamptz, $4::timestamptz FROM page
     ON CONFLICT ON CONSTRAINT customers_page_psid_key DO UPDATE
       SET last_interaction_at = greatest(customers.last_interaction_at, excluded.last_interaction_at)
     RETURNING id, xmin::text AS version
   ), inv AS (
     SELECT i.id, i.topic_id, i.accepted_at, i.sender_kind FROM invitations i
     WHERE i.page_id = (SELECT id FROM page) AND i.payload = $5
     ${lock ? 'FOR UPDATE' : ''}
   ), wanted AS (
     SELECT coalesce((SELECT topic_id FROM inv), $6::int) AS id
   ), topic AS (
     SELECT t.id, t.kind, t.frequency, t.validity_months FROM topics t
     WHERE t.page_id = (SELECT id FROM page) AND t.deleted_at IS NULL
       AND (t.id = (SELECT id FROM wanted)
         OR ((SELECT id FROM wanted) IS NULL AND t.title = $7 AND t.kind = $8))
     ORDER BY t.name LIMIT 1
   ), subs AS (
     SELECT s.id, s.topic_id, s.kind, s.token, s.invitation_id, s.opted_in_at, s.expires_at, s.stopped_at,
            s.used_at, s.frequency, s.last_sent_at, s.next_eligible_at, s.xmin::text AS version
     FROM subscriptions s
     WHERE s.customer_id = (SELECT id FROM cust) AND s.topic_id = (SELECT id FROM topic)
     ORDER BY s.id
     ${lock ? 'FOR UPDATE' : ''}
   )
   SELECT p.id AS page_id, p.workspace_id, p.profile, (SELECT id FROM cust) AS customer_id,
          inv.id AS inv_id, inv.accepted_at AS inv_accepted_at, inv.sender_kind AS inv_sender_kind,
          topic.id AS topic_id, topic.kind AS topic_kind, topic.frequency AS topic_frequency,
          topic.validity_months AS topic_validity_months,
          (SELECT json_agg(subs ORDER BY subs.id) FROM subs) AS subs,
          (SELECT version FROM cust) AS customer_version,
          (SELECT ${SUBS_VERSION} FROM subs) AS subs_version
   FROM page p LEFT JOIN inv ON true LEFT JOIN topic ON true`;

// The versions of a customer's tokens on a topic, in one string: the read's and the write's must match.
const SUBS_VERSION = `coalesce(string_agg(id || ':' || version, ',' ORDER BY id), '')`;
const readLocked = prepared<ReadRow>('optin_read', readText(true));
const readOptimistic = prepared<ReadRow>('optin_read_optimistic', readText(false));

const date = (v: string | number | null | undefined) => new Date(v as string);
const dateOrNull = (v: string | number | null | undefined) =>
  v === null || v === undefined ? null : new Date(v as string);

/**
 * undefined: no page with that Facebook id (nothing was written). `lock`: the invitation and the tokens
 * are locked until the transaction ends (inside one only); without, the write checks them instead.
 */
export async function readForOptIn(
  db: Executor,
  i: OptInReadInput,
  lock: boolean,
): Promise<OptInReads | undefined> {
  const [r] = await (lock ? readLocked : readOptimistic).run(db, [
    i.fbPageId,
    i.psid,
    i.interactionAt,
    i.now,
    i.payload,
    i.payloadTopicId,
    i.title,
    i.kind,
  ]);
  if (!r) return undefined;
  return {
    page: { id: r.page_id, workspaceId: r.workspace_id, profile: r.profile },
    customerId: r.customer_id,
    invitation:
      r.inv_id === null
        ? null
        : { id: r.inv_id, acceptedAt: r.inv_accepted_at, senderKind: r.inv_sender_kind ?? '' },
    topic:
      r.topic_id === null
        ? null
        : {
            id: r.topic_id,
            kind: r.topic_kind!,
            frequency: r.topic_frequency as Frequency | null,
            validityMonths: r.topic_validity_months,
          },
    existing: (r.subs ?? []).map((s) => ({
      id: Number(s.id),
      topicId: Number(s.topic_id),
      kind: s.kind as 'one_time' | 'recurring',
      token: decrypt(s.token as string),
      invitationId: s.invitation_id === null ? null : Number(s.invitation_id),
      optedInAt: date(s.opted_in_at),
      expiresAt: date(s.expires_at),
      stoppedAt: dateOrNull(s.stopped_at),
      usedAt: dateOrNull(s.used_at),
      frequency: s.frequency as Frequency | null,
      lastSentAt: dateOrNull(s.last_sent_at),
      nextEligibleAt: dateOrNull(s.next_eligible_at),
    })),
    versions: { customer: r.customer_version, subscriptions: r.subs_version },
  };
}

export interface OptInWrite {
  scope: { workspaceId: number; pageId: number; customerId: number };
  topicId: number;
  /** What the domain decided: a new token, the existing one replaced, or nothing but the history row. */
  action:
    | { kind: 'insert'; row: NewSubscription }
    | { kind: 'update'; subscriptionId: number; row: NewSubscription }
    | { kind: 'ignore'; subscriptionId: number | null };
  event: string;
  at: Date;
  /** As read: the write applies only if its acceptance time is still this one. */
  invitation: { id: number; senderKind: string; acceptedAt: Date | null } | null;
  detail: unknown;
  now: Date;
  /** From the read: the write applies only if these are still the customer's and the tokens' versions. */
  versions: { customer: string; subscriptions: string };
}

/**
 * The check every write starts with (p: its parameters' numbers). It locks the customer row first (as
 * every opt-in does, so two of one customer never deadlock), then the invitation and the tokens; `ok`
 * has its row only if all are as read. A failed check locks nothing but waits for the customer row.
 */
function guard(p: {
  customer: string;
  topic: string;
  invitation: string;
  version: string;
  subs: string;
  accepted: string;
}) {
  return `guard AS (
     SELECT c.id FROM customers c WHERE c.id = ${p.customer}::int AND c.xmin = ${p.version}::xid FOR UPDATE
   ), inv_now AS (
     SELECT i.accepted_at FROM invitations i
     WHERE i.id = ${p.invitation}::int AND (SELECT id FROM guard) IS NOT NULL
     FOR UPDATE
   ), subs_now AS (
     SELECT s.id, s.xmin::text AS version FROM subscriptions s
     WHERE s.customer_id = (SELECT id FROM guard) AND s.topic_id = ${p.topic}::int
     ORDER BY s.id
     FOR UPDATE
   ), ok AS (
     SELECT 1 WHERE (SELECT id FROM guard) IS NOT NULL
       AND (${p.invitation}::int IS NULL
         OR EXISTS (SELECT 1 FROM inv_now WHERE accepted_at IS NOT DISTINCT FROM ${p.accepted}::timestamptz))
       AND (SELECT ${SUBS_VERSION} FROM subs_now) = ${p.subs}::text
   )`;
}

// $1..$12: the token's columns; the consent row's own parameters follow, then the guard's.
const TOKEN_COLUMNS = `topic_id, kind, token, token_hash, invitation_id, opted_in_at, expires_at, stopped_at,
  used_at, frequency, last_sent_at, next_eligible_at`;
const TOKEN_VALUES = `$1::int, $2, $3, $4, $5::int, $6::timestamptz, $7::timestamptz, $8::timestamptz,
  $9::timestamptz, $10, $11::timestamptz, $12::timestamptz`;
// The invitation is marked once (its first acceptance, R3a); the history row names the token written.
const MARK_AND_CONSENT = `mark AS (
     UPDATE invitations SET accepted_at = $17::timestamptz
     WHERE id = $18::int AND accepted_at IS NULL AND EXISTS (SELECT 1 FROM ok)
   )
   INSERT INTO consent_history
     (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at, invitation_id, sender_kind, detail)
   SELECT $13::int, $14::int, $1::int, $15::int, (SELECT id FROM sub), $16, $17::timestamptz, $18::int, $19,
          $20::jsonb
   WHERE EXISTS (SELECT 1 FROM ok)
   RETURNING subscription_id`;
const TOKEN_GUARD = guard({
  customer: '$15',
  topic: '$1',
  invitation: '$18',
  version: '$22',
  subs: '$23',
  accepted: '$24',
});

const writeInsert = prepared<{ subscription_id: number }>(
  'optin_write_insert',
  `WITH ${TOKEN_GUARD}, sub AS (
     INSERT INTO subscriptions (${TOKEN_COLUMNS}, workspace_id, page_id, customer_id, expiry_recorded_at,
                                created_at, updated_at)
     SELECT ${TOKEN_VALUES}, $13::int, $14::int, $15::int, NULL, $21::timestamptz, $21::timestamptz
     WHERE EXISTS (SELECT 1 FROM ok)
     RETURNING id
   ), ${MARK_AND_CONSENT}`,
);

const writeUpdate = prepared<{ subscription_id: number }>(
  'optin_write_update',
  `WITH ${TOKEN_GUARD}, sub AS (
     UPDATE subscriptions SET (${TOKEN_COLUMNS}, expiry_recorded_at, updated_at)
       = (${TOKEN_VALUES}, NULL, $21::timestamptz)
     WHERE id = $25::int AND EXISTS (SELECT 1 FROM ok)
     RETURNING id
   ), ${MARK_AND_CONSENT}`,
);

// A repeat or a stale acceptance changes nothing but the history (and does not mark the invitation).
const writeIgnore = prepared<{ subscription_id: number }>(
  'optin_write_ignore',
  `WITH ${guard({ customer: '$4', topic: '$3', invitation: '$8', version: '$11', subs: '$12', accepted: '$13' })}
   INSERT INTO consent_history
     (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at, invitation_id, sender_kind, detail)
   SELECT $1::int, $2::int, $3::int, $4::int, $5::int, $6, $7::timestamptz, $8::int, $9, $10::jsonb
   WHERE EXISTS (SELECT 1 FROM ok)
   RETURNING subscription_id`,
);

export type OptInWritten = { applied: true; subscriptionId: number | null } | { applied: false };

/**
 * Writes the decision if what it was made from is unchanged (`applied`, with the id of the token the
 * history row names, null: none); otherwise writes nothing.
 */
export async function writeOptIn(db: Executor, w: OptInWrite): Promise<OptInWritten> {
  const detail = JSON.stringify(w.detail ?? {});
  const inv = w.invitation;
  const checks = [w.versions.customer, w.versions.subscriptions, inv?.acceptedAt ?? null];
  const written = ([r]: { subscription_id: number | null }[]): OptInWritten =>
    r ? { applied: true, subscriptionId: r.subscription_id ?? null } : { applied: false };
  if (w.action.kind === 'ignore') {
    const rows = await writeIgnore.run(db, [
      w.scope.workspaceId,
      w.scope.pageId,
      w.topicId,
      w.scope.customerId,
      w.action.subscriptionId,
      w.event,
      w.at,
      inv?.id ?? null,
      inv?.senderKind ?? null,
      detail,
      ...checks,
    ]);
    return written(rows);
  }
  const s = w.action.row;
  const params: unknown[] = [
    s.topicId,
    s.kind,
    encrypt(s.token),
    lookupHash(s.token),
    s.invitationId,
    s.optedInAt,
    s.expiresAt,
    s.stoppedAt,
    s.usedAt,
    s.frequency,
    s.lastSentAt,
    s.nextEligibleAt,
    w.scope.workspaceId,
    w.scope.pageId,
    w.scope.customerId,
    w.event,
    w.at,
    inv?.id ?? null,
    inv?.senderKind ?? null,
    detail,
    w.now,
    ...checks,
  ];
  return written(
    w.action.kind === 'insert'
      ? await writeInsert.run(db, params)
      : await writeUpdate.run(db, [...params, w.action.subscriptionId]),
  );
}
