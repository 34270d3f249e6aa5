// Opt-ins applied together by the worker's batch (webhook-optins.ts) give what one at a time gives:
// the same outcomes, tokens, history, log entries and notices — the same events applied on two pages,
// one page's customers in one batch, the other's one event per transaction. And the batch's write
// applies a row only if what it was decided from is unchanged.
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
import { readForOptIn, readForOptIns, writeOptIns } from '../storage/optin-statements.ts';
import { type InboxEvent, storeEvents } from '../storage/webhook-events.ts';
import { handleWebhookCustomer, handleWebhookCustomers } from './job-handlers.ts';
import { applyOptInsTogether, applyStopResume, newInvitationPayload } from './optins.ts';

// Spies on the two reads (the real functions run): which path each opt-in took.
vi.mock('../storage/optin-statements.ts', async (original) => {
  const m = await original<typeof import('../storage/optin-statements.ts')>();
  return { ...m, readForOptIn: vi.fn(m.readForOptIn), readForOptIns: vi.fn(m.readForOptIns) };
});

describe.each(BACKENDS)('opt-ins applied together on %s', (backend) => {
  const world = useQueueWorld(backend, 'wopt');

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
    const ctx = {
      db: world.storage.db,
      clock: w.clock,
      queue: world.queue,
      channel: world.graph,
      profiles: world.graph,
    };
    const observe = { webhookEventsProcessed: () => undefined, botSend: () => undefined };
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
    ];
    for (const [n, kind, body] of burst)
      await store(n, kind, body, (body as { timestamp: number }).timestamp);
    const names = burst.map(([n]) => n);
    const jobs = names.map((n) => ({ fbPageId: w.page.fb_page_id, psid: psid(n) }));
    return { w, tag, names, jobs, ctx, observe, psid };
  }

  /** What a page ends with, per customer, with the page's own names taken out. */
  async function outcome(p: Awaited<ReturnType<typeof page>>, notices: Array<{ customerId: number }>) {
    const db = world.storage.db;
    const strip = (s: string) => s.replaceAll(p.tag, 'X').replace(/rn:t\d+:[\w-]+/g, 'rn:t?');
    const out: Record<string, unknown> = {};
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
        .selectFrom('consent_history')
        .select(['event', 'at', 'sender_kind'])
        .where('customer_id', '=', customer.id)
        .orderBy('id')
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
        history,
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
      sendMany: (name, data, opts) => world.queue.sendMany(name, data, opts),
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
    // One read for the seven the batch took (not `early`, whose Stop waits for its token); one each, one
    // at a time, for `unknown` (topic unknown: that path records the customer) and `early`.
    expect(vi.mocked(readForOptIns).mock.calls.map((c) => c[1].length)).toEqual([7]);
    expect(vi.mocked(readForOptIn)).toHaveBeenCalledTimes(2);

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
});
