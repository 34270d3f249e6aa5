// A campaign world for tests and the bench: a sandbox (the Graph server) and a database that agree on
// a page, customers and their tokens. Customers and tokens are written straight into both sides in
// bulk — opting 20 000 people in through webhooks would test the opt-in path, not the dispatcher.
import { sql } from 'kysely';
import type { AppContext } from '../../src/app/context.ts';
import { createTopic } from '../../src/app/topics.ts';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { ManualClock } from '../../src/clock.ts';
import { nextEligibleAfterSend, otnExpiry } from '../../src/domain/platform.ts';
import { createSandbox, DEFAULT_PAGE, type Sandbox, seededRandom } from '../../src/sandbox/index.ts';
import type { Storage } from '../../src/storage/db.ts';
import type { PageRow, TopicRow } from '../../src/storage/schema.ts';

export const T0 = new Date('2026-03-02T03:00:00.000Z'); // a Monday, 10:00 in Asia/Ho_Chi_Minh
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type RecipientState =
  | 'valid'
  | 'used' // OTN spent (both sides know)
  | 'expired'
  | 'stopped'
  | 'cooldown' // recurring, sent an hour ago: WEEKLY, so not again before next Monday (both sides know)
  | 'unreachable' // blocked, and we know it
  | 'blocked_unknown'; // blocked, and only Meta knows: the send fails

export interface RecipientSpec {
  topic: 'otn' | 'recurring';
  state: RecipientState;
  firstName?: string | null;
  lastName?: string | null;
  labels?: string[];
  attributes?: Record<string, unknown>;
  /** Stacked OTN tokens (R7d); default 1. */
  tokens?: number;
}

export interface World {
  sandbox: Sandbox | null;
  clock: ManualClock;
  ctx: AppContext;
  workspaceId: number;
  page: PageRow;
  otn: TopicRow;
  recurring: TopicRow;
}

/** The database side; with `sandbox`, an in-process sandbox too (else the caller runs one elsewhere). */
export async function createWorld(
  storage: Storage,
  opts: {
    sandbox?: boolean;
    rateLimitPerSecond?: number;
    profile?: 'legacy-2022' | '2025' | '2026';
    /** Several worlds in one database need distinct page ids. */
    pageId?: string;
  } = {},
): Promise<World> {
  const pageId = opts.pageId ?? DEFAULT_PAGE.id;
  const accessToken = opts.pageId ? `EAAsandbox-${opts.pageId}` : DEFAULT_PAGE.accessToken;
  const clock = new ManualClock(T0, { frozen: true });
  const ctx: AppContext = { db: storage.db, clock };
  const sandbox =
    opts.sandbox === false
      ? null
      : createSandbox({
          clock,
          random: seededRandom(7),
          rateLimitPerSecond: opts.rateLimitPerSecond ?? 300,
          page: { id: pageId, accessToken, profile: opts.profile ?? 'legacy-2022' },
        });
  const { workspaceId, page } = await createWorkspace(ctx, 'Campaign shop', {
    fbPageId: pageId,
    name: DEFAULT_PAGE.name,
    profile: opts.profile ?? 'legacy-2022',
    timeZone: DEFAULT_PAGE.timeZone,
    region: DEFAULT_PAGE.region,
    accessToken,
    appSecret: DEFAULT_PAGE.appSecret,
  });
  const otn = await createTopic(ctx, workspaceId, page.id, {
    name: 'Back in stock',
    kind: 'one_time',
    title: 'Back in stock',
  });
  const recurring = await createTopic(ctx, workspaceId, page.id, {
    name: 'Weekly deals',
    kind: 'recurring',
    title: 'Weekly deals',
    frequency: 'WEEKLY',
  });
  return { sandbox, clock, ctx, workspaceId, page, otn, recurring };
}

export const psidOf = (i: number) => `psid-${i}`;
export const tokenOf = (i: number, k = 0) => `tok-${i}-${k}`;

