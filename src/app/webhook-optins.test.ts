// Opt-ins applied together by the worker's batch (webhook-optins.ts) give what one at a time gives:
// the same outcomes, tokens, history, log entries and notices — the same events applied on two pages,
// one page's customers in one batch, the other's one event per transaction. And the batch's write
// applies a row only if what it was decided from is unchanged.
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { BACKENDS } from '../../test/support/backends.ts';
import {
  DAY,
  HOUR,
  otnTopic,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedOptIn,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { useQueueWorld } from '../../test/support/queue-world.ts';
import type { Enqueuer } from '../jobs/queue.ts';
import type { Executor } from '../storage/db.ts';
import { readForOptIn, readForOptIns, writeOptIns } from '../storage/optin-statements.ts';
import { lookupHash } from '../storage/secrets.ts';
import { claimTokens } from '../storage/subscriptions.ts';
import { type InboxEvent, storeEvents } from '../storage/webhook-events.ts';
import { handleWebhookCustomer, handleWebhookCustomers } from './job-handlers.ts';
import { applyOptIn, applyOptInsTogether, applyStopResume, newInvitationPayload } from './optins.ts';

// Spies on the two reads (the real functions run): which path each opt-in took.
vi.mock('../storage/optin-statements.ts', async (original) => {
  const m = await original<typeof import('../storage/optin-statements.ts')>();
  return { ...m, readForOptIn: vi.fn(m.readForOptIn), readForOptIns: vi.fn(m.readForOptIns) };
});

/** Resolves once another session of this database waits for a lock (PostgreSQL). */
async function waitUntilBlocked(db: Executor): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    if (rows[0]!.n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(BACKENDS)('opt-ins applied together on %s', (backend) => {
  const world = useQueueWorld(backend, 'wopt');

  /** What the worker's handlers are given, on this world. */
  const worker = (clock: Awaited<ReturnType<typeof seedWorkspace>>['clock']) => ({
    ctx: { db: world.storage.db, clock, queue: world.queue, channel: world.graph, profiles: world.graph },
    observe: { webhookEventsProcessed: () => undefined, botSend: () => undefined },
  });

  /** One page with its topics and customers in the states the scenarios start from; its events stored. */
  async function page(tag: string) {
    const w = await seedWorkspace(world.storage);
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const weekly = await seedTopic(
      w.ctx,
      w.workspaceId,
      w.page.id,
      recurringTopic({ title: 'Weekly deals' }),
    );
    const restock = await seedTopic(w.ctx, w.workspaceId, w.page.id, otnTopic({ title: 'Size M is back' }));
    const psid = (n: string) => `${tag}-${n}`;
    const c = async (n: string) => seedCustomer(w.ctx, scope, { psid: psid(n) });
    const t = w.clock.now().getTime();
    // Starting states, each applied as a shop sees them before the burst.
    const invited = await c('invited');
    const invitedPayload = await seedInvitation(w.ctx, scope, invited.id, weekly.id, 'bot');
    const again = await c('again');
    const againPayload = await seedInvitation(w.ctx, scope, again.id, weekly.id, 'agent');
    await seedOptIn(w.ctx, w.page.fb_page_id, {
      psid: again.psid,
      kind: 'recurring',
      payload: againPayload,
      token: `${tag}-tok-again`,
      at: new Date(t - 2 * DAY),
    });
    const renewed = await c('renewed');
    const renewPayload = await seedInvitation(w.ctx, scope, renewed.id, weekly.id, 'bot');
    await seedOptIn(w.ctx, w.page.fb_page_id, {
      psid: renewed.psid,
      kind: 'recurring',
      payload: renewPayload,
      token: `${tag}-tok-renewed-old`,
      at: new Date(t - 3 * DAY),
    });
    const renewPayload2 = await seedInvitation(w.ctx, scope, renewed.id, weekly.id, 'agent');
    const stacked = await c('stacked');
    const stackPayload = await seedInvitation(w.ctx, scope, stacked.id, restock.id, 'agent');
    await seedOptIn(w.ctx, w.page.fb_page_id, {
      psid: stacked.psid,
      kind: 'one_time',
      payload: stackPayload,
      token: `${tag}-otn-stacked-1`,
      at: new Date(t - DAY),
    });
    const stackPayload2 = await seedInvitation(w.ctx, scope, stacked.id, restock.id, 'agent');
    await c('outside');
    await c('unknown');
    const early = await c('early');
    // R8c: a Stop for a token not known yet (applied as unknown_token), before its opt-in arrives.
    const who = (n: string) => ({ sender: { id: psid(n) }, recipient: { id: w.page.fb_page_id } });
    const recurring = (n: string, at: number, token: string, extra: Record<string, unknown>) => ({
      ...who(n),
      timestamp: at,
      optin: {
        type: 'notification_messages',
        notification_messages_token: token,
        notification_messages_frequency: 'WEEKLY',
        title: 'Weekly deals',
        token_expiry_timestamp: at + 180 * DAY,
        ...extra,
      },
    });
    const otn = (n: string, at: number, token: string, payload: string) => ({
      ...who(n),
      timestamp: at,
      optin: { type: 'one_time_notif_req', one_time_notif_token: token, payload },
    });
    const earlyPayload = await seedInvitation(w.ctx, scope, early.id, weekly.id, 'bot');
    // Two customers answering one invitation (a card forwarded to a friend): R3a counts it once.
    const twinA = await c('twinA');
    await c('twinB');
    const twinPayload = await seedInvitation(w.ctx, scope, twinA.id, restock.id, 'agent');
    await c('chatty');
    await c('odd');
    const store = (n: string, kind: string, body: Record<string, unknown>, at: number) =>
      storeEvents(
        world.storage.db,
        [
          {
            fbPageId: w.page.fb_page_id,
            psid: psid(n),
            kind,
            idempotencyKey: `${tag}-${n}-${at}`,
            eventAt: new Date(at),
            body,
          } satisfies InboxEvent,
        ],
        w.clock.now(),
      );
    await store(
      'early',
      'optin_recurring',
      recurring('early', t + 50, `${tag}-tok-early`, {
        payload: earlyPayload,
        notification_messages_status: 'STOP_NOTIFICATIONS',
      }),
      t + 50,
    );
    const { ctx, observe } = worker(w.clock);
    await handleWebhookCustomer(ctx, observe, { fbPageId: w.page.fb_page_id, psid: psid('early') });

    // The burst: one opt-in per customer.
    const burst: Array<[string, string, Record<string, unknown>]> = [
      [
        'invited',
        'optin_recurring',
        recurring('invited', t + 1, `${tag}-tok-invited`, { payload: invitedPayload }),
      ],
      ['again', 'optin_recurring', recurring('again', t + 2, `${tag}-tok-again`, { payload: againPayload })],
      [
        'renewed',
        'optin_recurring',
        recurring('renewed', t + 3, `${tag}-tok-renewed-new`, { payload: renewPayload2 }),
      ],
      ['stacked', 'optin_otn', otn('stacked', t + 4, `${tag}-otn-stacked-2`, stackPayload2)],
      ['outside', 'optin_recurring', recurring('outside', t + 5, `${tag}-tok-outside`, {})],
      [
        'unknown',
        'optin_recurring',
        {
          ...recurring('unknown', t + 6, `${tag}-tok-unknown`, {}),
          optin: {
            type: 'notification_messages',
            notification_messages_token: `${tag}-tok-unknown`,
            notification_messages_frequency: 'WEEKLY',
            title: 'No such topic',
          },
        },
      ],
      [
        'newcomer',
        'optin_otn',
        otn('newcomer', t + 7, `${tag}-otn-newcomer`, newInvitationPayload(restock.id)),
      ],
      ['early', 'optin_recurring', recurring('early', t + 8, `${tag}-tok-early`, { payload: earlyPayload })],
      ['twinA', 'optin_otn', otn('twinA', t + 9, `${tag}-otn-twinA`, twinPayload)],
      ['twinB', 'optin_otn', otn('twinB', t + 10, `${tag}-otn-twinB`, twinPayload)],
      ['chatty', 'optin_otn', otn('chatty', t + 11, `${tag}-otn-chatty`, newInvitationPayload(restock.id))],
      // A payload no invitation has, with a lone surrogate (JSON may escape one): found by its title.
      ['odd', 'optin_recurring', recurring('odd', t + 12, `${tag}-tok-odd`, { payload: 'ref-\ud800-x' })],
    ];
    // `chatty` also wrote a message before opting in: two pending events, so one at a time, in order.
    await store(
      'chatty',
      'message',
      { ...who('chatty'), timestamp: t + 10, message: { mid: `${tag}-m-chatty`, text: 'còn size M không?' } },
      t + 10,
    );
    for (const [n, kind, body] of burst)
      await store(n, kind, body, (body as { timestamp: number }).timestamp);
    const names = burst.map(([n]) => n);
    const jobs = names.map((n) => ({ fbPageId: w.page.fb_page_id, psid: psid(n) }));
    return { w, tag, names, jobs, ctx, observe, psid };
  }

  /** What a page ends with, per customer, with the page's own names taken out. */
  async function outcome(p: Awaited<ReturnType<typeof page>>, notices: Array<{ customerId: number }>) {
    const db = world.storage.db;
    const strip = (s: string) =>
      s
        .replaceAll(p.tag, 'X')
        .replaceAll(p.w.page.fb_page_id, 'PAGE')
        .replace(/rn:t\d+:[\w-]+/g, 'rn:t?');
    const out: Record<string, unknown> = {};
    // A token's keyed hash, named by the token with the page's tag taken out.
    const tokenName = new Map<string, string>();
    for (const n of p.names)
      for (const tok of [
        `${p.tag}-tok-${n}`,
        `${p.tag}-otn-${n}`,
        `${p.tag}-otn-${n}-1`,
        `${p.tag}-otn-${n}-2`,
        `${p.tag}-tok-${n}-old`,
        `${p.tag}-tok-${n}-new`,
      ])
        tokenName.set(lookupHash(tok), strip(tok));
    for (const n of p.names) {
      const customer = await db
        .selectFrom('customers')
        .select(['id', 'last_interaction_at'])
        .where('page_id', '=', p.w.page.id)
        .where('psid', '=', p.psid(n))
        .executeTakeFirstOrThrow();
      const events = await db
        .selectFrom('webhook_events')
        .select(['kind', 'outcome'])
        .where('fb_page_id', '=', p.w.page.fb_page_id)
        .where('psid', '=', p.psid(n))
        .orderBy('event_at')
        .execute();
      const tokens = await db
        .selectFrom('subscriptions as s')
        .innerJoin('topics as t', 't.id', 's.topic_id')
        .select([
          't.title',
          's.kind',
          's.token_hash',
          's.opted_in_at',
          's.expires_at',
          's.stopped_at',
          's.frequency',
        ])
        .select((eb) => eb.fn.coalesce('s.invitation_id', eb.val(0)).as('inv'))
        .where('s.customer_id', '=', customer.id)
        .orderBy('s.id')
        .execute();
      const history = await db
        .selectFrom('consent_history as h')
        .leftJoin('subscriptions as s', 's.id', 'h.subscription_id')
        .leftJoin('invitations as i', 'i.id', 'h.invitation_id')
        // Which token (by its hash) and which invitation (by its sender) each row names.
        .select(['h.event', 'h.at', 'h.sender_kind', 's.token_hash', 'i.sender_kind as invitation_sender'])
        .where('h.customer_id', '=', customer.id)
        .orderBy('h.id')
        .execute();
      const logs = await db
        .selectFrom('messages')
        .select(['kind', 'direction', 'payload', 'created_at'])
        .where('customer_id', '=', customer.id)
        .orderBy('id')
        .execute();
      const invitations = await db
        .selectFrom('invitations')
        .select(['accepted_at'])
        .where('customer_id', '=', customer.id)
        .orderBy('id')
        .execute();
      out[n] = {
        lastInteraction: customer.last_interaction_at,
        events,
        tokens: tokens.map((k) => ({ ...k, token_hash: k.token_hash.length, inv: k.inv ? 'some' : 'none' })),
        history: history.map((h) => ({
          ...h,
          token_hash: h.token_hash === null ? null : tokenName.get(h.token_hash),
        })),
        logs: logs.map((l) => ({ ...l, payload: strip(JSON.stringify(l.payload)) })),
        invitations,
        notices: notices.filter((j) => j.customerId === customer.id).length,
      };
    }
    return out;
  }

  function recording(): { queue: Enqueuer; notices: Array<{ customerId: number }> } {
    const notices: Array<{ customerId: number }> = [];
    const queue: Enqueuer = {
      send: async (name, data, opts) => {
        if ((data as { kind?: string }).kind === 'notice') notices.push(data as { customerId: number });
        return world.queue.send(name, data, opts);
      },
      sendMany: async (name, data, opts) => {
        for (const d of data)
          if ((d as { kind?: string }).kind === 'notice') notices.push(d as { customerId: number });
        return world.queue.sendMany(name, data, opts);
      },
    };
    return { queue, notices };
  }

  it('R3a, R3b, R4f, R7d, R8c: a burst of opt-ins applied together ends as one at a time ends, in two statements for all', async () => {
    const together = await page('tog');
    const alone = await page('one');
    // Same clock reading on both pages: seedWorkspace starts each world at T0.
    expect(together.w.clock.now().getTime()).toBe(alone.w.clock.now().getTime());

    vi.mocked(readForOptIn).mockClear();
    vi.mocked(readForOptIns).mockClear();
    const rec1 = recording();
    const fellBack = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const errors = await handleWebhookCustomers(
      { ...together.ctx, queue: rec1.queue },
      together.observe,
      together.jobs,
    );
    expect(fellBack).not.toHaveBeenCalled();
    fellBack.mockRestore();
    expect(errors).toEqual(together.jobs.map(() => undefined));
    // One read for the ten the batch took (not `early`, whose Stop waits for its token, nor `chatty`,
    // who has a message pending too); one each, one at a time, for `unknown` (topic unknown: that path
    // records the customer), `twinB` (its invitation is `twinA`'s in the same batch), `early`, `chatty`.
    expect(vi.mocked(readForOptIns).mock.calls.map((c) => c[1].length)).toEqual([10]);
    expect(vi.mocked(readForOptIn)).toHaveBeenCalledTimes(4);

    const rec2 = recording();
    for (const job of alone.jobs)
      await handleWebhookCustomer({ ...alone.ctx, queue: rec2.queue }, alone.observe, job);

    const a = await outcome(together, rec1.notices);
    const b = await outcome(alone, rec2.notices);
    expect(a).toEqual(b);
    // And what that is, by the rules.
    const events = (n: string) =>
      (a[n] as { events: Array<{ outcome: string }> }).events.map((e) => e.outcome);
    expect(events('invited')).toEqual(['accepted']);
    expect(events('again')).toEqual(['accepted_again']);
    expect(events('renewed')).toEqual(['accepted']);
    expect(events('stacked')).toEqual(['accepted']);
    expect(events('outside')).toEqual(['accepted']);
    expect(events('unknown')).toEqual(['unknown_topic']);
    expect(events('newcomer')).toEqual(['accepted']);
    expect(events('early')).toEqual(['accepted', 'stopped']); // by time: the opt-in, then its replayed Stop
    expect(events('twinA')).toEqual(['accepted']);
    expect(events('twinB')).toEqual(['accepted_again']); // R3a: one invitation, counted once
    expect(events('chatty')).toEqual(['message', 'accepted']);
    expect(events('odd')).toEqual(['accepted']);
    const of = (n: string) =>
      a[n] as {
        tokens: Array<{ stopped_at: Date | null }>;
        notices: number;
        invitations: Array<{ accepted_at: Date | null }>;
      };
    expect(of('again').notices).toBe(1); // R4f
    expect(of('renewed').tokens).toHaveLength(1); // R3b: one recurring token per topic, replaced
    expect(of('stacked').tokens).toHaveLength(2); // R7d: OTN tokens stack
    expect(of('early').tokens[0]!.stopped_at).not.toBeNull(); // R8c: the early Stop replayed
    expect(of('invited').invitations[0]!.accepted_at).not.toBeNull(); // R3a: marked
  });

  it('R7d: a burst of 120 first OTN opt-ins (prepared for the write over several turns of the event loop) is applied by the batch, each customer with its own token, history row and log entry', async () => {
    const w = await seedWorkspace(world.storage);
    const restock = await seedTopic(w.ctx, w.workspaceId, w.page.id, otnTopic({ title: 'Size L is back' }));
    const t = w.clock.now().getTime();
    const n = 120; // the write's rows are prepared 50 at a time
    const psid = (k: number) => `big-${k}`;
    await storeEvents(
      world.storage.db,
      Array.from(
        { length: n },
        (_, k): InboxEvent => ({
          fbPageId: w.page.fb_page_id,
          psid: psid(k),
          kind: 'optin_otn',
          idempotencyKey: `big-${k}`,
          eventAt: new Date(t + k),
          body: {
            sender: { id: psid(k) },
            recipient: { id: w.page.fb_page_id },
            timestamp: t + k,
            optin: {
              type: 'one_time_notif_req',
              one_time_notif_token: `big-otn-${k}`,
              payload: `rn:t${restock.id}:big${k}`, // an m.me link's: the topic, no invitation
            },
          },
        }),
      ),
      w.clock.now(),
    );
    const { ctx, observe } = worker(w.clock);
    const jobs = Array.from({ length: n }, (_, k) => ({ fbPageId: w.page.fb_page_id, psid: psid(k) }));
    vi.mocked(readForOptIn).mockClear();
    vi.mocked(readForOptIns).mockClear();
    const fellBack = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await handleWebhookCustomers(ctx, observe, jobs)).toEqual(jobs.map(() => undefined));
    expect(fellBack).not.toHaveBeenCalled();
    fellBack.mockRestore();
    // One read for all; every row written by the batch (a row whose write came back unapplied would be
    // read again one at a time).
    expect(vi.mocked(readForOptIns).mock.calls.map((c) => c[1].length)).toEqual([n]);
    expect(vi.mocked(readForOptIn)).not.toHaveBeenCalled();
    const rows = await world.storage.db
      .selectFrom('customers as c')
      .innerJoin('subscriptions as s', 's.customer_id', 'c.id')
      .innerJoin('consent_history as h', 'h.customer_id', 'c.id')
      .innerJoin('webhook_events as e', (j) =>
        j.onRef('e.psid', '=', 'c.psid').on('e.fb_page_id', '=', w.page.fb_page_id),
      )
      .select(['c.psid', 's.token_hash', 's.id as sub', 'h.subscription_id', 'h.event', 'e.outcome'])
      .where('c.page_id', '=', w.page.id)
      .orderBy('c.psid')
      .execute();
    expect(rows).toHaveLength(n);
    // Each customer's inbound log entry names that customer (the batch maps its results back by row).
    const logs = await world.storage.db
      .selectFrom('messages as m')
      .innerJoin('customers as c', 'c.id', 'm.customer_id')
      .select(['c.psid', 'm.direction', 'm.payload'])
      .where('c.page_id', '=', w.page.id)
      .orderBy('c.psid')
      .execute();
    expect(logs).toHaveLength(n);
    for (const l of logs) {
      const k = l.psid.slice('big-'.length);
      expect([l.direction, JSON.stringify(l.payload)], l.psid).toEqual([
        'in',
        expect.stringContaining(`:big${k}"`),
      ]);
    }
    for (const r of rows) {
      const k = Number(r.psid.slice('big-'.length));
      expect(r.token_hash, r.psid).toBe(lookupHash(`big-otn-${k}`));
      expect(r.subscription_id, r.psid).toBe(r.sub);
      expect([r.event, r.outcome], r.psid).toEqual(['accepted', 'accepted']);
    }
  });

  it('trust: a row of the batch write whose customer another opt-in wrote after the read writes nothing; the others are written', async () => {
    const w = await seedWorkspace(world.storage);
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const weekly = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
    const c1 = await seedCustomer(w.ctx, scope);
    const c2 = await seedCustomer(w.ctx, scope);
    const page = { id: w.page.id, workspaceId: w.workspaceId, profile: w.page.profile };
    const inputs = [c1, c2].map((c) => ({
      page,
      psid: c.psid,
      payload: null,
      payloadTopicId: weekly.id,
      title: null,
      kind: 'recurring' as const,
    }));
    const reads = await readForOptIns(w.ctx.db, inputs);
    expect(reads.map((r) => r.existing.length)).toEqual([0, 0]);
    // Meanwhile c1 opts in elsewhere (another worker): a token now exists that the read did not see.
    await seedOptIn(w.ctx, w.page.fb_page_id, {
      psid: c1.psid,
      kind: 'recurring',
      payload: newInvitationPayload(weekly.id),
      token: 'tok-meanwhile',
    });
    const now = w.clock.now();
    const row = (token: string) => ({
      topicId: weekly.id,
      kind: 'recurring' as const,
      token,
      invitationId: null,
      optedInAt: now,
      expiresAt: new Date(now.getTime() + 180 * DAY),
      stoppedAt: null,
      usedAt: null,
      frequency: 'WEEKLY' as const,
      lastSentAt: null,
      nextEligibleAt: null,
    });
    const written = await writeOptIns(
      w.ctx.db,
      [c1, c2].map((c, k) => ({
        customer: { ...scope, psid: c.psid, interactionAt: now },
        topicId: weekly.id,
        action: { kind: 'insert' as const, row: row(`tok-batch-${k}`) },
        event: 'accepted',
        at: now,
        invitation: null,
        detail: {},
        now,
        versions: reads[k]!.versions,
      })),
      now,
    );
    expect(written.map((x) => x.applied)).toEqual([false, true]);
    const tokens = await w.ctx.db
      .selectFrom('subscriptions')
      .select(['customer_id'])
      .where('topic_id', '=', weekly.id)
      .orderBy('id')
      .execute();
    // c1 keeps only the token written meanwhile (R3b: one recurring token per topic); c2 got its own.
    expect(tokens.map((t) => t.customer_id)).toEqual([c1.id, c2.id]);
    // Read again and applied through the use-case: c1's opt-in now replaces the token it sees.
    const again = await applyOptInsTogether(w.ctx, [
      {
        page: w.page,
        fbPageId: w.page.fb_page_id,
        psid: c1.psid,
        kind: 'recurring',
        token: 'tok-batch-0',
        payload: newInvitationPayload(weekly.id),
        at: new Date(now.getTime() + HOUR),
      },
    ]);
    expect(again[0]).toMatchObject({ outcome: 'accepted', customerId: c1.id });
  });

  it('trust: R8c a Stop applied after the batch read (the token changed, the customer not) makes that row write nothing', async () => {
    const w = await seedWorkspace(world.storage);
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const weekly = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
    const c = await seedCustomer(w.ctx, scope);
    await seedOptIn(w.ctx, w.page.fb_page_id, {
      psid: c.psid,
      kind: 'recurring',
      payload: newInvitationPayload(weekly.id),
      token: 'tok-held',
      at: new Date(w.clock.now().getTime() - DAY),
    });
    const page = { id: w.page.id, workspaceId: w.workspaceId, profile: w.page.profile };
    const [read] = await readForOptIns(w.ctx.db, [
      { page, psid: c.psid, payload: null, payloadTopicId: weekly.id, title: null, kind: 'recurring' },
    ]);
    expect(read!.existing).toHaveLength(1);
    const stop = await applyStopResume(w.ctx, {
      fbPageId: w.page.fb_page_id,
      psid: c.psid,
      token: 'tok-held',
      action: 'stop',
      at: w.clock.now(),
    });
    expect(stop).toBe('stopped');
    const now = w.clock.now();
    const [written] = await writeOptIns(
      w.ctx.db,
      [
        {
          customer: { ...scope, psid: c.psid, interactionAt: now },
          topicId: weekly.id,
          // Decided from the token as read (not stopped): replacing it would undo the Stop.
          action: {
            kind: 'update',
            subscriptionId: read!.existing[0]!.id,
            row: { ...read!.existing[0]!, token: 'tok-new', optedInAt: now, stoppedAt: null },
          },
          event: 'accepted',
          at: now,
          invitation: null,
          detail: {},
          now,
          versions: read!.versions,
        },
      ],
      now,
    );
    expect(written!.applied).toBe(false);
    const token = await w.ctx.db
      .selectFrom('subscriptions')
      .select(['stopped_at'])
      .where('customer_id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(token.stopped_at).not.toBeNull();
  });

  /** An insert of a recurring token on `topicId`, as the domain would decide it from `read`. */
  const insertRow = (
    scope: { workspaceId: number; pageId: number },
    psid: string,
    topicId: number,
    token: string,
    read: Awaited<ReturnType<typeof readForOptIns>>[number],
    now: Date,
  ) => ({
    customer: { ...scope, psid, interactionAt: now },
    topicId,
    action: {
      kind: 'insert' as const,
      row: {
        topicId,
        kind: 'recurring' as const,
        token,
        invitationId: read.invitation?.id ?? null,
        optedInAt: now,
        expiresAt: new Date(now.getTime() + 180 * DAY),
        stoppedAt: null,
        usedAt: null,
        frequency: 'WEEKLY' as const,
        lastSentAt: null,
        nextEligibleAt: null,
      },
    },
    event: 'accepted',
    at: now,
    invitation: read.invitation,
    detail: {},
    now,
    versions: read.versions,
  });

  it('trust: R3a an invitation accepted after the batch read makes that row write nothing; the others name their invitation and token', async () => {
    const w = await seedWorkspace(world.storage);
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const weekly = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
    const c1 = await seedCustomer(w.ctx, scope);
    const c2 = await seedCustomer(w.ctx, scope);
    const p1 = await seedInvitation(w.ctx, scope, c1.id, weekly.id, 'bot');
    const p2 = await seedInvitation(w.ctx, scope, c2.id, weekly.id, 'agent');
    const page = { id: w.page.id, workspaceId: w.workspaceId, profile: w.page.profile };
    const reads = await readForOptIns(w.ctx.db, [
      { page, psid: c1.psid, payload: p1, payloadTopicId: weekly.id, title: null, kind: 'recurring' },
      { page, psid: c2.psid, payload: p2, payloadTopicId: weekly.id, title: null, kind: 'recurring' },
    ]);
    const now = w.clock.now();
    // Meanwhile c1's invitation is accepted (another worker applied an opt-in answering it).
    await w.ctx.db
      .updateTable('invitations')
      .set({ accepted_at: now })
      .where('id', '=', reads[0]!.invitation!.id)
      .execute();
    const written = await writeOptIns(
      w.ctx.db,
      [c1, c2].map((c, k) => insertRow(scope, c.psid, weekly.id, `tok-inv-${k}`, reads[k]!, now)),
      now,
    );
    expect(written.map((x) => x.applied)).toEqual([false, true]);
    const tokens = await w.ctx.db
      .selectFrom('subscriptions')
      .select(['id', 'customer_id'])
      .where('topic_id', '=', weekly.id)
      .execute();
    expect(tokens).toEqual([{ id: expect.any(Number), customer_id: c2.id }]);
    const history = await w.ctx.db
      .selectFrom('consent_history')
      .select(['customer_id', 'subscription_id', 'invitation_id', 'sender_kind'])
      .where('topic_id', '=', weekly.id)
      .execute();
    expect(history).toEqual([
      {
        customer_id: c2.id,
        subscription_id: tokens[0]!.id,
        invitation_id: reads[1]!.invitation!.id,
        sender_kind: 'agent',
      },
    ]);
    const marked = await w.ctx.db
      .selectFrom('invitations')
      .select(['id', 'accepted_at'])
      .where('id', '=', reads[1]!.invitation!.id)
      .executeTakeFirstOrThrow();
    expect(marked.accepted_at).toEqual(now);
  });

  it.runIf(backend === 'postgres')(
    'trust: a customer whose opt-in another transaction commits while the batch write waits for the row is not applied',
    async () => {
      const w = await seedWorkspace(world.storage);
      const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
      const weekly = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
      const c = await seedCustomer(w.ctx, scope);
      const page = { id: w.page.id, workspaceId: w.workspaceId, profile: w.page.profile };
      const [read] = await readForOptIns(w.ctx.db, [
        { page, psid: c.psid, payload: null, payloadTopicId: weekly.id, title: null, kind: 'recurring' },
      ]);
      const now = w.clock.now();
      let pending!: Promise<unknown>;
      await world.storage.db.transaction().execute(async (tx) => {
        const r = await applyOptIn(
          { db: tx, clock: w.clock },
          {
            fbPageId: w.page.fb_page_id,
            page: w.page,
            psid: c.psid,
            kind: 'recurring',
            token: 'tok-other',
            payload: newInvitationPayload(weekly.id),
            at: now,
          },
        );
        expect(r).toMatchObject({ outcome: 'accepted' });
        // On another connection: the write waits for this transaction's customer row, then sees it changed.
        pending = writeOptIns(
          w.ctx.db,
          [insertRow(scope, c.psid, weekly.id, 'tok-batch', read!, now)],
          now,
        ).then(
          (x) => x,
          (e: unknown) => e,
        );
        await waitUntilBlocked(w.ctx.db);
      });
      expect(await pending).toEqual([{ applied: false }]);
      const tokens = await w.ctx.db
        .selectFrom('subscriptions')
        .select('id')
        .where('customer_id', '=', c.id)
        .execute();
      expect(tokens).toHaveLength(1);
    },
  );

  it.runIf(backend === 'postgres')(
    'a campaign claiming tokens in its own order beside the batch write: no deadlock, the token it holds is skipped and that row goes one at a time',
    async () => {
      const w = await seedWorkspace(world.storage);
      const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
      const weekly = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
      const cs = [await seedCustomer(w.ctx, scope), await seedCustomer(w.ctx, scope)];
      for (const c of cs)
        await seedOptIn(w.ctx, w.page.fb_page_id, {
          psid: c.psid,
          kind: 'recurring',
          payload: newInvitationPayload(weekly.id),
          token: `old-${c.psid}`,
          at: new Date(w.clock.now().getTime() - DAY),
        });
      const page = { id: w.page.id, workspaceId: w.workspaceId, profile: w.page.profile };
      const reads = await readForOptIns(
        w.ctx.db,
        cs.map((c) => ({
          page,
          psid: c.psid,
          payload: null,
          payloadTopicId: weekly.id,
          title: null,
          kind: 'recurring' as const,
        })),
      );
      const [s1, s2] = reads.map((r) => r.existing[0]!.id) as [number, number];
      expect(s1).toBeLessThan(s2);
      const now = w.clock.now();
      const use = (id: number) => ({
        subscriptionId: id,
        usedAt: null,
        lastSentAt: now,
        nextEligibleAt: new Date(now.getTime() + DAY),
      });
      let batch!: Promise<unknown>;
      // The claim takes S2, the batch write runs, then the claim takes S1: before SKIP LOCKED the batch
      // held S1 waiting for S2 and the two deadlocked (40P01, the whole processing batch rolled back).
      const claim = await world.storage.db
        .transaction()
        .execute(async (tx) => {
          await claimTokens(tx, [use(s2)], now);
          batch = writeOptIns(
            w.ctx.db,
            cs.map((c, k) => ({
              ...insertRow(scope, c.psid, weekly.id, `new-${c.psid}`, reads[k]!, now),
              action: {
                kind: 'update' as const,
                subscriptionId: reads[k]!.existing[0]!.id,
                row: { ...reads[k]!.existing[0]!, token: `new-${c.psid}`, optedInAt: now },
              },
            })),
            now,
          ).then(
            (x) => x,
            (e: unknown) => e,
          );
          await batch;
          await claimTokens(tx, [use(s1)], now);
        })
        .then(
          () => 'committed',
          (e: unknown) => e,
        );
      expect(claim).toBe('committed');
      expect(await batch).toEqual([
        { applied: true, customerId: cs[0]!.id, subscriptionId: s1 },
        { applied: false },
      ]);
    },
  );
});
