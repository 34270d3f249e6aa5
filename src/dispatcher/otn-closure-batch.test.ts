// R12f in campaigns: on a 2026 page, Meta's first "OTN unavailable" answer to a campaign's OTN-token send
// closes OTN for the page (recorded with the batch, Meta's words as the reason); the following batches
// skip their OTN recipients as `otn_closed` without calling Meta. A legacy page is not touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStorage } from '../../test/support/backends.ts';
import { dispatchToEnd, startTextCampaign } from '../../test/support/dispatch.ts';
import {
  DAY,
  otnTopic,
  seedCustomer,
  seedInvitation,
  seedOptIn,
  seedTopic,
  seedWorkspace,
} from '../../test/support/factories.ts';
import * as campaigns from '../app/campaigns.ts';
import type { BatchItem, SendResult } from '../channel/index.ts';
import { classifySendError } from '../domain/send-errors.ts';
import type { Storage } from '../storage/db.ts';

const UNAVAILABLE = { code: 10, message: '(#10) One-time notifications are not available for this Page' };

describe.each(BACKENDS)('a campaign told by Meta that OTN is unavailable on %s', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
  });
  afterAll(async () => storage?.close());

  /** An OTN campaign to 4 opted-in customers, one per batch; the stub answers the first call `UNAVAILABLE`. */
  async function run(profile: '2025' | '2026') {
    const w = await seedWorkspace(storage, profile === '2026' ? { profile, region: 'VN' } : { profile });
    const ctx = w.ctx;
    const scope = { workspaceId: w.workspaceId, pageId: w.page.id };
    const topic = await seedTopic(ctx, w.workspaceId, w.page.id, otnTopic());
    for (let i = 0; i < 4; i++) {
      const c = await seedCustomer(ctx, scope);
      const payload = await seedInvitation(ctx, scope, c.id, topic.id, 'bot');
      await seedOptIn(ctx, w.page.fb_page_id, {
        psid: c.psid,
        kind: 'one_time',
        payload,
        token: `otn-${c.id}`,
      });
    }
    w.clock.advance(8 * DAY);
    const created = await startTextCampaign({ ...w, ctx }, topic.id, {
      name: 'Back in stock',
      text: 'Size M is back',
    });
    const sent: BatchItem[] = [];
    const camp = await dispatchToEnd(
      storage,
      w,
      created.id,
      {
        channel: {
          sendBatch: async (_page, items) =>
            items.map((item): SendResult => {
              sent.push(item);
              if (sent.length === 1) {
                const error = { ...UNAVAILABLE, class: classifySendError(UNAVAILABLE, 400) };
                return { ok: false, error, attempts: 1 };
              }
              return { ok: true, messageId: `m-${sent.length}`, recipientId: null, attempts: 1 };
            }),
        },
      },
      { batchSize: 1 },
    );
    expect(camp.status).toBe('completed');
    const rows = await campaigns.campaignDeliveries(ctx, w.workspaceId, created.id, {});
    const page = await storage.db
      .selectFrom('pages')
      .select(['otn_closed_at', 'otn_closed_reason'])
      .where('id', '=', w.page.id)
      .executeTakeFirstOrThrow();
    return { sent, statuses: rows.map((d) => `${d.status}:${d.reason}`).sort(), page, at: w.clock.now() };
  }

  it('R12f: on a 2026 page the first answer closes OTN for the page; the other OTN recipients are skipped, unsent', async () => {
    const r = await run('2026');
    expect(r.page.otn_closed_reason).toBe(UNAVAILABLE.message);
    expect(r.page.otn_closed_at).not.toBeNull();
    expect(r.sent).toHaveLength(1);
    expect(r.statuses.filter((s) => s.startsWith('skipped:'))).toEqual([
      'skipped:otn_closed',
      'skipped:otn_closed',
      'skipped:otn_closed',
    ]);
    expect(r.statuses.filter((s) => !s.startsWith('skipped:'))).toHaveLength(1);
  });

  it('R12f: a page before 2026 is unchanged: OTN stays open and every recipient is tried', async () => {
    const r = await run('2025');
    expect(r.page).toEqual({ otn_closed_at: null, otn_closed_reason: null });
    expect(r.sent).toHaveLength(4);
    expect(r.statuses.filter((s) => s.startsWith('sent:'))).toHaveLength(3);
  });
});
