// R4f at the use-case: the agent's invitation refused as already sent / already subscribed carries the
// page's notice text; any other refusal does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedOptIn,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import { GraphClient } from '../channel/index.ts';
import type { Storage } from '../storage/db.ts';
import { inviteWithNotice } from './invitations.ts';
import { setNoticeText } from './workspaces.ts';

describe.each(BACKENDS)('agent invitations (R4f) on %s', (backend) => {
  let storage: Storage;
  // Every case here is refused by the rules before Graph: the client is never called.
  const graph = new GraphClient({ baseUrl: 'http://127.0.0.1:9', version: 'v23.0' });
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => {
    await graph.close();
    await storage?.close();
  });

  async function world(ageMs?: number) {
    const w = await seedWorkspace(storage);
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
    const customer = await seedCustomer(w.ctx, scope, ageMs === undefined ? {} : { ageMs });
    const notice = await setNoticeText(w.ctx, w.workspaceId, w.page.id, {
      vi: 'Đã gửi rồi',
      en: 'Sent already',
    });
    const invite = () =>
      inviteWithNotice(
        { ...w.ctx, channel: graph },
        { workspaceId: w.workspaceId, customerId: customer.id, topicId: topic.id, sender: 'agent' },
      );
    return { ...w, scope, topic, customer, notice, invite };
  }

  it('R4f/R4c: a topic the customer already holds → refused already_subscribed, with the notice', async () => {
    const w = await world();
    const payload = await seedInvitation(w.ctx, w.scope, w.customer.id, w.topic.id);
    await seedOptIn(w.ctx, w.page.fb_page_id, {
      psid: w.customer.psid,
      kind: 'recurring',
      payload,
      token: 'tok-r4f',
    });
    const r = await w.invite();
    expect(r.outcome).toMatchObject({ ok: false, stage: 'rules', reason: 'already_subscribed' });
    expect(r.notice).toEqual(w.notice);
  });

  it('R4f/R4b: a topic sent and not accepted → refused invitation_too_soon, with the notice', async () => {
    const w = await world();
    await seedInvitation(w.ctx, w.scope, w.customer.id, w.topic.id);
    const r = await w.invite();
    expect(r.outcome).toMatchObject({ ok: false, stage: 'rules', reason: 'invitation_too_soon' });
    expect(r.notice).toEqual(w.notice);
  });

  it('R2: any other refusal (outside the 24 h window) carries no notice', async () => {
    const w = await world(2 * DAY);
    const r = await w.invite();
    expect(r.outcome).toMatchObject({ ok: false, stage: 'rules', reason: 'invitation_outside_window' });
    expect(r.notice).toBeUndefined();
  });
});
