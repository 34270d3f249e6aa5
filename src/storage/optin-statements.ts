// An opt-in in two statements (issue 13): one reads everything the domain needs to decide (page,
// customer, invitation, the customer's tokens on the topic, the topic), one writes what it decided (the
// customer upserted, the token inserted or replaced, the invitation marked, the consent-history row).
// Both are prepared; the rules stay in domain/subscriptions.ts, between the two.
//
// Optimistic (two round trips, each in autocommit, and only the write commits anything): the read takes
// no locks but returns the versions (xmin) of the customer row and the tokens; the write first locks the
// customer row (its upsert), then the invitation and the tokens, and applies only if all are still as
// read — else it writes nothing and says so (`applied: false`), and the caller reads again. Why that is
// enough: every opt-in's write rewrites the customer row, so an opt-in that wrote between our read and our
// write changed its xmin, and one still writing is waited for and then seen by that check; the tokens
// and the invitation are compared as locked (their latest versions, not the statement's snapshot), which
// covers the dispatcher's and stop/resume's updates. With `lock` (inside a transaction) the read locks
// the same rows, and the write's check holds but after a wait (the read's snapshot was older: read again).
import type { SubscriptionState } from '../domain/model.ts';
import type { Frequency, Profile } from '../domain/options.ts';
import type { NewSubscription } from '../domain/subscriptions.ts';
import { type Executor, jsonText, prepared } from './db.ts';
import { decrypt, encrypt, lookupHash } from './secrets.ts';

export interface OptInReadInput {
  fbPageId: string;
  psid: string;
  payload: string | null;
  /** The topic id the payload names (rn:t<id>:…), used when no invitation carries that payload. */
  payloadTopicId: number | null;
  /** An opt-in from outside renotify (m.me link, plugin) names its topic by title and kind only. */
  title: string | null;
  kind: 'one_time' | 'recurring';
}

export interface OptInReads {
  page: { id: number; workspaceId: number; profile: Profile };
  /** null: not a customer yet (the write creates them). */
  customerId: number | null;
  invitation: { id: number; acceptedAt: Date | null; senderKind: string } | null;
  topic: {
    id: number;
    kind: 'one_time' | 'recurring';
    frequency: Frequency | null;
    validityMonths: number | null;
  } | null;
  /** The customer's tokens on that topic (locked with `lock`), oldest first. */
  existing: SubscriptionState[];
  /** What the write checks is unchanged: the customer row's (null: none yet) and the tokens' versions. */
  versions: { customer: string | null; subscriptions: string };
}

// The topic: the invitation's, else the payload's, else (neither) the first of that title and kind by
// name; always of the page (a topic id of another page reads as unknown).
interface ReadRow {
  page_id: number;
  workspace_id: number;
  profile: Profile;
  customer_id: number | null;
  inv_id: number | null;
  inv_accepted_at: Date | null;
  inv_sender_kind: string | null;
  topic_id: number | null;
  topic_kind: 'one_time' | 'recurring' | null;
  topic_frequency: string | null;
  topic_validity_months: number | null;
  subs: Array<Record<string, string | number | null>> | null;
  customer_version: string | null;
  subs_version: string;
}

