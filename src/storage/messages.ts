// The conversation log, both directions, with delivery and read marks.
import { type RawBuilder, sql } from 'kysely';
import { type Executor, jsonText, prepared } from './db.ts';
import type { MessagesTable } from './schema.ts';

export interface NewMessage {
  workspaceId: number;
  pageId: number;
  customerId: number;
  direction: 'in' | 'out';
  senderKind: MessagesTable['sender_kind'];
  kind: string;
  mid: string | null;
  text: string | null;
  payload?: unknown;
  at: Date;
}

/** Idempotent by mid: an echo of a message we logged when sending it is not logged twice. */
export async function insertMessage(db: Executor, m: NewMessage): Promise<boolean> {
  const res = await db
    .insertInto('messages')
    .values({
      workspace_id: m.workspaceId,
      page_id: m.pageId,
      customer_id: m.customerId,
      direction: m.direction,
      sender_kind: m.senderKind,
      kind: m.kind,
      mid: m.mid,
      text: m.text,
      payload: m.payload === undefined ? null : jsonText(m.payload),
      created_at: m.at,
    })
    .onConflict((oc) => oc.columns(['page_id', 'mid']).where('mid', 'is not', null).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

// One statement for a batch of inbound messages; prepared (its text never changes).
const insertInbound = prepared<{ page_id: number; mid: string }>(
  'messages_insert_inbound',
  `INSERT INTO messages (workspace_id, page_id, customer_id, direction, sender_kind, kind, mid, text, payload, created_at)
   SELECT w, p, c, 'in', 'customer', k, mid, txt, pl::jsonb, at
   FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
     AS v(w, p, c, k, mid, txt, pl, at)
   ON CONFLICT (page_id, mid) WHERE mid IS NOT NULL DO NOTHING
   RETURNING page_id, mid`,
);

/**
 * A customer's messages as a batch of webhook events logs them, idempotent by mid like insertMessage:
 * returns `page id \u0000 mid` of those written now (the others were logged before). Callers give each
 * mid of a page once.
 */
export async function insertInboundMessages(
  db: Executor,
  rows: ReadonlyArray<Omit<NewMessage, 'direction' | 'senderKind'> & { mid: string }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const col = <T>(f: (m: (typeof rows)[number]) => T) => rows.map(f);
  const res = await insertInbound.run(db, [
    col((m) => m.workspaceId),
    col((m) => m.pageId),
    col((m) => m.customerId),
    col((m) => m.kind),
    col((m) => m.mid),
    col((m) => m.text),
    col((m) => (m.payload === undefined ? null : jsonText(m.payload))),
    col((m) => m.at),
  ]);
  return new Set(res.map((r) => `${r.page_id}\u0000${r.mid}`));
}

/** Inbound entries without a mid (an opt-in), many in one statement: each is written. */
export async function insertInboundEntries(
  db: Executor,
  rows: ReadonlyArray<Omit<NewMessage, 'direction' | 'senderKind' | 'mid'>>,
): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (m: (typeof rows)[number]) => T) => rows.map(f);
  await insertInbound.run(db, [
    col((m) => m.workspaceId),
    col((m) => m.pageId),
    col((m) => m.customerId),
    col((m) => m.kind),
    col(() => null),
    col((m) => m.text),
    col((m) => (m.payload === undefined ? null : jsonText(m.payload))),
    col((m) => m.at),
  ]);
}

/**
 * Our sends of a batch, logged after the Graph call answered, in one statement. An echo logged first
 * under the same mid is taken over: the row becomes ours (sender, kind, payload; text kept if we had none).
 */
export async function insertSentMessages(db: Executor, rows: readonly NewMessage[]): Promise<void> {
  if (rows.length === 0) return;
  await insertSentMessagesStatement(rows).execute(db);
}

/**
 * The same insert to compose into a larger statement. With `gate`, row i is inserted only when
 * `gate.keys[i]` is in the relation `gate.in` (e.g. the deliveries an outcome update wrote).
 */
export function insertSentMessagesStatement(
  rows: readonly NewMessage[],
  gate?: { keys: readonly number[]; in: RawBuilder<unknown> },
) {
  const col = <T>(f: (m: NewMessage) => T) => rows.map(f);
  return sql`
    INSERT INTO messages (workspace_id, page_id, customer_id, direction, sender_kind, kind, mid, text, payload, created_at)
    SELECT w, p, c, dir, sk, k, mid, txt, pl::jsonb, at
    FROM unnest(${col((m) => m.workspaceId)}::int[], ${col((m) => m.pageId)}::int[], ${col((m) => m.customerId)}::int[],
      ${col((m) => m.direction)}::text[], ${col((m) => m.senderKind)}::text[], ${col((m) => m.kind)}::text[],
      ${col((m) => m.mid)}::text[], ${col((m) => m.text)}::text[],
      ${col((m) => (m.payload === undefined ? null : jsonText(m.payload)))}::text[], ${col((m) => m.at)}::timestamptz[],
      ${gate ? [...gate.keys] : col(() => null)}::bigint[])
      AS v(w, p, c, dir, sk, k, mid, txt, pl, at, gate_key)
    ${gate ? sql`WHERE gate_key IN ${gate.in}` : sql``}
    ON CONFLICT (page_id, mid) WHERE mid IS NOT NULL
    DO UPDATE SET sender_kind = EXCLUDED.sender_kind, kind = EXCLUDED.kind,
      text = coalesce(EXCLUDED.text, messages.text), payload = EXCLUDED.payload`;
}

/** Meta's delivery: the listed mids, and everything sent to the customer up to the watermark. */
export async function markDelivered(
  db: Executor,
  customerId: number,
  mids: string[],
  watermark: Date | null,
): Promise<void> {
  await db
    .updateTable('messages')
    .set({ delivered_at: sql`coalesce(delivered_at, ${watermark ?? new Date(0)}::timestamptz)` })
    .where('customer_id', '=', customerId)
    .where('direction', '=', 'out')
    .where('delivered_at', 'is', null)
    .where((eb) => {
      const conds = [];
      if (mids.length) conds.push(eb('mid', 'in', mids));
      if (watermark) conds.push(eb('created_at', '<=', watermark));
      return conds.length ? eb.or(conds) : eb.val(false);
    })
    .execute();
}

export async function markRead(db: Executor, customerId: number, watermark: Date): Promise<void> {
  await db
    .updateTable('messages')
    .set({ read_at: watermark, delivered_at: sql`coalesce(delivered_at, ${watermark}::timestamptz)` })
    .where('customer_id', '=', customerId)
    .where('direction', '=', 'out')
    .where('read_at', 'is', null)
    .where('created_at', '<=', watermark)
    .execute();
}

export async function conversationMessages(db: Executor, customerId: number, limit = 200) {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
    .then((rows) => rows.reverse());
}