/** Sandbox side of recipient `i` (same names as seedDatabase). Usable in another process. */
export function seedSandbox(
  sandbox: Sandbox,
  specs: readonly RecipientSpec[],
  now = T0,
  offset = 0,
  /** Another page of the sandbox (default its first). */
  pageId?: string,
): void {
  const state = sandbox.state;
  const page = pageId ? state.page(pageId)! : state.primary();
  specs.forEach((s, n) => {
    const i = n + offset;
    const psid = psidOf(i);
    state.addCustomer(
      page.id,
      {
        psid,
        name: [s.firstName, s.lastName].filter(Boolean).join(' ') || psid,
        lastInteractionAt: new Date(now.getTime() - 30 * DAY),
      },
      now,
    );
    if (s.state === 'unreachable' || s.state === 'blocked_unknown') state.customer(psid)!.blocked = true;
    const created = new Date(now.getTime() - 10 * DAY);
    for (let k = 0; k < (s.tokens ?? 1); k++) {
      const token = tokenOf(i, k);
      const common = {
        token,
        pageId: page.id,
        psid,
        payload: 'p',
        requestMid: `m-${i}-${k}`,
        createdAt: created,
      };
      if (s.topic === 'otn') {
        state.otnTokens.set(token, {
          ...common,
          title: 'Back in stock',
          expiresAt: s.state === 'expired' ? new Date(now.getTime() - DAY) : otnExpiry(created),
          usedAt: s.state === 'used' ? created : null,
        });
      } else {
        const last = s.state === 'cooldown' ? new Date(now.getTime() - HOUR) : null;
        state.recurringTokens.set(token, {
          ...common,
          seq: state.nextTokenSeq(),
          title: 'Weekly deals',
          frequency: 'WEEKLY',
          legacy: true,
          timezone: page.timeZone,
          reoptin: null,
          updatedAt: created,
          expiresAt:
            s.state === 'expired' ? new Date(now.getTime() - DAY) : new Date(now.getTime() + 200 * DAY),
          stoppedAt: s.state === 'stopped' ? created : null,
          lastSentAt: last,
          nextEligibleAt: last ? nextEligibleAfterSend(page.profile, 'WEEKLY', last, page.timeZone) : null,
          userTokenStatus: 'NOT_REFRESHED',
        });
      }
    }
  });
}

/** Database side: customers and subscriptions in bulk (tokens stored plain, as bulk loads may). */
export async function seedDatabase(world: World, specs: readonly RecipientSpec[], offset = 0, chunk = 2000) {
  const { db } = world.ctx;
  const now = world.clock.now();
  const created = new Date(now.getTime() - 10 * DAY);
  const ids: number[] = [];
  for (let start = 0; start < specs.length; start += chunk) {
    const part = specs.slice(start, start + chunk);
    const rows = await db
      .insertInto('customers')
      .values(
        part.map((s, n) => ({
          workspace_id: world.workspaceId,
          page_id: world.page.id,
          psid: psidOf(start + n + offset),
          name: [s.lastName, s.firstName].filter(Boolean).join(' ') || null,
          first_name: s.firstName ?? null,
          last_name: s.lastName ?? null,
          locale: 'vi_VN',
          last_interaction_at: new Date(now.getTime() - 30 * DAY),
          unreachable_reason: s.state === 'unreachable' ? 'blocked' : null,
          labels: s.labels ?? [],
          attributes: JSON.stringify(s.attributes ?? {}),
          created_at: created,
        })),
      )
      .returning('id')
      .execute();
    const subsRows = part.flatMap((s, n) => {
      const i = start + n + offset;
      const topic = s.topic === 'otn' ? world.otn : world.recurring;
      const last = s.state === 'cooldown' ? new Date(now.getTime() - HOUR) : null;
      return Array.from({ length: s.tokens ?? 1 }, (_, k) => ({
        workspace_id: world.workspaceId,
        page_id: world.page.id,
        topic_id: topic.id,
        customer_id: rows[n]!.id,
        kind: topic.kind,
        token: tokenOf(i, k),
        token_hash: `h-${tokenOf(i, k)}`,
        invitation_id: null,
        opted_in_at: created,
        expires_at:
          s.state === 'expired'
            ? new Date(now.getTime() - DAY)
            : topic.kind === 'one_time'
              ? otnExpiry(created)
              : new Date(now.getTime() + 200 * DAY),
        stopped_at: s.state === 'stopped' ? created : null,
        used_at: s.state === 'used' ? created : null,
        frequency: topic.kind === 'recurring' ? 'WEEKLY' : null,
        last_sent_at: last,
        next_eligible_at: last
          ? nextEligibleAfterSend(world.page.profile as 'legacy-2022', 'WEEKLY', last, world.page.time_zone)
          : null,
        expiry_recorded_at: null,
        created_at: created,
        updated_at: created,
      }));
    });
    await db.insertInto('subscriptions').values(subsRows).execute();
    ids.push(...rows.map((r) => r.id));
  }
  // A bulk load, like a restore: give the planner statistics as autovacuum eventually would.
  await sql`ANALYZE customers`.execute(db);
  await sql`ANALYZE subscriptions`.execute(db);
  return ids;
}

/** A deterministic mix of every state, for dry-run-equals-run tests. */
export function mixedSpecs(n: number): RecipientSpec[] {
  const states: RecipientState[] = [
    'valid',
    'valid',
    'valid',
    'used',
    'expired',
    'stopped',
    'cooldown',
    'unreachable',
  ];
  return Array.from({ length: n }, (_, i) => {
    const topic = i % 2 === 0 ? 'otn' : 'recurring';
    let state = states[i % states.length]!;
    if (topic === 'otn' && (state === 'stopped' || state === 'cooldown')) state = 'valid';
    if (topic === 'recurring' && state === 'used') state = 'valid';
    return { topic, state, firstName: i % 5 === 0 ? null : `An${i}`, lastName: `Nguyen${i}` };
  });
}
