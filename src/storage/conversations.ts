// The inbox: a page's conversations newest interaction first, with their last message, whether the
// customer wrote last, and labels; keyset paging on (last interaction, id). Labels are written by
// customers.ts.
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export interface ConversationFilter {
  workspaceId: number;
  pageId: number;
  /**
   * Matches name, first/last name or PSID without regard to accents or case (`folded`: the query folded
   * by domain/inbox foldForSearch), or any message text (`text`, case-insensitively).
   */
  q?: { text: string; folded: string };
  label?: string;
  /** Last-interaction bounds of a window (domain/inbox windowRange): after < t ≤ notAfter, or never. */
  interaction?: { never: true } | { never: false; after: Date | null; notAfter: Date | null };
  /** Keyset: rows strictly after this (lastInteractionAt, id) in the list's order. */
  after?: { lastInteractionAt: Date | null; id: number };
  limit: number;
}

export interface ConversationRow {
  id: number;
  psid: string;
  name: string | null;
  labels: string[];
  last_interaction_at: Date | null;
  unreachable_reason: string | null;
  last_message_text: string | null;
  last_message_payload: unknown;
  last_message_kind: string | null;
  last_message_direction: 'in' | 'out' | null;
  last_message_sender: string | null;
  last_message_at: Date | null;
  last_in_at: Date | null;
  last_out_at: Date | null;
}

/** LIKE pattern for a literal substring (the default escape character is the backslash). */
function contains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// Never-interacted customers sort last: -infinity stands in for NULL in the order and the cursor.
const sortKey = sql<Date>`coalesce(c.last_interaction_at, '-infinity'::timestamptz)`;

export async function listConversations(db: Executor, f: ConversationFilter): Promise<ConversationRow[]> {
  let q = db
    .selectFrom('customers as c')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('messages as m')
          .select(['m.text', 'm.payload', 'm.kind', 'm.direction', 'm.sender_kind', 'm.created_at'])
          .whereRef('m.customer_id', '=', 'c.id')
          .orderBy('m.created_at', 'desc')
          .orderBy('m.id', 'desc')
          .limit(1)
          .as('lm'),
      (join) => join.onTrue(),
    )
    .select([
      'c.id',
      'c.psid',
      'c.name',
      'c.labels',
      'c.last_interaction_at',
      'c.unreachable_reason',
      'lm.text as last_message_text',
      'lm.payload as last_message_payload',
      'lm.kind as last_message_kind',
      'lm.direction as last_message_direction',
      'lm.sender_kind as last_message_sender',
      'lm.created_at as last_message_at',
    ])
    .select((eb) => [
      eb
        .selectFrom('messages as i')
        .select((e) => e.fn.max('i.created_at').as('t'))
        .whereRef('i.customer_id', '=', 'c.id')
        .where('i.direction', '=', 'in')
        .as('last_in_at'),
      eb
        .selectFrom('messages as o')
        .select((e) => e.fn.max('o.created_at').as('t'))
        .whereRef('o.customer_id', '=', 'c.id')
        .where('o.direction', '=', 'out')
        .as('last_out_at'),
    ])
    .where('c.workspace_id', '=', f.workspaceId)
    .where('c.page_id', '=', f.pageId);

  if (f.q) {
    const pattern = contains(f.q.text);
    // Names and PSID through the folded column (accents optional, migration 012); message text as typed.
    const folded = contains(f.q.folded);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`c.search_text like ${folded}`,
        eb.exists(
          eb
            .selectFrom('messages as s')
            .select('s.id')
            .whereRef('s.customer_id', '=', 'c.id')
            .where('s.text', 'ilike', pattern),
        ),
      ]),
    );
  }
  if (f.label) {
    const label = f.label;
    q = q.where(sql<boolean>`exists (select 1 from unnest(c.labels) l where lower(l) = lower(${label}))`);
  }
  const w = f.interaction;
  if (w?.never) q = q.where('c.last_interaction_at', 'is', null);
  else if (w) {
    if (w.after) q = q.where('c.last_interaction_at', '>', w.after);
    if (w.notAfter) q = q.where('c.last_interaction_at', '<=', w.notAfter);
    if (!w.after && !w.notAfter) q = q.where('c.last_interaction_at', 'is not', null);
  }
  if (f.after) {
    const t = f.after.lastInteractionAt ? f.after.lastInteractionAt.toISOString() : '-infinity';
    q = q.where(sql<boolean>`(${sortKey}, c.id) < (${t}::timestamptz, ${f.after.id}::int)`);
  }
  const rows = await q.orderBy(sortKey, 'desc').orderBy('c.id', 'desc').limit(f.limit).execute();
  return rows as ConversationRow[];
}

/** Every label in use on a page with how many customers carry it: the inbox's filter picker. */
export async function pageLabels(
  db: Executor,
  pageId: number,
): Promise<Array<{ label: string; customers: number }>> {
  const res = await sql<{ label: string; customers: number }>`
    select l as label, count(*)::int as customers
    from customers c, unnest(c.labels) l
    where c.page_id = ${pageId}
    group by l order by count(*) desc, l`.execute(db);
  return res.rows;
}
