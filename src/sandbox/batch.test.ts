// Graph batch: ≤ 50 items, form-encoded item bodies, per-item tokens and proofs, per-item rate counting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startSandbox } from './test-helpers.ts';

let h: Harness;
const PSID = '2000000000000003';
beforeEach(async () => {
  h = await startSandbox({ customers: [{ psid: PSID, name: 'Dung Le' }] });
});
afterEach(() => h.close());

const formBody = (o: Record<string, unknown>) =>
  Object.entries(o)
    .map(
      ([k, v]) =>
        `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`,
    )
    .join('&');

const item = (
  text: string,
  recipient: Record<string, string> = { id: PSID },
  relative_url = 'me/messages',
) => ({
  method: 'POST',
  relative_url,
  body: formBody({ messaging_type: 'RESPONSE', recipient, message: { text } }),
});

type BatchRow = { code: number; headers?: Array<{ name: string; value: string }>; body: string };

describe('Graph batch', () => {
  it('runs up to 50 items (JSON body, batch as an array) and answers {code, headers, body:"<json>"} each', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => item(`n${i}`));
    const r = await h.graph.raw('POST', '', { json: { access_token: h.token, batch } });
    expect(r.status).toBe(200);
    const rows = r.body as unknown as BatchRow[];
    expect(rows).toHaveLength(50);
    for (const row of rows) {
      expect(row.code).toBe(200);
      expect(row.headers).toEqual([{ name: 'Content-Type', value: 'text/javascript; charset=UTF-8' }]);
      expect(JSON.parse(row.body)).toMatchObject({ recipient_id: PSID });
    }
    expect((await h.client.receivedCounts())[PSID]).toBe(50);
  });

  it("refuses 51 items with code 100 and Meta's message, sending none", async () => {
    const batch = Array.from({ length: 51 }, (_, i) => item(`n${i}`));
    const r = await h.graph.raw('POST', '', { json: { access_token: h.token, batch } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 100,
      message: 'Too many requests in batch message. Maximum batch size is 50',
    });
    expect(await h.client.received()).toEqual([]);
  });

  it('accepts a form-encoded request with batch as a JSON string, and include_headers=false', async () => {
    const r = await h.graph.raw('POST', '', {
      form: {
        access_token: h.token,
        include_headers: 'false',
        batch: JSON.stringify([item('a'), item('b')]),
      },
    });
    const rows = r.body as unknown as BatchRow[];
    expect(rows.map((x) => x.code)).toEqual([200, 200]);
    expect(rows[0]).not.toHaveProperty('headers');
  });

  it("reports each item's own error inside a 200 batch (window, unknown token)", async () => {
    h.sb.clock.advance(2 * 86_400_000);
    const r = await h.graph.raw('POST', '', {
      json: { access_token: h.token, batch: [item('late'), item('x', { one_time_notif_token: 'nope' })] },
    });
    const rows = r.body as unknown as BatchRow[];
    expect(rows.map((x) => x.code)).toEqual([400, 400]);
    expect(JSON.parse(rows[0]!.body).error).toMatchObject({ code: 10, error_subcode: 2018278 });
    expect(JSON.parse(rows[1]!.body).error).toMatchObject({ code: 100 });
  });

  it('honours a per-item access_token and appsecret_proof in relative_url; a wrong item proof fails only that item', async () => {
    const good = `me/messages?access_token=${h.token}&appsecret_proof=${h.graph.proof()}`;
    const bad = `me/messages?access_token=${h.token}&appsecret_proof=00`;
    const r = await h.graph.raw('POST', '', {
      json: { batch: [item('a', { id: PSID }, good), item('b', { id: PSID }, bad)] },
    });
    const rows = r.body as unknown as BatchRow[];
    expect(rows[0]!.code).toBe(200);
    expect(JSON.parse(rows[1]!.body).error).toMatchObject({
      code: 100,
      message: 'Invalid appsecret_proof provided in the API argument',
    });
  });

  it('checks the top-level appsecret_proof against the top-level token; no token at all is 190 per item', async () => {
    const r = await h.graph.raw('POST', `?appsecret_proof=bad`, {
      json: { access_token: h.token, batch: [item('a')] },
    });
    expect(JSON.parse((r.body as unknown as BatchRow[])[0]!.body).error.code).toBe(100);
    const none = await h.graph.raw('POST', '', { json: { batch: [item('a')] } });
    expect(JSON.parse((none.body as unknown as BatchRow[])[0]!.body).error.code).toBe(190);
  });

  it('counts every item against the per-page rate limit (613 inside the batch)', async () => {
    await h.client.config({ rateLimitPerSecond: 10 });
    const r = await h.graph.raw('POST', '', {
      json: { access_token: h.token, batch: Array.from({ length: 12 }, (_, i) => item(`n${i}`)) },
    });
    const codes = (r.body as unknown as BatchRow[]).map((x) => x.code);
    expect(codes.filter((c) => c === 200)).toHaveLength(10);
    const last = JSON.parse((r.body as unknown as BatchRow[])[11]!.body);
    expect(last.error).toMatchObject({ code: 613 });
  });

  it('supports GET items (profile) and a version prefix in relative_url', async () => {
    const r = await h.graph.raw('POST', '', {
      json: {
        access_token: h.token,
        batch: [{ method: 'GET', relative_url: `v23.0/${PSID}?fields=first_name` }],
      },
    });
    expect(JSON.parse((r.body as unknown as BatchRow[])[0]!.body)).toEqual({ first_name: 'Dung', id: PSID });
  });

  it('a missing or malformed batch parameter is code 100', async () => {
    expect((await h.graph.raw('POST', '', { json: { access_token: h.token } })).body.error?.code).toBe(100);
    const r = await h.graph.raw('POST', '', { form: { access_token: h.token, batch: '{not json' } });
    expect(r.body.error?.code).toBe(100);
  });
});
