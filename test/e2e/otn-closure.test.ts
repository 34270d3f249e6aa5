// R12f end to end: OTN is kept on the `2026` profile until Meta says otherwise. The sandbox's knob makes
// Meta answer "unavailable" (code 10, its documented default): the first such answer closes OTN for the
// page, stored (it survives the request), obeyed by the resolver, the notification and the invitation
// paths without another call to Meta, and shown to the workspace on the home screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient2026 } from '../../src/sandbox/client-2026.ts';
import { BACKENDS } from '../support/backends.ts';
import { type Harness, startHarness } from './harness.ts';
import { messengerSteps, OTN_TITLE } from './messenger-steps.ts';

describe.each(BACKENDS)('OTN closed by Meta on a 2026 page (VN) on %s', (backend) => {
  const ref = {} as { h: Harness };
  const steps = messengerSteps(ref);
  let sb: SandboxClient2026;
  beforeAll(async () => {
    ref.h = await startHarness(backend, { env: { PAGE_PROFILE: '2026', PAGE_REGION: 'VN' } });
    sb = new SandboxClient2026(ref.h.sandboxUrl);
  });
  afterAll(async () => ref.h?.close());

  it('R12f: the first "unavailable" answer closes OTN for the page; nothing more is sent on it and the workspace is told', async () => {
    const { h } = ref;
    const a = await steps.optedIn(OTN_TITLE);
    const b = await steps.optedIn(OTN_TITLE);
    await h.sb.advance('2d');
    const route = (id: number) =>
      h.api('GET', `/api/customers/${id}/route?kind=notification&topicId=${h.topics.otn}&sender=agent`);
    expect((await route(b.id)).body).toMatchObject({ ok: true, route: 'otn_token' });

    await sb.policy({ otnUnavailable: true });
    const first = await steps.notify(a.id, h.topics.otn, 'Size M đã có hàng');
    expect(first.status, first.text).toBe(502);
    expect(first.body.error.details.code).toBe(10);
    const page = await h.storage.db
      .selectFrom('pages')
      .select(['otn_closed_at', 'otn_closed_reason'])
      .where('id', '=', h.pageId)
      .executeTakeFirstOrThrow();
    expect(page.otn_closed_at).not.toBeNull();
    expect(page.otn_closed_reason).toContain('One-time notifications are not available');

    // Meta said it once: the product does not ask again, even after the knob is off.
    await sb.policy({ otnUnavailable: false });
    const calls = async () => (await h.sb.received(b.psid)).length;
    const before = await calls();
    expect((await route(b.id)).body).toMatchObject({ ok: false, route: 'otn_token', reason: 'otn_closed' });
    const second = await steps.notify(b.id, h.topics.otn, 'Size M đã có hàng');
    expect(second.status, second.text).toBe(422);
    expect(second.body.error.code).toBe('otn_closed');
    expect(await calls()).toBe(before);
    // Back in the window: the card asking for OTN is not sent either.
    await h.sb.message(b.psid, 'còn size L không?');
    await h.settle();
    const inWindow = await calls();
    const invite = await steps.invite(b.id, h.topics.otn);
    expect(invite.status, invite.text).toBe(422);
    expect(invite.body.error.code).toBe('otn_closed');
    expect(await calls()).toBe(inWindow);

    const home = await h.api('GET', `/api/pages/${h.pageId}/overview`);
    expect(home.body.attention).toContainEqual(
      expect.objectContaining({ code: 'otn_closed', detail: page.otn_closed_reason }),
    );
  });

  it('R12f: a campaign answered "unavailable" closes OTN for its page; a later campaign skips its OTN recipients without calling Meta', async () => {
    const { h } = ref;
    // This case runs after the first on the same page: OTN is reopened, as on a page Meta never closed.
    await h.storage.db
      .updateTable('pages')
      .set({ otn_closed_at: null, otn_closed_reason: null })
      .where('id', '=', h.pageId)
      .execute();
    // Two customers an hour apart, so that each campaign targets one of them (audience by opt-in time;
    // the first case's customers opted in days before).
    const a = await steps.optedIn(OTN_TITLE);
    const optedAt = await h.storage.db
      .selectFrom('subscriptions')
      .select('opted_in_at')
      .where('customer_id', '=', a.id)
      .where('topic_id', '=', h.topics.otn)
      .executeTakeFirstOrThrow();
    const at = (minutes: number) =>
      new Date(new Date(optedAt.opted_in_at as Date).getTime() + minutes * 60_000).toISOString();
    const split = at(30);
    await h.sb.advance('1h');
    const b = await steps.optedIn(OTN_TITLE);
    await h.sb.advance('2d');
    const runCampaign = async (
      name: string,
      audience: Record<string, string>,
      dry?: (d: { reachable: number; skipped: Record<string, number> }) => void,
    ) => {
      const created = await h.api('POST', `/api/pages/${h.pageId}/campaigns`, {
        name,
        topicId: h.topics.otn,
        content: { type: 'text', text: 'Size M đã có hàng' },
        audience,
      });
      expect(created.status, created.text).toBe(201);
      if (dry) dry((await h.api('POST', `/api/campaigns/${created.body.id}/dry-run`)).body);
      const started = await h.api('POST', `/api/campaigns/${created.body.id}/start`, {});
      expect(started.status, started.text).toBeLessThan(300);
      for (let i = 0; i < 300; i++) {
        const c = await h.api('GET', `/api/campaigns/${created.body.id}`);
        if (c.body.status === 'completed') return c.body.progress;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`campaign ${name} did not complete`);
    };

    await sb.policy({ otnUnavailable: true });
    const first = await runCampaign('OTN closes', { optedInFrom: at(-1), optedInTo: split });
    expect(first).toMatchObject({ targeted: 1, counts: { sent: 0, failed: 1 } });
    const page = await h.storage.db
      .selectFrom('pages')
      .select(['otn_closed_at', 'otn_closed_reason'])
      .where('id', '=', h.pageId)
      .executeTakeFirstOrThrow();
    expect(page.otn_closed_at).not.toBeNull();
    expect(page.otn_closed_reason).toContain('One-time notifications are not available');

    // Meta said it once: with the knob off, the next campaign still does not ask Meta.
    await sb.policy({ otnUnavailable: false });
    const before = (await h.sb.received(b.psid)).length;
    // The dry run says what the run will do (R9c): the OTN recipient is not reached.
    const second = await runCampaign('OTN stays closed', { optedInFrom: split }, (d) => {
      expect(d.reachable).toBe(0);
      expect(d.skipped).toEqual({ otn_closed: 1 });
    });
    expect(second).toMatchObject({ targeted: 1, counts: { sent: 0, skipped: 1 } });
    expect(second.reasons).toEqual({ 'skipped:otn_closed': 1 });
    expect((await h.sb.received(b.psid)).length).toBe(before);
    const home = await h.api('GET', `/api/pages/${h.pageId}/overview`);
    expect(home.body.attention).toContainEqual(
      expect.objectContaining({ code: 'otn_closed', detail: page.otn_closed_reason }),
    );
  });
});
