// Import and export. CSV imports of customers and subscriptions, and the pull of a page's recurring
// tokens from Meta, are each all-or-nothing: every row is checked first (every bad line reported at
// once), then all are written in one transaction. Imported acceptances go through the same decision as an opt-in (R3) and are written to
// the consent history (R3c) with sender `import`.

import type { NotificationTokenInfo, PageCredentials } from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import { applyLabelChange } from '../domain/inbox.ts';
import type { TopicKind } from '../domain/model.ts';
import { decideAcceptance } from '../domain/subscriptions.ts';
import * as customers from '../storage/customers.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow, TopicRow } from '../storage/schema.ts';
import * as subs from '../storage/subscriptions.ts';
import * as topics from '../storage/topics.ts';
import type { AppContext } from './context.ts';
import {
  atLine,
  checkId,
  checkLength,
  parseTime,
  RowErrors,
  readCsv,
  requireField,
  rowError,
} from './csv-rows.ts';
import { credentials } from './messaging.ts';
import { getPage } from './workspaces.ts';

export const MAX_IMPORT_ROWS = 100_000;

export interface CustomerImportResult {
  rows: number;
  created: number;
  updated: number;
}

const ATTR = 'attr.';

export async function importCustomers(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  csv: string,
): Promise<CustomerImportResult> {
  await getPage(ctx, workspaceId, pageId);
  const now = ctx.clock.now();
  const records = readCsv(csv, {
    required: ['psid'],
    optional: ['name', 'first_name', 'last_name', 'locale', 'last_interaction_at', 'labels'],
    prefixed: [ATTR],
    maxRows: MAX_IMPORT_ROWS,
  });
  const attrColumns = (records[0]?.columns ?? []).filter((c) => c.startsWith(ATTR));
  for (const c of attrColumns) {
    if (!/^[a-z0-9_][a-z0-9_.-]{0,63}$/.test(c.slice(ATTR.length)))
      throw rowError(1, `attribute column "${c}" has a bad name`, c);
  }
  const seen = new Map<string, number>();
  const bad = new RowErrors();
  const customerRow = (r: (typeof records)[number]) => {
    const psid = checkId(r, 'psid', requireField(r, 'psid'), 128);
    if (seen.has(psid)) throw rowError(r.line, `psid ${psid} is already on line ${seen.get(psid)}`, 'psid');
    seen.set(psid, r.line);
    const locale = r.get('locale');
    if (locale !== null && !/^[a-z]{2,3}(?:_[A-Z]{2})?$/.test(locale)) {
      throw rowError(r.line, `locale "${locale}" is not like vi_VN or en`, 'locale');
    }
    const lastInteractionAt = parseTime(r, 'last_interaction_at');
    // A future interaction would open the 24-hour window (R1) for sends that Meta will refuse.
    if (lastInteractionAt && lastInteractionAt > now) {
      throw rowError(r.line, 'last_interaction_at is in the future', 'last_interaction_at');
    }
    const given = (r.get('labels') ?? '').split(';').filter((l) => l.trim() !== '');
    atLine(r.line, () => applyLabelChange([], { op: 'add', labels: given }));
    const attributes: Record<string, string> = {};
    for (const c of attrColumns) {
      const v = checkLength(r, c, r.get(c), 1000);
      if (v !== null) attributes[c.slice(ATTR.length)] = v;
    }
    return {
      line: r.line,
      given,
      row: {
        psid,
        name: checkLength(r, 'name', r.get('name'), 200),
        firstName: checkLength(r, 'first_name', r.get('first_name'), 100),
        lastName: checkLength(r, 'last_name', r.get('last_name'), 100),
        locale,
        interactionAt: lastInteractionAt,
        labels: [] as string[],
        attributes,
      },
    };
  };
  const rows: Array<ReturnType<typeof customerRow>> = [];
  for (const r of records) {
    const row = await bad.check(r.line, () => customerRow(r));
    if (row) rows.push(row);
  }
  bad.throwIfAny();
  return inTransaction(ctx.db, async (tx) => {
    const existing = new Map(
      (await customers.lockCustomersByPsid(tx, pageId, [...seen.keys()])).map((c) => [c.psid, c.labels]),
    );
    // Imported labels join the ones agents set: an import never takes a label away.
    for (const r of rows) {
      const labels = await bad.check(r.line, () =>
        applyLabelChange(existing.get(r.row.psid) ?? [], { op: 'add', labels: r.given }),
      );
      if (labels) r.row.labels = labels;
    }
    bad.throwIfAny();
    const written = await customers.upsertCustomers(
      tx,
      rows.map((r) => ({ workspaceId, pageId, ...r.row })),
      now,
    );
    const created = written.filter((c) => c.inserted).length;
    return { rows: rows.length, created, updated: rows.length - created };
  });
}

