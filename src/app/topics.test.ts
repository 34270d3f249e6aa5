import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { DAY, otnTopic, recurringTopic, seedCustomer, seedWorkspace } from '../../test/support/factories.ts';
import { isDomainError } from '../domain/errors.ts';
import type { Storage } from '../storage/db.ts';
import { applyOptIn } from './optins.ts';
import {
  createTopic,
  deactivateTopic,
  deleteTopic,
  editTopic,
  getTopic,
  listTopics,
  reactivateTopic,
} from './topics.ts';

describe.each(BACKENDS)('topic use-cases on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  async function expectCode(p: Promise<unknown>, code: string) {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDomainError(err), `expected a DomainError ${code}, got ${String(err)}`).toBe(true);
    expect((err as { code: string }).code).toBe(code);
  }

  it('R5a: creates recurring and OTN topics with their fields', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const r = await createTopic(ctx, workspaceId, page.id, recurringTopic({ ctaText: 'SIGN_UP' }));
    expect(r).toMatchObject({ kind: 'recurring', frequency: 'WEEKLY', cta_text: 'SIGN_UP', active: true });
    const o = await createTopic(ctx, workspaceId, page.id, otnTopic());
    expect(o).toMatchObject({ kind: 'one_time', frequency: null, cta_text: null });
  });

  it('R5a: bad input raises a typed error and changes nothing', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    await expectCode(
      createTopic(ctx, workspaceId, page.id, recurringTopic({ title: 'x'.repeat(66) })),
      'title_too_long',
    );
    await expectCode(
      createTopic(ctx, workspaceId, page.id, otnTopic({ frequency: 'DAILY' })),
      'frequency_on_otn',
    );
    await expectCode(
      createTopic(ctx, workspaceId, page.id, recurringTopic({ frequency: undefined })),
      'frequency_required',
    );
    await expectCode(
      createTopic(ctx, workspaceId, page.id, recurringTopic({ kind: 'weekly' })),
      'invalid_kind',
    );
    await expectCode(createTopic(ctx, workspaceId, 999_999, recurringTopic()), 'page_not_found');
    expect(await listTopics(ctx, workspaceId, page.id)).toHaveLength(0);
  });

  it('R5c: topic names are unique per page (case-insensitive), also on edit', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const a = await createTopic(ctx, workspaceId, page.id, recurringTopic({ name: 'Sale' }));
    await expectCode(
      createTopic(ctx, workspaceId, page.id, otnTopic({ name: 'sale' })),
      'duplicate_topic_name',
    );
    const b = await createTopic(ctx, workspaceId, page.id, otnTopic({ name: 'Restock' }));
    await expectCode(editTopic(ctx, workspaceId, b.id, { name: 'SALE' }), 'duplicate_topic_name');
    expect((await getTopic(ctx, workspaceId, b.id)).name).toBe('Restock');
    expect((await getTopic(ctx, workspaceId, a.id)).name).toBe('Sale');
    // another page may use the same name
    const other = await seedWorkspace(storage);
    await createTopic(other.ctx, other.workspaceId, other.page.id, recurringTopic({ name: 'Sale' }));
  });

  it('R5a: edit keeps the kind and validates the merged topic', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const t = await createTopic(ctx, workspaceId, page.id, recurringTopic());
    const edited = await editTopic(ctx, workspaceId, t.id, { title: 'Daily flash sale', frequency: 'DAILY' });
    expect(edited).toMatchObject({ title: 'Daily flash sale', frequency: 'DAILY', kind: 'recurring' });
    await expectCode(editTopic(ctx, workspaceId, t.id, { kind: 'one_time' }), 'kind_change_refused');
    await expectCode(editTopic(ctx, workspaceId, t.id, { title: '' }), 'title_required');
    await expectCode(editTopic(ctx, workspaceId, 987_654, { title: 'x' }), 'topic_not_found');
  });

  it('R5b: deactivate and reactivate; an inactive topic has no valid subscribers', async () => {
    const { ctx, workspaceId, page } = await seedWorkspace(storage);
    const t = await createTopic(ctx, workspaceId, page.id, recurringTopic());
    const c = await seedCustomer(ctx, { workspaceId, pageId: page.id });
    await applyOptIn(ctx, {
      fbPageId: page.fb_page_id,
      psid: c.psid,
      kind: 'recurring',
      token: 'tok-r5b',
      payload: `rn:t${t.id}:x`,
      at: ctx.clock.now(),
    });
    expect((await listTopics(ctx, workspaceId, page.id))[0]!.validSubscribers).toBe(1);
    expect((await deactivateTopic(ctx, workspaceId, t.id)).active).toBe(false);
    expect((await listTopics(ctx, workspaceId, page.id))[0]!.validSubscribers).toBe(0);
    expect((await reactivateTopic(ctx, workspaceId, t.id)).active).toBe(true);
    expect((await listTopics(ctx, workspaceId, page.id))[0]!.validSubscribers).toBe(1);
  });

  it('R5c: deleting a topic with live subscriptions is refused; without, it disappears', async () => {
    const { ctx, clock, workspaceId, page } = await seedWorkspace(storage);
    const t = await createTopic(ctx, workspaceId, page.id, otnTopic());
    const c = await seedCustomer(ctx, { workspaceId, pageId: page.id });
    await applyOptIn(ctx, {
      fbPageId: page.fb_page_id,
      psid: c.psid,
      kind: 'one_time',
      token: 'otn-r5c',
      payload: `rn:t${t.id}:y`,
      at: clock.now(),
    });
    await expectCode(deleteTopic(ctx, workspaceId, t.id), 'topic_has_live_subscriptions');
    clock.advance(366 * DAY); // the OTN token expired: nothing live any more
    await deleteTopic(ctx, workspaceId, t.id);
    await expectCode(getTopic(ctx, workspaceId, t.id), 'topic_not_found');
    // the name is free again
    await createTopic(ctx, workspaceId, page.id, otnTopic({ name: t.name }));
  });

  it('tenancy: another workspace cannot see or change a topic', async () => {
    const a = await seedWorkspace(storage);
    const b = await seedWorkspace(storage);
    const t = await createTopic(a.ctx, a.workspaceId, a.page.id, recurringTopic());
    await expectCode(getTopic(b.ctx, b.workspaceId, t.id), 'topic_not_found');
    await expectCode(deactivateTopic(b.ctx, b.workspaceId, t.id), 'topic_not_found');
    await expectCode(listTopics(b.ctx, b.workspaceId, a.page.id), 'page_not_found');
    expect((await getTopic(a.ctx, a.workspaceId, t.id)).active).toBe(true);
  });
});
