// What a statement's plan does with the rows of a table, measured (EXPLAIN ANALYZE) rather than read:
// the tests of the hot batch statements bound the rows each looks at, under statistics taken before a
// burst, as the plan for the given values (custom) and as the plan kept for any values (generic).
import { type Kysely, sql } from 'kysely';

export interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Join Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}

/** Rows of `table` a plan looked at: those its scans returned or filtered out, and those joins threw away. */
export function rowsLookedAt(node: PlanNode, table: string): number {
  const loops = node['Actual Loops'];
  const scanned =
    node['Relation Name'] === table
      ? (node['Actual Rows'] +
          (node['Rows Removed by Filter'] ?? 0) +
          (node['Rows Removed by Index Recheck'] ?? 0)) *
        loops
      : 0;
  // Pairs a join threw away count when one side reads the table (not a join of a statement's own CTEs).
  const joined = scans(node, table) ? (node['Rows Removed by Join Filter'] ?? 0) * loops : 0;
  return scanned + joined + (node.Plans ?? []).reduce((n, c) => n + rowsLookedAt(c, table), 0);
}

/** Whether the node's rows come from a scan of `table` (not through a CTE or a subplan). */
function scans(node: PlanNode, table: string): boolean {
  return (
    node['Relation Name'] === table ||
    (node.Plans ?? []).some(
      (c) => !['InitPlan', 'SubPlan'].includes(c['Parent Relationship'] ?? '') && scans(c, table),
    )
  );
}

export const PLAN_MODES = ['force_custom_plan', 'force_generic_plan'] as const;
export type PlanMode = (typeof PLAN_MODES)[number];

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** An array parameter as PostgreSQL's array text (`{"a",NULL}`), which EXECUTE casts to the parameter's type. */
function arrayText(xs: readonly unknown[]): string {
  const element = (x: unknown): string => {
    if (x === null || x === undefined) return 'NULL';
    const s = x instanceof Date ? x.toISOString() : String(x);
    return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  };
  return `{${xs.map(element).join(',')}}`;
}

/** A parameter value as an untyped literal: EXECUTE gives it the type PREPARE inferred. */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return quote(arrayText(v));
  if (v instanceof Date) return quote(v.toISOString());
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return quote(String(v));
}

/**
 * The executed plan of `text` with `params`, as PREPARE / EXECUTE under `mode` on one connection (so
 * the plan is the one a named prepared statement gets). Writes are rolled back.
 */
export async function explainAnalyzed(
  // biome-ignore lint/suspicious/noExplicitAny: any schema
  db: Kysely<any>,
  text: string,
  params: readonly unknown[],
  mode: PlanMode,
): Promise<PlanNode> {
  return db.connection().execute(async (conn) => {
    await sql.raw('BEGIN').execute(conn);
    let prepared = false;
    try {
      await sql.raw(`SET LOCAL plan_cache_mode = ${mode}`).execute(conn);
      await sql.raw(`PREPARE explained_statement AS ${text}`).execute(conn);
      prepared = true;
      const r = await sql
        .raw<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE explained_statement${params.length ? `(${params.map(literal).join(', ')})` : ''}`,
        )
        .execute(conn);
      return r.rows[0]!['QUERY PLAN'][0]!.Plan;
    } finally {
      await sql.raw('ROLLBACK').execute(conn);
      // PREPARE outlives the transaction.
      if (prepared) await sql.raw('DEALLOCATE explained_statement').execute(conn);
    }
  });
}

/** The plan as indented lines (node, relation or CTE, rows × loops, removed): for a failing test's message. */
export function planOutline(node: PlanNode, depth = 0): string {
  const n = node as PlanNode & Record<string, unknown>;
  const removed = ['Rows Removed by Filter', 'Rows Removed by Join Filter', 'Rows Removed by Index Recheck']
    .filter((k) => n[k])
    .map((k) => ` ${k.replace('Rows Removed by ', '-')}=${n[k]}`)
    .join('');
  const what = n['Relation Name'] ?? n['CTE Name'] ?? n['Function Name'] ?? '';
  const index = n['Index Name'] ? ` using ${n['Index Name']}` : '';
  const line = `${'  '.repeat(depth)}${n['Node Type']} ${what}${index} rows=${n['Actual Rows']}×${n['Actual Loops']}${removed}`;
  return [line, ...(node.Plans ?? []).map((c) => planOutline(c, depth + 1))].join('\n');
}

type PageScope = { workspaceId: number; page: { id: number } };

/** A recurring topic of the page, inserted as it is (the statement tests need no domain check). */
export async function insertTopic(
  // biome-ignore lint/suspicious/noExplicitAny: any schema
  db: Kysely<any>,
  scope: PageScope,
  name: string,
): Promise<number> {
  const r = await sql<{ id: number }>`
    INSERT INTO topics (workspace_id, page_id, name, kind, title, frequency, created_at, updated_at)
    VALUES (${scope.workspaceId}, ${scope.page.id}, ${name}, 'recurring', ${name}, 'DAILY', now(), now())
    RETURNING id`.execute(db);
  return r.rows[0]!.id;
}

/**
 * `n` customers of the page (PSIDs `c-1`…`c-n`), each with a recurring token on the topic (hash
 * `hash-<customer id>`), in two statements: a burst or a quiet spell's history, in bulk.
 */
export async function insertSubscribers(
  // biome-ignore lint/suspicious/noExplicitAny: any schema
  db: Kysely<any>,
  scope: PageScope,
  topicId: number,
  n: number,
): Promise<void> {
  await sql`INSERT INTO customers (workspace_id, page_id, psid, created_at, last_interaction_at)
    SELECT ${scope.workspaceId}, ${scope.page.id}, 'c-' || g, now(), now() FROM generate_series(1, ${n}) g`.execute(
    db,
  );
  await sql`INSERT INTO subscriptions (workspace_id, page_id, topic_id, customer_id, kind, token, token_hash,
      opted_in_at, expires_at, frequency, created_at, updated_at)
    SELECT workspace_id, page_id, ${topicId}, id, 'recurring', 'tok-' || id, 'hash-' || id, now(),
      now() + interval '1 year', 'DAILY', now(), now()
    FROM customers WHERE page_id = ${scope.page.id}`.execute(db);
}