export interface SubscriptionImportResult {
  rows: number;
  /** Written as a new or newer acceptance (R3b), each with its consent-history row. */
  accepted: number;
  /** Already held as given (a re-import): nothing written. */
  unchanged: number;
  customersCreated: number;
}

interface Acceptance {
  line: number;
  psid: string;
  topic: TopicRow;
  token: string;
  optedInAt: Date;
  expiresAt: Date | null;
  nextEligibleAt?: Date | null;
  detail: Record<string, unknown>;
}

async function resolveTopic(pageTopics: TopicRow[], ref: string): Promise<TopicRow | undefined> {
  if (/^\d+$/.test(ref)) {
    const byId = pageTopics.find((t) => t.id === Number(ref));
    if (byId) return byId;
  }
  return pageTopics.find((t) => t.name.toLowerCase() === ref.toLowerCase());
}

/**
 * Applies one acceptance inside the import's transaction: R3/R7d through decideAcceptance, as if the
 * opt-in arrived with no invitation of ours. Returns whether anything was written.
 */
async function applyAcceptance(
  tx: Executor,
  page: PageRow,
  a: Acceptance,
  now: Date,
): Promise<{ written: boolean; created: boolean }> {
  const before = await customers.findCustomerByPsid(tx, page.id, a.psid);
  const customer =
    before ??
    (await customers.upsertCustomer(
      tx,
      { workspaceId: page.workspace_id, pageId: page.id, psid: a.psid },
      now,
    ));
  const holder = await subs.findSubscriptionByToken(tx, page.id, a.token);
  if (holder && (holder.customer_id !== customer.id || holder.topic_id !== a.topic.id)) {
    throw rowError(a.line, 'this token already belongs to another customer or topic of the page', 'token');
  }
  const existing = (
    await subs.customerSubscriptions(tx, customer.id, { topicId: a.topic.id, forUpdate: true })
  ).map(subs.toSubscriptionState);
  const decision = decideAcceptance({
    page: pages.toPageState(page),
    topic: topics.toTopicState(a.topic),
    invitation: null,
    existing,
    event: { token: a.token, at: a.optedInAt, metaExpiry: a.topic.kind === 'recurring' ? a.expiresAt : null },
  });
  // A re-import of what is already held is not a new acceptance: no history row (R3a spirit).
  if (decision.action === 'ignore') return { written: false, created: !before };
  // The source system's expiry wins for OTN tokens too: it knows when the customer accepted them.
  const row = {
    ...decision.row,
    ...(a.expiresAt && { expiresAt: a.expiresAt }),
    ...(a.nextEligibleAt && { nextEligibleAt: a.nextEligibleAt }),
  };
  const scope = { workspaceId: page.workspace_id, pageId: page.id, customerId: customer.id };
  const saved =
    decision.action === 'insert'
      ? await subs.insertSubscription(tx, scope, row, now)
      : await subs.replaceSubscription(tx, decision.subscriptionId, row, now);
  await subs.appendConsent(tx, {
    ...scope,
    topicId: a.topic.id,
    subscriptionId: saved.id,
    event: 'accepted',
    at: a.optedInAt,
    senderKind: 'import',
    detail: a.detail,
  });
  return { written: true, created: !before };
}

export async function importSubscriptions(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  csv: string,
): Promise<SubscriptionImportResult> {
  const page = await getPage(ctx, workspaceId, pageId);
  const now = ctx.clock.now();
  const pageTopics = await topics.listTopics(ctx.db, pageId);
  const records = readCsv(csv, {
    required: ['psid', 'topic', 'token', 'kind', 'opted_in_at'],
    optional: ['expires_at'],
    maxRows: MAX_IMPORT_ROWS,
  });
  const tokens = new Map<string, number>();
  const acceptances: Acceptance[] = [];
  const bad = new RowErrors();
  const acceptance = async (r: (typeof records)[number]): Promise<Acceptance> => {
    const psid = checkId(r, 'psid', requireField(r, 'psid'), 128);
    const ref = requireField(r, 'topic');
    const topic = await resolveTopic(pageTopics, ref);
    if (!topic) throw rowError(r.line, `no topic "${ref}" on this page (give its name or id)`, 'topic');
    const kind = requireField(r, 'kind') as TopicKind;
    if (kind !== 'recurring' && kind !== 'one_time') {
      throw rowError(r.line, `kind must be recurring or one_time, not "${kind}"`, 'kind');
    }
    if (kind !== topic.kind)
      throw rowError(r.line, `topic "${topic.name}" is ${topic.kind}, the row says ${kind}`, 'kind');
    const token = checkId(r, 'token', requireField(r, 'token'), 1024);
    if (tokens.has(token)) throw rowError(r.line, `token already on line ${tokens.get(token)}`, 'token');
    tokens.set(token, r.line);
    const optedInAt = parseTime(r, 'opted_in_at')!;
    if (!optedInAt) throw rowError(r.line, 'opted_in_at is required', 'opted_in_at');
    if (optedInAt > now) throw rowError(r.line, 'opted_in_at is in the future', 'opted_in_at');
    const expiresAt = parseTime(r, 'expires_at');
    if (expiresAt && expiresAt <= optedInAt)
      throw rowError(r.line, 'expires_at is not after opted_in_at', 'expires_at');
    return {
      line: r.line,
      psid,
      topic,
      token,
      optedInAt,
      expiresAt,
      detail: { source: 'csv', line: r.line },
    };
  };
  for (const r of records) {
    const a = await bad.check(r.line, () => acceptance(r));
    if (a) acceptances.push(a);
  }
  bad.throwIfAny();
  return inTransaction(ctx.db, async (tx) => {
    const out: SubscriptionImportResult = {
      rows: acceptances.length,
      accepted: 0,
      unchanged: 0,
      customersCreated: 0,
    };
    for (const a of acceptances) {
      // A refusal here (a token held by another customer) is collected too; any rolls it all back.
      const applied = await bad.check(a.line, () => applyAcceptance(tx, page, a, now));
      if (!applied) continue;
      if (applied.written) out.accepted++;
      else out.unchanged++;
      if (applied.created) out.customersCreated++;
    }
    bad.throwIfAny();
    return out;
  });
}

