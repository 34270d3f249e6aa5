// Issue 10 items 13 and 16: one meaning per number (the topic list, the topic's statistics, the page's
// statistics and the home screen give the same "valid subscribers"), a topic's interaction over a
// period (R10a stages of its notifications), and the home screen's overview, tenancy-checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import {
  DAY,
  HOUR,
  recurringTopic,
  seedCustomer,
  seedInvitation,
  seedOptIn,
  seedTopic,
  seedWorkspace,
  T0,
} from '../../test/support/factories.ts';
import { isDomainError } from '../domain/errors.ts';
import type { Storage } from '../storage/db.ts';
import { insertMessage, markDelivered, markRead } from '../storage/messages.ts';
import { updatePage } from '../storage/pages.ts';
import { createCampaign } from './campaigns.ts';
import { pageOverview } from './overview.ts';
import { claimNotification, settleNotification } from './sends.ts';
import { pageStats, topicStats } from './stats.ts';
import { listTopics } from './topics.ts';

describe.each(BACKENDS)('overview and statistics definitions on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  /** Three subscribers of a weekly topic; a notification 20 days ago to one, and today to two more. */
  async function shop() {
    const w = await seedWorkspace(storage, {}, new Date(T0.getTime() - 40 * DAY));
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(w.ctx, w.workspaceId, w.page.id, recurringTopic());
    const people = [];
    for (let i = 0; i < 3; i++) {
      const c = (await seedCustomer(w.ctx, scope))!;
      const payload = await seedInvitation(w.ctx, scope, c.id, topic.id);
      await seedOptIn(w.ctx, w.page.fb_page_id, { psid: c.psid, kind: 'recurring', payload, token: `t${i}` });
      people.push(c);
    }
    const notify = async (customerId: number, mid: string) => {
      const req = {
        ...scope,
        customerId,
        sender: 'agent' as const,
        intent: { kind: 'notification' as const, topicId: topic.id },
        content: 'text' as const,
      };
      const claim = await claimNotification(w.ctx, req);
      expect(claim.resolution.ok).toBe(true);
      await settleNotification(w.ctx, claim, req, { sent: true, messageId: mid });
      await insertMessage(storage.db, {
        ...scope,
        customerId,
        direction: 'out',
        senderKind: 'agent',
        kind: 'notification',
        mid,
        text: 'Sale',
        payload: null,
        at: w.clock.now(),
      });
    };
    w.clock.set(new Date(T0.getTime() - 20 * DAY));
    await notify(people[0]!.id, 'old');
    await markDelivered(storage.db, people[0]!.id, ['old'], null);
    w.clock.set(T0);
    // The two new sends put b and c in their weekly cooldown: still valid subscribers.
    await notify(people[1]!.id, 'm1');
    await notify(people[2]!.id, 'm2');
    await markDelivered(storage.db, people[1]!.id, ['m1'], null);
    await markDelivered(storage.db, people[2]!.id, ['m2'], null);
    await markRead(storage.db, people[2]!.id, new Date(T0.getTime() + HOUR));
    return { ...w, scope, topic, people };
  }

  it('R10b (issue 10.13): the topic list, the topic panel, the page and the home screen give one "valid subscribers"', async () => {
    const { ctx, workspaceId, page, topic } = await shop();
    const listed = (await listTopics(ctx, workspaceId, page.id)).find((t) => t.id === topic.id)!;
    const panel = await topicStats(ctx, workspaceId, topic.id, 7);
    const table = (await pageStats(ctx, workspaceId, page.id, 7)).topics.find((t) => t.id === topic.id)!;
    const home = (await pageOverview(ctx, workspaceId, page.id)).topics.find((t) => t.id === topic.id)!;
    // Before: the list counted only those out of cooldown (1) while the panel said 3.
    expect(panel.totals.validSubscribers).toBe(3);
    expect(listed.validSubscribers).toBe(3);
    expect(table.validSubscribers).toBe(3);
    expect(home.validSubscribers).toBe(3);
  });

  it("R10a/R10b: a topic's interaction over the period: sent → delivered → read → clicked of its notifications", async () => {
    const { ctx, workspaceId, page, topic } = await shop();
    const week = await topicStats(ctx, workspaceId, topic.id, 7);
    expect(week.interaction).toMatchObject({ sent: 2, delivered: 2, read: 1, clicked: 0 });
    expect(week.interaction.rates).toMatchObject({ delivered: 1, read: 0.5, clicked: 0 });
    const month = (await pageStats(ctx, workspaceId, page.id, 30)).topics.find((t) => t.id === topic.id)!;
    expect(month.interaction).toMatchObject({ sent: 3, delivered: 3, read: 1, clicked: 0 });
    expect(month.interaction).toEqual((await topicStats(ctx, workspaceId, topic.id, 30)).interaction);
  });

  it('issue 10.16: the home screen: waiting conversations, latest campaigns, what needs attention (a rejected template too)', async () => {
    const { ctx, workspaceId, page, scope, people, clock, topic } = await shop();
    // a wrote after the page's last answer; b was answered; an old message 8 days ago is past replying.
    const msg = (customerId: number, direction: 'in' | 'out', at: Date, mid: string) =>
      insertMessage(storage.db, {
        ...scope,
        customerId,
        direction,
        senderKind: direction === 'in' ? 'customer' : 'agent',
        kind: 'text',
        mid,
        text: 'hi',
        payload: null,
        at,
      });
    await msg(people[0]!.id, 'in', new Date(T0.getTime() + HOUR), 'in-a');
    await msg(people[1]!.id, 'in', new Date(T0.getTime() + HOUR), 'in-b');
    await msg(people[1]!.id, 'out', new Date(T0.getTime() + 2 * HOUR), 'out-b');
    await storage.db
      .updateTable('customers')
      .set({ last_interaction_at: new Date(T0.getTime() + HOUR) })
      .where('id', 'in', [people[0]!.id, people[1]!.id])
      .execute();
    const stale = (await seedCustomer(ctx, scope, { ageMs: 8 * DAY }))!;
    await msg(stale.id, 'in', new Date(T0.getTime() - 8 * DAY), 'in-old');
    await updatePage(storage.db, workspaceId, page.id, { restricted_reason: 'page_restricted: by Meta' });
    clock.set(new Date(T0.getTime() + 3 * HOUR));
    await createCampaign(ctx, workspaceId, page.id, {
      name: 'Tuần lễ vàng',
      topicId: topic.id,
      content: { type: 'text', text: 'Giảm 20%' },
      audience: {},
    });

    const o = await pageOverview(ctx, workspaceId, page.id);
    expect(o.waitingForReply).toBe(1);
    expect(o.subscribers).toBe(3);
    expect(o.campaigns.map((c) => [c.name, c.status, c.sent, c.rates.delivered])).toEqual([
      ['Tuần lễ vàng', 'draft', 0, null],
    ]);
    expect(o.attention).toContainEqual({ code: 'page_restricted', detail: 'page_restricted: by Meta' });
    expect(o.attention.filter((a) => a.code === 'template_rejected')).toEqual([]);

    // A utility template Meta rejected (R13) needs attention; an approved one does not.
    const template = (name: string, status: string, reason: string | null) =>
      storage.db
        .insertInto('message_templates')
        .values({
          workspace_id: workspaceId,
          page_id: page.id,
          name,
          language: 'vi',
          header_text: null,
          body_text: 'Đơn {{order_id}} đã được gửi đi.',
          buttons: JSON.stringify([]),
          parameter_format: 'NAMED',
          parameters: ['order_id'],
          examples: JSON.stringify({ order_id: '1' }),
          library_template_name: null,
          fb_template_id: null,
          status,
          status_reason: reason,
          status_at: T0,
          created_at: T0,
          updated_at: T0,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const bad = await template('order_shipped', 'REJECTED', 'INVALID_FORMAT');
    await template('order_paid', 'APPROVED', null);
    expect(
      (await pageOverview(ctx, workspaceId, page.id)).attention.filter((a) => a.code === 'template_rejected'),
    ).toEqual([
      { code: 'template_rejected', templateId: bad.id, name: 'order_shipped', reason: 'INVALID_FORMAT' },
    ]);

    const other = await seedWorkspace(storage);
    const refused = await pageOverview(other.ctx, other.workspaceId, page.id).catch((e) => e);
    expect(isDomainError(refused, 'page_not_found')).toBe(true);
  });
});
