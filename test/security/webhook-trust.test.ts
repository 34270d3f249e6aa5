// Issue 9 (items 1, 4, 10): attacks on POST /webhooks/messenger against a running renotify (real HTTP,
// PGlite and PostgreSQL). Workspaces A and B each connected a page through their own Meta app; B
// knows its own app secret and nothing of A's. Platform wire format: platform.md (signature over the raw
// bytes under the app secret; Meta batches up to 1000 updates per delivery).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneWebhookEvents } from '../../src/app/webhook-intake.ts';
import type { ManualClock } from '../../src/clock.ts';
import { signBody } from '../../src/sandbox/index.ts';
import { findPageByFbId } from '../../src/storage/pages.ts';
import { storeEvents } from '../../src/storage/webhook-events.ts';
import { delivery, waitFor } from '../e2e/harness.ts';
import { BACKENDS } from '../support/backends.ts';
import { boot, call, type Reply, type Tenant, tenant } from './harness.ts';

const DAY = 86_400_000;
const hex = () => randomBytes(6).toString('hex');

describe.each(BACKENDS)('webhook trust (%s)', (backend) => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  let a: Tenant;
  let b: Tenant;
  const secrets: Record<string, string> = {};

  const post = (body: unknown, secret: string): Promise<Reply> => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return call(base, 'POST', '/webhooks/messenger', {}, raw, {
      'x-hub-signature-256': signBody(secret, raw),
    });
  };
  const db = () => env.rt.storage.db;
  const count = async (table: string, where = 'true') =>
    Number(
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.raw(where)}`.execute(db())
      ).rows[0]!.n,
    );
  const stored = (keys: string[]) =>
    db()
      .selectFrom('webhook_events')
      .select('idempotency_key')
      .where('idempotency_key', 'in', keys)
      .execute()
      .then((r) => r.length);
  const text = (pageId: string, psid: string, mid: string, t = 'hi', ts = env.rt.clock.now().getTime()) => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: ts,
    message: { mid, text: t },
  });

  beforeAll(async () => {
    env = await boot(backend);
    base = env.rt.url!;
    a = await tenant(env.rt);
    b = await tenant(env.rt);
    // Each tenant's page was connected with its own app secret (test/security/harness.ts).
    for (const t of [a, b]) secrets[t.fbPageId] = (await findPageByFbId(db(), t.fbPageId))!.app_secret!;
  });
  afterAll(async () => env?.close());

  it('trust: a delivery signed by one app cannot write into another workspace (403, nothing of it stored)', async () => {
    const victim = `psid-${hex()}`;
    const token = `RN-${hex()}`;
    const before = await count('webhook_events');
    // B's app signs a delivery that carries one entry of B's own page and two aimed at A's page: a fake
    // inbound message (the assistant would answer with A's token) and a recurring opt-in with no invitation.
    const forged = {
      object: 'page',
      entry: [
        ...delivery(b.fbPageId, [text(b.fbPageId, `psid-${hex()}`, `m_${hex()}`)]).entry,
        ...delivery(a.fbPageId, [
          text(a.fbPageId, victim, `m_${hex()}`),
          {
            sender: { id: victim },
            recipient: { id: a.fbPageId },
            timestamp: env.rt.clock.now().getTime(),
            optin: {
              type: 'notification_messages',
              notification_messages_token: token,
              payload: 'x',
              title: 'Deals',
            },
          },
        ]).entry,
      ],
    };
    const res = await post(forged, secrets[b.fbPageId]!);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('signature_invalid');
    expect(res.body.error.details).toMatchObject({ vi: expect.any(String), en: expect.any(String) });
    expect(await count('webhook_events')).toBe(before);
    // Naming only A's page under B's app is refused too.
    const alone = delivery(a.fbPageId, [text(a.fbPageId, victim, `m_${hex()}`)]);
    expect((await post(alone, secrets[b.fbPageId]!)).status).toBe(403);
    expect(await count('webhook_events')).toBe(before);
    // The same events, each signed by its own page's app, are accepted: the refusal is about the secret.
    const own = `m_${hex()}`;
    expect(
      (await post(delivery(a.fbPageId, [text(a.fbPageId, victim, own)]), secrets[a.fbPageId]!)).status,
    ).toBe(200);
    await waitFor(() => count('messages', `mid = '${own}'`), { what: "A's own message applied" });
    expect(await count('subscriptions', `token = '${token}'`)).toBe(0);
    expect(await count('customers', `psid = '${victim}' AND workspace_id = ${b.workspaceId}`)).toBe(0);
  });

  it('trust: a delivery naming a page nobody connected is refused whole and nothing of it is stored', async () => {
    const deployment = env.rt.sandbox!.info().appSecret;
    const demo = env.rt.page.fb_page_id;
    const before = await count('webhook_events');
    const body = {
      object: 'page',
      entry: [
        ...delivery(demo, [text(demo, `psid-${hex()}`, `m_${hex()}`)]).entry,
        ...delivery('999000111222333', [text('999000111222333', `psid-${hex()}`, `m_${hex()}`)]).entry,
      ],
    };
    const res = await post(body, deployment);
    expect(res.status).toBe(403);
    // Same answer as a wrong secret: a stranger cannot probe which pages are connected.
    expect(res.body.error.code).toBe('signature_invalid');
    expect(await count('webhook_events')).toBe(before);
  });

  // Before the stream tests (their backlog would keep the worker busy); moves the clock a month ahead.
  it('retention: processed events older than the retention are pruned in bounded batches; pending ones are kept', async () => {
    const page = a.fbPageId;
    const old = Array.from({ length: 5 }, () => `m_${hex()}`);
    for (const mid of old)
      expect((await post(delivery(page, [text(page, `psid-${hex()}`, mid)]), secrets[page]!)).status).toBe(
        200,
      );
    const oldKeys = old.map((m) => `message:${m}`);
    await waitFor(
      async () =>
        (await count(
          'webhook_events',
          `processed_at IS NOT NULL AND idempotency_key IN (${oldKeys.map((k) => `'${k}'`).join(',')})`,
        )) === 5,
      { what: 'old events processed' },
    );
    // A pending event (its job never ran) as old as those.
    const pendingKey = `message:m_pending_${hex()}`;
    await storeEvents(
      db(),
      [
        {
          fbPageId: page,
          psid: `psid-${hex()}`,
          kind: 'message',
          idempotencyKey: pendingKey,
          eventAt: env.rt.clock.now(),
          body: {},
        },
      ],
      env.rt.clock.now(),
    );
    (env.rt.clock as ManualClock).advance(31 * DAY);
    const fresh = `m_${hex()}`;
    expect((await post(delivery(page, [text(page, `psid-${hex()}`, fresh)]), secrets[page]!)).status).toBe(
      200,
    );
    await waitFor(
      () => count('webhook_events', `processed_at IS NOT NULL AND idempotency_key = 'message:${fresh}'`),
      { what: 'fresh event processed' },
    );
    // Bounded: one batch of 2 deletes exactly 2, oldest first.
    expect(await pruneWebhookEvents(env.rt.ctx, { days: 30, batch: 2, maxBatches: 1 })).toBe(2);
    // The worker's sweep (WEBHOOK_RETENTION_DAYS, default 30) takes the rest.
    await env.rt.sweep();
    expect(await stored(oldKeys)).toBe(0);
    expect(await stored([pendingKey, `message:${fresh}`])).toBe(2);
    expect(env.rt.config.webhook.retentionDays).toBe(30);
  });
  it('intake: a delivery the database refuses fails alone; the others committed with it are 200 and stored', async () => {
    const page = a.fbPageId;
    // An unforeseen refusal by the database (a real trigger, not a mock) for one customer's events.
    await sql`CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.psid = 'refused-by-db' THEN RAISE EXCEPTION 'poison'; END IF; RETURN NEW; END $$`.execute(
      db(),
    );
    await sql`CREATE TRIGGER refuse_poison BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()`.execute(
      db(),
    );
    try {
      const valid = Array.from({ length: 60 }, () => text(page, `psid-${hex()}`, `m_${hex()}`));
      // Make them one group: hold the page lookup every delivery starts with until all have arrived
      // (PGlite: its one connection; PostgreSQL: a lock on pages), the refused one last.
      const received = async () => (await env.rt.metrics.webhooksReceived.get()).values[0]?.value ?? 0;
      const start = await received();
      let release!: () => void;
      const released = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => {
        locked = r;
      });
      const hold = db()
        .transaction()
        .execute(async (trx) => {
          await sql`LOCK TABLE pages IN ACCESS EXCLUSIVE MODE`.execute(trx);
          locked();
          await released;
        });
      await isLocked;
      const replies = valid.map((e) => post(delivery(page, [e]), secrets[page]!));
      await waitFor(async () => (await received()) === start + valid.length, { what: 'all valid received' });
      replies.push(post(delivery(page, [text(page, 'refused-by-db', `m_${hex()}`)]), secrets[page]!));
      await waitFor(async () => (await received()) === start + valid.length + 1, {
        what: 'refused one received',
      });
      release();
      await hold;
      const statuses = (await Promise.all(replies)).map((r) => r.status);
      expect(statuses.slice(0, -1)).toEqual(valid.map(() => 200));
      expect(statuses.at(-1)).toBe(500);
      expect(await stored(valid.map((e) => `message:${e.message.mid}`))).toBe(valid.length);
    } finally {
      await sql`DROP TRIGGER refuse_poison ON webhook_events`.execute(db());
    }
  });

  it('intake: poison deliveries mixed into a stream of valid ones are 4xx on their own; every valid one is 200 and stored', async () => {
    const page = a.fbPageId;
    const now = env.rt.clock.now().getTime();
    const raw = (events: unknown[]) =>
      JSON.stringify(delivery(page, events as Array<Record<string, unknown>>));
    // 5,000-deep nesting is written out as text: JSON.stringify of it would overflow this stack too.
    const deep = raw([
      {
        ...text(page, `psid-${hex()}`, `m_${hex()}`),
        message: { mid: `m_${hex()}`, attachments: [{ type: 'file', payload: '@DEEP@' }] },
      },
    ]).replace('"@DEEP@"', `${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}`);
    const poison = [
      raw([text(page, 'psid\u0000nul', `m_${hex()}`)]),
      raw([text(page, `psid-${hex()}`, `m_${hex()}`, 'hi', 1e17)]),
      deep,
      raw(Array.from({ length: 1001 }, (_, i) => text(page, `psid-${i}`, `m_${hex()}`, 'x', now))),
      // Past the parameter limit of one statement (7 × 10,000) and past the body limit: 413 unread.
      raw(Array.from({ length: 10_000 }, (_, i) => text(page, `psid-${i}`, `m_${hex()}`, 'x', now))),
    ];
    // Valid ones: single events, and batches of 1,000 (Meta's maximum) that group commits store together
    // (each batch from one customer, so the worker's backlog stays small).
    const valid = [
      ...Array.from({ length: 80 }, () => [text(page, `psid-${hex()}`, `m_${hex()}`)]),
      ...Array.from({ length: 10 }, () => {
        const psid = `psid-${hex()}`;
        return Array.from({ length: 1000 }, (_, i) => text(page, psid, `m_${hex()}`, 'x', now + i));
      }),
    ];
    const sends = [
      ...valid.map((events) => ({ raw: raw(events), poison: false })),
      ...poison.map((p) => ({ raw: p, poison: true })),
    ].sort(() => Math.random() - 0.5);
    const replies = await Promise.all(sends.map((s) => post(s.raw, secrets[page]!)));
    const bad = replies.filter((_, i) => sends[i]!.poison);
    expect(bad).toHaveLength(5);
    for (const r of bad) {
      expect([400, 413]).toContain(r.status);
      expect(r.body.error.code).toMatch(
        /^(webhook_(invalid_text|invalid_timestamp|too_deep|too_many_events)|body_too_large)$/,
      );
      expect(r.body.error.details).toMatchObject({ vi: expect.any(String), en: expect.any(String) });
    }
    const good = replies.filter((_, i) => !sends[i]!.poison).map((r) => r.status);
    expect(good).toEqual(good.map(() => 200));
    const keys = valid.flat().map((e) => `message:${e.message.mid}`);
    expect(await stored(keys)).toBe(keys.length);
  });
});