/** Where a page's recurring tokens come from: the Graph client's paged token listing. */
export interface TokenSource {
  allNotificationTokens(
    page: PageCredentials,
    opts?: { limit?: number },
  ): AsyncIterable<NotificationTokenInfo>;
}

export function isTokenSource(x: unknown): x is TokenSource {
  return typeof (x as Partial<TokenSource> | null)?.allNotificationTokens === 'function';
}

export interface TokenImportResult {
  tokens: number;
  accepted: number;
  unchanged: number;
  customersCreated: number;
  /** Tokens whose topic_title matches no recurring topic of the page: listed, not imported. */
  skipped: Array<{ recipientId: string; topicTitle: string | null; reason: 'no_matching_topic' }>;
}

const fromSeconds = (s: number | undefined) => (s ? new Date(s * 1000) : null);

/** Pulls /{page-id}/notification_message_tokens and upserts recurring subscriptions by topic title. */
export async function importTokens(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  source: TokenSource,
): Promise<TokenImportResult> {
  const page = await getPage(ctx, workspaceId, pageId);
  if (!page.access_token)
    throw new DomainError('validation_failed', 'The page has no access token to ask Meta with.');
  const infos: NotificationTokenInfo[] = [];
  for await (const info of source.allNotificationTokens(credentials(page), { limit: 100 })) infos.push(info);
  const now = ctx.clock.now();
  // Active topics first: a title shared with a deactivated topic goes to the one in use.
  const recurring = (await topics.listTopics(ctx.db, pageId))
    .filter((t) => t.kind === 'recurring')
    .sort((a, b) => Number(b.active) - Number(a.active) || a.id - b.id);
  const out: TokenImportResult = {
    tokens: infos.length,
    accepted: 0,
    unchanged: 0,
    customersCreated: 0,
    skipped: [],
  };
  const accepted: Acceptance[] = [];
  infos.forEach((info, i) => {
    const topic = recurring.find((t) => t.title === info.topic_title);
    if (!topic) {
      out.skipped.push({
        recipientId: info.recipient_id,
        topicTitle: info.topic_title ?? null,
        reason: 'no_matching_topic',
      });
      return;
    }
    const nextEligible = fromSeconds(info.next_eligible_time);
    accepted.push({
      line: i + 1,
      psid: info.recipient_id,
      topic,
      token: info.notification_messages_token,
      optedInAt: fromSeconds(info.creation_timestamp) ?? now,
      expiresAt: fromSeconds(info.token_expiry_timestamp),
      nextEligibleAt: nextEligible && nextEligible > now ? nextEligible : null,
      detail: { source: 'graph_token_list', timezone: info.notification_messages_timezone ?? null },
    });
  });
  return inTransaction(ctx.db, async (tx) => {
    for (const a of accepted) {
      const { written, created } = await applyAcceptance(tx, page, a, now);
      if (written) out.accepted++;
      else out.unchanged++;
      if (created) out.customersCreated++;
    }
    return out;
  });
}

/** The workspace's consent history (R3c) in batches, oldest first: the export streams these. */
export async function* consentHistoryBatches(
  ctx: AppContext,
  workspaceId: number,
  filter: { topicId?: number | undefined; customerId?: number | undefined },
  batchSize = 2000,
): AsyncGenerator<subs.ConsentExportRow[]> {
  let after = 0;
  for (;;) {
    const rows = await subs.consentBatch(ctx.db, workspaceId, filter, after, batchSize);
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.id;
    if (rows.length < batchSize) return;
  }
}
