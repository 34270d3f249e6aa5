// The opt-in's checked write (issue 13): read without locks, decide, write only if nothing the decision
// was made from changed meanwhile. Each test changes the state between a real read and its write and
// expects the write to write nothing (R3a, R3b, R7d, R8b/R8c stay exact under races); the use-case then
// reads again (src/app/optins.ts), which the concurrent tests below run.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  HOUR,
  otnTopic,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { decideAcceptance } from '../domain/subscriptions.ts';
import type { Storage } from '../storage/db.ts';
import { readForOptIn, writeOptIn } from '../storage/optin-statements.ts';
import * as subs from '../storage/subscriptions.ts';
import { applyOptIn, applyStopResume, topicIdFromPayload, writeAction } from './optins.ts';

describe.each(BACKENDS)('the opt-in checked write on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  async function world(kind: 'recurring' | 'one_time') {
    const w = await seedWorkspace(storage);
    const topic = await seedTopic(
      w.ctx,
      w.workspaceId,
      w.page.id,
      kind === 'recurring' ? recurringTopic() : otnTopic(),
    );
    const customer = await seedCustomer(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id });
    const invite = () =>
      seedInvitation(w.ctx, { workspaceId: w.workspaceId, pageId: w.page.id }, customer.id, topic.id);
    const optIn = (payload: string, token: string) =>
      applyOptIn(w.ctx, {
        fbPageId: w.page.fb_page_id,
        psid: customer.psid,
        kind,
        token,
        payload,
        at: w.clock.now(),
      });
    /** The optimistic read and the domain's decision, as the use-case makes them; `write()` sends it. */
    const prepare = async (payload: string, token: string) => {
      const at = w.clock.now();
      const r = await readForOptIn(
        storage.db,
        {
          fbPageId: w.page.fb_page_id,
          psid: customer.psid,
          payload,
          payloadTopicId: topicIdFromPayload(payload),
          title: null,
          kind,
        },
        false,
      );
      const topicRead = r!.topic!;
      const d = decideAcceptance({
        page: { profile: r!.page.profile },
        topic: topicRead,
        invitation: r!.invitation,
        existing: r!.existing,
        event: { token, at },
      });
      return {
        decision: d,
        write: () =>
          writeOptIn(storage.db, {
            customer: {
              workspaceId: r!.page.workspaceId,
              pageId: r!.page.id,
              psid: customer.psid,
              interactionAt: at,
            },
            topicId: topicRead.id,
            action: writeAction(d),
            event: d.history,
            at,
            invitation: r!.invitation,
            detail: {},
            now: at,
            versions: r!.versions,
          }),
      };
    };
    const tokens = async () =>
      (await subs.customerSubscriptions(storage.db, customer.id, { topicId: topic.id })).map(
        (row) => subs.toSubscriptionState(row).token,
      );
    const history = async () =>
      (await subs.consentHistory(storage.db, w.workspaceId, { customerId: customer.id })).map((h) => h.event);
    return { ...w, topic, customer, invite, optIn, prepare, tokens, history };
  }

  it('unchanged since the read: the write applies (R3a)', async () => {
    const w = await world('recurring');
    const p = await w.prepare(await w.invite(), 'tok-a');
    expect(p.decision.action).toBe('insert');
    expect(await p.write()).toMatchObject({ applied: true });
    expect(await w.tokens()).toEqual(['tok-a']);
    expect(await w.history()).toEqual(['accepted']);
  });

  it('R3a: the same invitation accepted meanwhile — the stale acceptance writes nothing', async () => {
    const w = await world('one_time');
    const payload = await w.invite();
    const stale = await w.prepare(payload, 'otn-late');
    expect((await w.optIn(payload, 'otn-first')).outcome).toBe('accepted');
    expect(await stale.write()).toEqual({ applied: false });
    expect(await w.tokens()).toEqual(['otn-first']);
    // Read again (what the use-case does), it is the repeat it is.
    expect((await w.optIn(payload, 'otn-late')).outcome).toBe('accepted_again');
    expect(await w.history()).toEqual(['accepted', 'accepted_again']);
  });

  it('R3b: another acceptance on the topic meanwhile — the stale insert writes nothing, one token stays', async () => {
    const w = await world('recurring');
    const stale = await w.prepare(await w.invite(), 'tok-stale');
    w.clock.advance(HOUR);
    expect((await w.optIn(await w.invite(), 'tok-other')).outcome).toBe('accepted');
    expect(await stale.write()).toEqual({ applied: false });
    expect(await w.tokens()).toEqual(['tok-other']);
    expect(await w.history()).toEqual(['accepted']);
  });

  it('R3b: no invitation (a payload naming only the topic) — the write without the invitation parts checks the same', async () => {
    const w = await world('recurring');
    const payload = `rn:t${w.topic.id}:m.me`;
    const stale = await w.prepare(payload, 'tok-stale');
    expect(stale.decision.action).toBe('insert');
    w.clock.advance(HOUR);
    expect((await w.optIn(payload, 'tok-other')).outcome).toBe('accepted');
    expect(await stale.write()).toEqual({ applied: false });
    expect(await w.tokens()).toEqual(['tok-other']);
    const again = await w.prepare(payload, 'tok-new');
    expect(again.decision.action).toBe('update');
    expect(await again.write()).toMatchObject({ applied: true });
    expect(await w.tokens()).toEqual(['tok-new']);
    expect(await w.history()).toEqual(['accepted', 'accepted']);
  });

  it('R8c/R8b: the token stopped meanwhile (no opt-in involved) — the stale replacement writes nothing', async () => {
    const w = await world('recurring');
    await w.optIn(await w.invite(), 'tok-a');
    w.clock.advance(HOUR);
    const stale = await w.prepare(await w.invite(), 'tok-b');
    expect(stale.decision.action).toBe('update');
    const stop = {
      fbPageId: w.page.fb_page_id,
      psid: w.customer.psid,
      token: 'tok-a',
      action: 'stop' as const,
    };
    expect(await applyStopResume(w.ctx, { ...stop, at: w.clock.now() })).toBe('stopped');
    expect(await stale.write()).toEqual({ applied: false });
    const [row] = await subs.customerSubscriptions(storage.db, w.customer.id);
    expect(subs.toSubscriptionState(row!)).toMatchObject({ token: 'tok-a' });
    expect(row!.stopped_at).not.toBeNull();
    expect(await w.history()).toEqual(['accepted', 'stopped']);
  });

  // Real concurrency: on PostgreSQL the pool's connections race; on PGlite the autocommit statements of
  // the opt-ins interleave on its one connection.
  it('R3a: one invitation accepted 12 times at once counts once — one token, one acceptance', async () => {
    const w = await world('one_time');
    const payload = await w.invite();
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => w.optIn(payload, `otn-${i}`)));
    expect(outcomes.filter((o) => o.outcome === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'accepted_again')).toHaveLength(11);
    expect(await w.tokens()).toHaveLength(1);
    expect((await w.history()).sort()).toEqual(['accepted', ...Array(11).fill('accepted_again')].sort());
  });

  it('R7d: 8 invitations of an OTN topic accepted at once stack, one token each', async () => {
    const w = await world('one_time');
    const payloads = await Promise.all(Array.from({ length: 8 }, () => w.invite()));
    const outcomes = await Promise.all(payloads.map((p, i) => w.optIn(p, `otn-${i}`)));
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(8).fill('accepted'));
    expect((await w.tokens()).sort()).toEqual(payloads.map((_, i) => `otn-${i}`).sort());
  });

  it('R3b: 8 acceptances of a recurring topic at once leave one token, the latest acceptance', async () => {
    const w = await world('recurring');
    const payloads = await Promise.all(Array.from({ length: 8 }, () => w.invite()));
    const t0 = w.clock.now().getTime();
    const outcomes = await Promise.all(
      payloads.map((payload, i) =>
        applyOptIn(w.ctx, {
          fbPageId: w.page.fb_page_id,
          psid: w.customer.psid,
          kind: 'recurring',
          token: `tok-${i}`,
          payload,
          at: new Date(t0 + i * 60_000),
        }),
      ),
    );
    expect(outcomes.every((o) => o.outcome === 'accepted' || o.outcome === 'accepted_stale')).toBe(true);
    const rows = await subs.customerSubscriptions(storage.db, w.customer.id);
    expect(rows).toHaveLength(1);
    expect(subs.toSubscriptionState(rows[0]!)).toMatchObject({
      token: 'tok-7',
      optedInAt: new Date(t0 + 7 * 60_000),
    });
    expect(await w.history()).toHaveLength(8);
  });

  // The locking read (inside a transaction: webhook processing, or after lost races) must lock the
  // customer row before the invitation, as the checked write does, or the two deadlock (R3a's race test
  // above saw "deadlock detected"). A write in progress holds the customer row; the locking read waits
  // on it — and must not hold the invitation meanwhile. Needs a second connection: PostgreSQL only.
  it.skipIf(backend === 'pglite')(
    'R3a: a locking read waits for the customer row before it locks the invitation (no deadlock with a write)',
    async () => {
      const w = await world('one_time');
      const payload = await w.invite();
      let locking: Promise<unknown> = Promise.resolve();
      await storage.db.transaction().execute(async (writer) => {
        await sql`SELECT id FROM customers WHERE id = ${w.customer.id} FOR UPDATE`.execute(writer);
        const { rows } = await sql<{ xid: string }>`SELECT pg_current_xact_id()::text AS xid`.execute(writer);
        locking = storage.db.transaction().execute((tx) =>
          applyOptIn(
            { ...w.ctx, db: tx },
            {
              fbPageId: w.page.fb_page_id,
              psid: w.customer.psid,
              kind: 'one_time',
              token: 'otn-locked',
              payload,
              at: w.clock.now(),
            },
          ),
        );
        // Until the locking read waits on this transaction (the customer row).
        for (let waiting = 0; waiting === 0; ) {
          await new Promise((r) => setTimeout(r, 10));
          const q = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'transactionid' AND NOT granted AND transactionid::text = ${rows[0]!.xid}`.execute(
            storage.db,
          );
          waiting = q.rows[0]!.n;
        }
        // The invitation is not locked by the waiting read: the write could go on and lock it.
        const inv = await sql<{ id: number }>`
          SELECT id FROM invitations WHERE payload = ${payload} FOR UPDATE NOWAIT`.execute(writer);
        expect(inv.rows).toHaveLength(1);
      });
      // The writer committed: the locking read goes on and applies.
      expect(await locking).toMatchObject({ outcome: 'accepted' });
      expect(await w.tokens()).toEqual(['otn-locked']);
      expect(await w.history()).toEqual(['accepted']);
    },
  );

  // Issue 13 (migration 034): the token and the history row name the page and the workspace without a
  // foreign key, so an opt-in in progress holds no KEY SHARE lock on those rows, which every opt-in of
  // the page would share (MultiXacts) — a page or workspace update is not blocked by one either.
  it.skipIf(backend === 'pglite')(
    'R3c: an opt-in in progress locks neither its page row nor its workspace row',
    async () => {
      const w = await world('one_time');
      const payload = await w.invite();
      await storage.db.transaction().execute(async (tx) => {
        const outcome = await applyOptIn(
          { ...w.ctx, db: tx },
          {
            fbPageId: w.page.fb_page_id,
            psid: w.customer.psid,
            kind: 'one_time',
            token: 'otn-open',
            payload,
            at: w.clock.now(),
          },
        );
        expect(outcome).toMatchObject({ outcome: 'accepted' });
        // From another connection, while the opt-in's transaction is open.
        const page = await sql`SELECT id FROM pages WHERE id = ${w.page.id} FOR UPDATE NOWAIT`.execute(
          storage.db,
        );
        const ws = await sql`SELECT id FROM workspaces WHERE id = ${w.workspaceId} FOR UPDATE NOWAIT`.execute(
          storage.db,
        );
        expect([page.rows.length, ws.rows.length]).toEqual([1, 1]);
      });
      expect(await w.tokens()).toEqual(['otn-open']);
      expect(await w.history()).toEqual(['accepted']);
    },
  );
});
