// Issue 10, items 7 and 17a: blank text is refused on every path with `blank_text` (vi and en) and nothing is sent
// or stored; `POST /api/campaigns/:id/start` takes no body, with or without a JSON content-type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.ts';
import { type ApiResponse, api, type Harness, startHarness, waitFor } from './harness.ts';

const RECURRING_TITLE = 'Ưu đãi mỗi tuần từ Cửa hàng demo';

describe.each(BACKENDS)('input checks over HTTP on %s', (backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectBlank = (r: ApiResponse, field?: string) => {
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('blank_text');
    expect(r.body.error.details).toMatchObject({
      vi: expect.stringMatching(/trống/),
      en: expect.any(String),
    });
    if (field) expect(r.body.error.details.field).toBe(field);
  };

  it('R1/R6c: a blank reply or notification is refused (400 blank_text) and nothing reaches Meta or spends a token', async () => {
    const c = await h.newCustomer({ say: 'khuyến mãi', locale: 'vi_VN' });
    await waitFor(
      async () => (await h.sb.thread(c.psid)).items.some((i) => i.optInCard?.title === RECURRING_TITLE),
      { what: 'the opt-in card in the thread' },
    );
    await h.settle();
    await h.sb.optinLatest(c.psid, RECURRING_TITLE);
    await h.settle();
    const sentBefore = (await h.sb.received(c.psid)).length;

    expectBlank(await h.api('POST', `/api/customers/${c.id}/messages`, { text: '   ' }), 'text');
    expectBlank(await h.api('POST', `/api/customers/${c.id}/messages`, { text: '\n\u200B\t' }), 'text');
    expectBlank(
      await h.api('POST', `/api/customers/${c.id}/notifications`, {
        topicId: h.topics.recurring,
        text: '  ',
      }),
      'text',
    );
    expect((await h.sb.received(c.psid)).length).toBe(sentBefore);
    expect(await h.count('consent_history', `customer_id = ${c.id} AND event = 'used'`)).toBe(0);
    // The same customer, with words: it goes.
    expect((await h.api('POST', `/api/customers/${c.id}/messages`, { text: ' ok ' })).status).toBe(201);
  });

  it('R5a/R9b: blank topic names and titles, campaign content and assistant blocks are refused and nothing is stored', async () => {
    const topics = await h.count('topics');
    expectBlank(
      await h.api('POST', `/api/pages/${h.pageId}/topics`, {
        name: '  ',
        kind: 'one_time',
        title: 'Hàng mới',
      }),
      'name',
    );
    expectBlank(
      await h.api('POST', `/api/pages/${h.pageId}/topics`, {
        name: 'Hàng mới',
        kind: 'one_time',
        title: ' ',
      }),
      'title',
    );
    expect(await h.count('topics')).toBe(topics);

    const campaigns = await h.count('campaigns');
    const campaign = (text: string) =>
      h.api('POST', `/api/pages/${h.pageId}/campaigns`, {
        name: 'Blank',
        topicId: h.topics.recurring,
        content: { type: 'text', text },
      });
    expectBlank(await campaign('   '), 'content.text');
    expectBlank(await campaign('{{first_name}}'), 'content.text');
    expect(await h.count('campaigns')).toBe(campaigns);

    const triggers = await h.count('assistant_triggers');
    expectBlank(
      await h.api('POST', `/api/pages/${h.pageId}/assistant/triggers`, {
        kind: 'keyword_exact',
        value: 'trống',
        blocks: [{ type: 'text', text: '  ' }],
      }),
    );
    expect(await h.count('assistant_triggers')).toBe(triggers);
  });

  it('R9e: start takes no body — none with no content-type, and an empty body with content-type JSON', async () => {
    const auth = { authorization: `Bearer ${h.apiKey}` };
    for (const [what, body] of [
      ['no body, no content-type', undefined],
      ['empty body, application/json', ''],
    ] as const) {
      const created = await h.api('POST', `/api/pages/${h.pageId}/campaigns`, {
        name: `Start: ${what}`,
        topicId: h.topics.recurring,
        content: { type: 'text', text: 'Chào {{first_name|bạn}}' },
      });
      expect(created.status).toBe(201);
      const started = await api(h.url, 'POST', `/api/campaigns/${created.body.id}/start`, body, { ...auth });
      expect(started.status, `${what}: ${started.text}`).toBe(200);
      expect(['running', 'completed']).toContain(started.body.status);
    }
  });

  it('R9b: the seeded customers keep their given names in both orders (Emily Carter → Emily, Trần Văn Minh → Minh)', async () => {
    const firstName = async (name: string) =>
      (
        await h.storage.db
          .selectFrom('customers')
          .select('first_name')
          .where('name', '=', name)
          .executeTakeFirstOrThrow()
      ).first_name;
    expect(await firstName('Emily Carter')).toBe('Emily');
    expect(await firstName('Trần Văn Minh')).toBe('Minh');
  });
});