// The locking read takes its locks in the write's order — the customer row, then the invitation, then
// the tokens — or a locking read and a checked write of one customer deadlock (each holding what the
// other waits for). The final SELECT scans `inv` before it evaluates `cust`; the always-true
// `(SELECT count(*) FROM cust) >= 0` in `inv`'s filter makes the customer row locked first.
const readText = (lock: boolean) =>
  `WITH page AS (
     SELECT id, workspace_id, profile FROM pages WHERE fb_page_id = $1
   ), cust AS (
     SELECT c.id, c.xmin::text AS version FROM customers c
     WHERE c.page_id = (SELECT id FROM page) AND c.psid = $2
     ${lock ? 'FOR UPDATE' : ''}
   ), inv AS (
     SELECT i.id, i.topic_id, i.accepted_at, i.sender_kind FROM invitations i
     WHERE i.page_id = (SELECT id FROM page) AND i.payload = $3
     ${lock ? `AND (SELECT count(*) FROM cust) >= 0 FOR UPDATE` : ''}
   ), wanted AS (
     SELECT coalesce((SELECT topic_id FROM inv), $4::int) AS id
   ), topic AS (
     SELECT t.id, t.kind, t.frequency, t.validity_months FROM topics t
     WHERE t.page_id = (SELECT id FROM page) AND t.deleted_at IS NULL
       AND (t.id = (SELECT id FROM wanted)
         OR ((SELECT id FROM wanted) IS NULL AND t.title = $5 AND t.kind = $6))
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
    i.payload,
    i.payloadTopicId,
    i.title,
    i.kind,
  ]);
  if (!r) return undefined;
  return toReads(r, { id: r.page_id, workspaceId: r.workspace_id, profile: r.profile });
}

type ReadRowOfPage = Omit<ReadRow, 'page_id' | 'workspace_id' | 'profile'>;

function toReads(r: ReadRowOfPage, page: OptInReads['page']): OptInReads {
  return {
    page,
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

/** Who opts in: the customer is created, or their last interaction moved forward, by the write. */
export interface OptInCustomer {
  workspaceId: number;
  pageId: number;
  psid: string;
  /** The customer's new last interaction, or null when an opt-in does not count as one. */
  interactionAt: Date | null;
}

export interface OptInWrite {
  customer: OptInCustomer;
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
  versions: { customer: string | null; subscriptions: string };
}

// The customer upsert keeps every stored field and only moves the last interaction forward, as
// customers.upsertCustomers does. p: the parameters' numbers.
const upsertCustomer = (p: {
  workspace: string;
  page: string;
  psid: string;
  interaction: string;
  now: string;
}) =>
  `INSERT INTO customers (workspace_id, page_id, psid, last_interaction_at, created_at)
     VALUES (${p.workspace}::int, ${p.page}::int, ${p.psid}, ${p.interaction}::timestamptz, ${p.now}::timestamptz)
     ON CONFLICT ON CONSTRAINT customers_page_psid_key DO UPDATE
       SET last_interaction_at = greatest(customers.last_interaction_at, excluded.last_interaction_at)`;

/**
 * The check every write starts with (p: its parameters' numbers). It locks the customer row first — the
 * upsert, which applies only to the version read (none: only a new customer) — as every opt-in does, so
 * two of one customer never deadlock; then the invitation and the tokens. `ok` has its row only if all
 * are as read. A failed check locks no invitation or token (it may have written a new customer).
 */
function guard(
  p: {
    workspace: string;
    page: string;
    psid: string;
    interaction: string;
    now: string;
    topic: string;
    invitation: string;
    version: string;
    subs: string;
    accepted: string;
  },
  withInvitation: boolean,
) {
  // Without an invitation (an opt-in from an m.me link or the plugin, or a payload naming none) the
  // statement has no invitation parts: fewer plan nodes to start, no invitations relation to lock.
  const invitationCheck = withInvitation
    ? `(${p.invitation}::int IS NULL
         OR EXISTS (SELECT 1 FROM inv_now WHERE accepted_at IS NOT DISTINCT FROM ${p.accepted}::timestamptz))`
    : `${p.invitation}::int IS NULL AND ${p.accepted}::timestamptz IS NULL`;
  return `cust AS (
     ${upsertCustomer(p)}
       WHERE customers.xmin = ${p.version}::xid
     RETURNING id
   ), ${
     withInvitation
       ? `inv_now AS (
     SELECT i.accepted_at FROM invitations i
     WHERE i.id = ${p.invitation}::int AND (SELECT id FROM cust) IS NOT NULL
     FOR UPDATE
   ), `
       : ''
   }subs_now AS (
     SELECT s.id, s.xmin::text AS version FROM subscriptions s
     WHERE s.customer_id = (SELECT id FROM cust) AND s.topic_id = ${p.topic}::int
     ORDER BY s.id
     FOR UPDATE
   ), ok AS (
     SELECT 1 WHERE (SELECT id FROM cust) IS NOT NULL
       AND ${invitationCheck}
       AND (SELECT ${SUBS_VERSION} FROM subs_now) = ${p.subs}::text
   )`;
}

// $1..$12: the token's columns; $13..$21 the customer's and the consent row's; $22..$25 the check's.
const TOKEN_COLUMNS = `topic_id, kind, token, token_hash, invitation_id, opted_in_at, expires_at, stopped_at,
  used_at, frequency, last_sent_at, next_eligible_at`;
const TOKEN_VALUES = `$1::int, $2, $3, $4, $5::int, $6::timestamptz, $7::timestamptz, $8::timestamptz,
  $9::timestamptz, $10, $11::timestamptz, $12::timestamptz`;
const TOKEN_GUARD_PARAMS = {
  workspace: '$13',
  page: '$14',
  psid: '$15',
  now: '$21',
  interaction: '$22',
  topic: '$1',
  invitation: '$18',
  version: '$23',
  subs: '$24',
  accepted: '$25',
};
// The invitation is marked once (its first acceptance, R3a); the history row names the token written.
const MARK = `mark AS (
     UPDATE invitations SET accepted_at = $17::timestamptz
     WHERE id = $18::int AND accepted_at IS NULL AND EXISTS (SELECT 1 FROM ok)
   )`;
const CONSENT = `INSERT INTO consent_history
     (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at, invitation_id, sender_kind, detail)
   SELECT $13::int, $14::int, $1::int, (SELECT id FROM cust), (SELECT id FROM sub), $16, $17::timestamptz,
          $18::int, $19, $20::jsonb
   WHERE EXISTS (SELECT 1 FROM ok)
   RETURNING customer_id, subscription_id`;

type Written = { customer_id: number; subscription_id: number | null };

/** The three writes, with the invitation's check and mark (`withInvitation`) or without them. */
function writes(withInvitation: boolean) {
  const name = (kind: string) => `optin_write_${kind}${withInvitation ? '' : '_bare'}`;
  const tail = withInvitation ? `, ${MARK}\n   ${CONSENT}` : `\n   ${CONSENT}`;
  return {
    insert: prepared<Written>(
      name('insert'),
      `WITH ${guard(TOKEN_GUARD_PARAMS, withInvitation)}, sub AS (
     INSERT INTO subscriptions (${TOKEN_COLUMNS}, workspace_id, page_id, customer_id, expiry_recorded_at,
                                created_at, updated_at)
     SELECT ${TOKEN_VALUES}, $13::int, $14::int, (SELECT id FROM cust), NULL, $21::timestamptz, $21::timestamptz
     WHERE EXISTS (SELECT 1 FROM ok)
     RETURNING id
   )${tail}`,
    ),
    update: prepared<Written>(
      name('update'),
      `WITH ${guard(TOKEN_GUARD_PARAMS, withInvitation)}, sub AS (
     UPDATE subscriptions SET (${TOKEN_COLUMNS}, expiry_recorded_at, updated_at)
       = (${TOKEN_VALUES}, NULL, $21::timestamptz)
     WHERE id = $26::int AND EXISTS (SELECT 1 FROM ok)
     RETURNING id
   )${tail}`,
    ),
    // A repeat or a stale acceptance changes nothing but the history (and does not mark the invitation).
    ignore: prepared<Written>(
      name('ignore'),
      `WITH ${guard(
        {
          workspace: '$1',
          page: '$2',
          psid: '$4',
          now: '$11',
          interaction: '$12',
          topic: '$3',
          invitation: '$8',
          version: '$13',
          subs: '$14',
          accepted: '$15',
        },
        withInvitation,
      )}
   INSERT INTO consent_history
     (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at, invitation_id, sender_kind, detail)
   SELECT $1::int, $2::int, $3::int, (SELECT id FROM cust), $5::int, $6, $7::timestamptz, $8::int, $9, $10::jsonb
   WHERE EXISTS (SELECT 1 FROM ok)
   RETURNING customer_id, subscription_id`,
    ),
  };
}
const withInvitation = writes(true);
const withoutInvitation = writes(false);

// An opt-in whose topic is unknown still makes (or touches) the customer, and writes nothing else.
const writeCustomer = prepared<{ id: number }>(
  'optin_write_customer',
  `${upsertCustomer({ workspace: '$1', page: '$2', psid: '$3', interaction: '$4', now: '$5' })} RETURNING id`,
);

export async function writeOptInCustomer(db: Executor, c: OptInCustomer, now: Date): Promise<number> {
  const [r] = await writeCustomer.run(db, [c.workspaceId, c.pageId, c.psid, c.interactionAt, now]);
  return r!.id;
}

export type OptInWritten =
  | { applied: true; customerId: number; subscriptionId: number | null }
  | { applied: false };

/**
 * Writes the decision if what it was made from is unchanged (`applied`, with the customer's id and the
 * id of the token the history row names, null: none); otherwise writes nothing but maybe the customer.
 */
export async function writeOptIn(db: Executor, w: OptInWrite): Promise<OptInWritten> {
  const detail = jsonText(w.detail ?? {});
  const inv = w.invitation;
  const c = w.customer;
  const checks = [c.interactionAt, w.versions.customer, w.versions.subscriptions, inv?.acceptedAt ?? null];
  const written = ([r]: Written[]): OptInWritten =>
    r
      ? { applied: true, customerId: r.customer_id, subscriptionId: r.subscription_id ?? null }
      : { applied: false };
  const statements = inv ? withInvitation : withoutInvitation;
  if (w.action.kind === 'ignore') {
    const rows = await statements.ignore.run(db, [
      c.workspaceId,
      c.pageId,
      w.topicId,
      c.psid,
      w.action.subscriptionId,
      w.event,
      w.at,
      inv?.id ?? null,
      inv?.senderKind ?? null,
      detail,
      w.now,
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
    c.workspaceId,
    c.pageId,
    c.psid,
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
      ? await statements.insert.run(db, params)
      : await statements.update.run(db, [...params, w.action.subscriptionId]),
  );
}

// ---- Many opt-ins in one read and one write (the worker's batch, webhook-optins.ts) ----
// The same reads and the same checked write as above, for many customers at once (each at most once in
// a batch, so no row is written twice by one statement; nor one invitation or one token: the caller
// sees to it). The pages are known to the caller. The write checks each row as the one-opt-in write does
// and applies only the rows whose check held; the others write nothing (but maybe their customer, and
// their invitation and tokens stay locked until the caller's transaction ends) and the caller applies
// them one at a time. Unlike one opt-in, the write locks many customers' tokens and invitations: it
// skips those another transaction holds (SKIP LOCKED: that row's check then fails and it goes one at a
// time) rather than wait for them, or it could deadlock with a writer locking many tokens in another
// order (a campaign's token claim). The customer rows it does wait for, in (page, psid) order.

export interface OptInBatchInput extends Omit<OptInReadInput, 'fbPageId'> {
  page: OptInReads['page'];
}

const readManyText = `SELECT i.ord::int AS ord, c.id AS customer_id, c.xmin::text AS customer_version,
     inv.id AS inv_id, inv.accepted_at AS inv_accepted_at, inv.sender_kind AS inv_sender_kind,
     t.id AS topic_id, t.kind AS topic_kind, t.frequency AS topic_frequency,
     t.validity_months AS topic_validity_months, s.subs, coalesce(s.subs_version, '') AS subs_version
   FROM json_to_recordset($1::json)
     AS i(ord int, page_id int, psid text, payload text, payload_topic int, title text, kind text)
   LEFT JOIN customers c ON c.page_id = i.page_id AND c.psid = i.psid
   LEFT JOIN invitations inv ON inv.page_id = i.page_id AND inv.payload = i.payload
   LEFT JOIN LATERAL (
     SELECT t.id, t.kind, t.frequency, t.validity_months FROM topics t
     WHERE t.page_id = i.page_id AND t.deleted_at IS NULL
       AND (t.id = coalesce(inv.topic_id, i.payload_topic)
         OR (coalesce(inv.topic_id, i.payload_topic) IS NULL AND t.title = i.title AND t.kind = i.kind))
     ORDER BY t.name LIMIT 1
   ) t ON true
   LEFT JOIN LATERAL (
     SELECT json_agg(x ORDER BY x.id) AS subs, string_agg(x.id || ':' || x.version, ',' ORDER BY x.id) AS subs_version
     FROM (
       SELECT s.id, s.topic_id, s.kind, s.token, s.invitation_id, s.opted_in_at, s.expires_at, s.stopped_at,
              s.used_at, s.frequency, s.last_sent_at, s.next_eligible_at, s.xmin::text AS version
       FROM subscriptions s WHERE s.customer_id = c.id AND s.topic_id = t.id
     ) x
   ) s ON true
   ORDER BY i.ord`;
const readMany = prepared<ReadRowOfPage & { ord: number }>('optin_read_many', readManyText);

/** What readForOptIn returns, for each input in order (the page as given). Takes no locks. */
export async function readForOptIns(db: Executor, inputs: readonly OptInBatchInput[]): Promise<OptInReads[]> {
  if (inputs.length === 0) return [];
  // One JSON parameter, as the write's (below).
  const input = inputs.map((i, k) => ({
    ord: k + 1,
    page_id: i.page.id,
    psid: i.psid,
    payload: i.payload,
    payload_topic: i.payloadTopicId,
    title: i.title,
    kind: i.kind,
  }));
  const rows = await readMany.run(db, [jsonText(input)]);
  return rows.map((r) => toReads(r, inputs[r.ord - 1]!.page));
}

/** One row of a batch write: the one-opt-in write's fields (the action never "customer only"). */
export type OptInBatchWrite = OptInWrite;

// The rows travel as one JSON parameter: node-postgres would escape 26 arrays element by element in
// JavaScript, holding the worker's event loop (and the service's, when the worker runs inside it).
const writeManyText = `WITH input AS (
     SELECT * FROM json_to_recordset($1::json) AS v(ord int, workspace int, page int, psid text,
       interaction timestamptz, cversion text, sversion text, topic int, invitation int,
       inv_accepted timestamptz, sender_kind text, action text, sub_id int, kind text, token text,
       token_hash text, t_invitation int, opted_in_at timestamptz, expires_at timestamptz,
       stopped_at timestamptz, used_at timestamptz, frequency text, last_sent_at timestamptz,
       next_eligible_at timestamptz, event text, at timestamptz, detail jsonb)
   ), cust AS (
     INSERT INTO customers (workspace_id, page_id, psid, last_interaction_at, created_at)
     SELECT workspace, page, psid, interaction, $2::timestamptz FROM input ORDER BY page, psid
     ON CONFLICT ON CONSTRAINT customers_page_psid_key DO UPDATE
       SET last_interaction_at = greatest(customers.last_interaction_at, excluded.last_interaction_at)
       WHERE (excluded.page_id, excluded.psid, customers.xmin::text) IN (SELECT page, psid, cversion FROM input)
     RETURNING id, page_id, psid
   ), mine AS (
     SELECT input.*, cust.id AS customer_id FROM input JOIN cust ON cust.page_id = input.page AND cust.psid = input.psid
   ), inv_now AS (
     SELECT i.id, i.accepted_at FROM invitations i
     WHERE i.id IN (SELECT invitation FROM mine) ORDER BY i.id FOR UPDATE SKIP LOCKED
   ), subs_locked AS (
     SELECT s.id, s.customer_id, s.topic_id, s.xmin::text AS version FROM subscriptions s
     WHERE (s.customer_id, s.topic_id) IN (SELECT customer_id, topic FROM mine) ORDER BY s.id FOR UPDATE SKIP LOCKED
   ), subs_now AS (
     SELECT customer_id, topic_id, string_agg(id || ':' || version, ',' ORDER BY id) AS version
     FROM subs_locked GROUP BY customer_id, topic_id
   ), ok AS (
     SELECT mine.* FROM mine
     LEFT JOIN inv_now ON inv_now.id = mine.invitation
     LEFT JOIN subs_now ON subs_now.customer_id = mine.customer_id AND subs_now.topic_id = mine.topic
     WHERE (mine.invitation IS NULL OR (inv_now.id IS NOT NULL AND inv_now.accepted_at IS NOT DISTINCT FROM mine.inv_accepted))
       AND coalesce(subs_now.version, '') = mine.sversion
   ), ins AS (
     INSERT INTO subscriptions (${TOKEN_COLUMNS}, workspace_id, page_id, customer_id, expiry_recorded_at,
                                created_at, updated_at)
     SELECT topic, kind, token, token_hash, t_invitation, opted_in_at, expires_at, stopped_at, used_at, frequency,
            last_sent_at, next_eligible_at, workspace, page, customer_id, NULL, $2::timestamptz, $2::timestamptz
     FROM ok WHERE action = 'insert'
     RETURNING id, customer_id
   ), upd AS (
     UPDATE subscriptions s SET (${TOKEN_COLUMNS}, expiry_recorded_at, updated_at)
       = (ok.topic, ok.kind, ok.token, ok.token_hash, ok.t_invitation, ok.opted_in_at, ok.expires_at, ok.stopped_at,
          ok.used_at, ok.frequency, ok.last_sent_at, ok.next_eligible_at, NULL, $2::timestamptz)
     FROM ok WHERE ok.action = 'update' AND s.id = ok.sub_id
     RETURNING s.id
   ), mark AS (
     UPDATE invitations i SET accepted_at = first.at
     FROM (SELECT invitation, min(at) AS at FROM ok WHERE action <> 'ignore' AND invitation IS NOT NULL
           GROUP BY invitation) first
     WHERE i.id = first.invitation AND i.accepted_at IS NULL
   ), hist AS (
     INSERT INTO consent_history
       (workspace_id, page_id, topic_id, customer_id, subscription_id, event, at, invitation_id, sender_kind, detail)
     SELECT ok.workspace, ok.page, ok.topic, ok.customer_id, coalesce(ins.id, ok.sub_id), ok.event, ok.at,
            ok.invitation, ok.sender_kind, ok.detail
     FROM ok LEFT JOIN ins ON ins.customer_id = ok.customer_id
     RETURNING customer_id, subscription_id
   )
   SELECT ok.ord::int AS ord, hist.customer_id, hist.subscription_id FROM ok JOIN hist ON hist.customer_id = ok.customer_id`;
const writeMany = prepared<Written & { ord: number }>('optin_write_many', writeManyText);

/**
 * Writes each decision whose reads are unchanged, in one statement; returns each input's result in order
 * (`applied: false`: its check failed and nothing of it was written but maybe its customer). Each
 * customer (page, psid) at most once, and no invitation or page token shared between rows (the caller's
 * plan): no row's write depends on another's.
 */
export async function writeOptIns(
  db: Executor,
  ws: readonly OptInBatchWrite[],
  now: Date,
): Promise<OptInWritten[]> {
  if (ws.length === 0) return [];
  // The rows' tokens are encrypted and hashed PREPARE_CHUNK at a time with a turn of the event loop
  // between, so a burst's batch never holds it for long (the shop's own requests, a customer's topic
  // lists, wait behind it); still one statement: one round trip, its locks taken in its one order.
  const input: ReturnType<typeof writeInput>[] = [];
  for (let i = 0; i < ws.length; i += PREPARE_CHUNK) {
    if (i > 0) await new Promise(setImmediate);
    for (let k = i; k < Math.min(ws.length, i + PREPARE_CHUNK); k++) input.push(writeInput(ws[k]!, k + 1));
  }
  const rows = await writeMany.run(db, [jsonText(input), now]);
  const byOrd = new Map(rows.map((r) => [r.ord, r]));
  return ws.map((_, k): OptInWritten => {
    const r = byOrd.get(k + 1);
    return r
      ? { applied: true, customerId: r.customer_id, subscriptionId: r.subscription_id ?? null }
      : { applied: false };
  });
}

/** Rows prepared between two turns of the event loop (see writeOptIns). */
const PREPARE_CHUNK = 50;

/** ISO text: what JSON.stringify makes of a Date, without its slower toJSON path. */
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** One row of writeMany's JSON input. */
function writeInput(w: OptInBatchWrite, ord: number) {
  const row = w.action.kind === 'ignore' ? null : w.action.row;
  return {
    ord,
    workspace: w.customer.workspaceId,
    page: w.customer.pageId,
    psid: w.customer.psid,
    interaction: iso(w.customer.interactionAt),
    cversion: w.versions.customer,
    sversion: w.versions.subscriptions,
    topic: w.topicId,
    invitation: w.invitation?.id ?? null,
    inv_accepted: iso(w.invitation?.acceptedAt),
    sender_kind: w.invitation?.senderKind ?? null,
    action: w.action.kind,
    sub_id: w.action.kind === 'insert' ? null : w.action.subscriptionId,
    kind: row?.kind ?? null,
    token: row ? encrypt(row.token) : null,
    token_hash: row ? lookupHash(row.token) : null,
    t_invitation: row?.invitationId ?? null,
    opted_in_at: iso(row?.optedInAt),
    expires_at: iso(row?.expiresAt),
    stopped_at: iso(row?.stoppedAt),
    used_at: iso(row?.usedAt),
    frequency: row?.frequency ?? null,
    last_sent_at: iso(row?.lastSentAt),
    next_eligible_at: iso(row?.nextEligibleAt),
    event: w.event,
    at: iso(w.at),
    detail: w.detail ?? {},
  };
}
