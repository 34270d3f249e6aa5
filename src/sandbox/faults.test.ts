// Fault knobs: every row of the platform.md error table can be produced deterministically, and the
// product's classifier (src/domain/send-errors.ts) reads each one as the table says.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifySendError, type SendErrorClass } from '../domain/send-errors.ts';
import { errOf, type Harness, startSandbox } from './test-helpers.ts';

let h: Harness;
const PSID = '2000000000000005';
beforeEach(async () => {
  h = await startSandbox({ customers: [{ psid: PSID, name: 'Hoa Vo' }] });
});
afterEach(() => h.close());

const TABLE: Array<[string, { code: number; subcode?: number; status?: number }, SendErrorClass, number]> = [
  ['10/2018278 outside window', { code: 10, subcode: 2018278 }, 'outside_window', 400],
  ['10/1893015 stopped', { code: 10, subcode: 1893015 }, 'subscription_stopped', 400],
  ['4/2018354 cooldown', { code: 4, subcode: 2018354 }, 'cooldown', 400],
  ['100 token invalid', { code: 100 }, 'token_invalid', 400],
  ['613/1893016 duplicate opt-in', { code: 613, subcode: 1893016 }, 'duplicate_optin', 400],
  ['9/2018352 opt-in limit', { code: 9, subcode: 2018352 }, 'optin_limit', 400],
  ['10/1404170 page restricted (opt-in)', { code: 10, subcode: 1404170 }, 'page_restricted', 400],
  ['10/1893063 page restricted', { code: 10, subcode: 1893063 }, 'page_restricted', 400],
  ['551 blocked', { code: 551 }, 'customer_unreachable', 400],
  ['200/1545041 unavailable', { code: 200, subcode: 1545041 }, 'customer_unreachable', 400],
  ['10/2018108 cannot receive', { code: 10, subcode: 2018108 }, 'customer_unreachable', 400],
  ['4 app rate limit', { code: 4 }, 'rate_limited', 400],
  ['613 rate limit', { code: 613 }, 'rate_limited', 400],
  ['32 page rate limit', { code: 32 }, 'rate_limited', 400],
  ['1200 temporary failure', { code: 1200, subcode: 2018024 }, 'transient', 500],
  ['2 unexpected', { code: 2 }, 'transient', 500],
  ['503 with code 2', { code: 2, status: 503 }, 'transient', 503],
  ['190 page token invalid', { code: 190 }, 'page_token_invalid', 400],
];

describe('POST /sandbox/faults/next', () => {
  it.each(TABLE)('produces %s exactly, classified as the table says', async (_name, error, cls, status) => {
    await h.client.failNext(error);
    const r = await h.graph.text(PSID);
    expect(r.status).toBe(status);
    expect(errOf(r)).toEqual([error.code, error.subcode]);
    expect(r.body.error).toMatchObject({ type: 'OAuthException' });
    expect(classifySendError(r.body.error, r.status)).toBe(cls);
    expect((await h.graph.text(PSID)).status).toBe(200); // one-shot
  });

  it('fails exactly the next N calls, in a batch each item counting, and records nothing for them', async () => {
    await h.client.failNext({ code: 1200, message: 'Temporary send message failure' }, 2);
    const body = `recipient=${encodeURIComponent(JSON.stringify({ id: PSID }))}&message=${encodeURIComponent('{"text":"x"}')}&messaging_type=RESPONSE`;
    const r = await h.graph.raw('POST', '', {
      json: {
        access_token: h.token,
        batch: [1, 2, 3].map(() => ({ method: 'POST', relative_url: 'me/messages', body })),
      },
    });
    const rows = r.body as unknown as Array<{ code: number; body: string }>;
    expect(rows.map((x) => x.code)).toEqual([500, 500, 200]);
    expect(JSON.parse(rows[0]!.body).error.message).toBe('Temporary send message failure');
    expect(await h.client.received()).toHaveLength(1);
  });

  it('a wrong request body is refused by the sandbox API with 400', async () => {
    await expect(h.client.failNext({} as never)).rejects.toMatchObject({ status: 400 });
  });
});

describe('random faults (seeded)', () => {
  it('errorRate fails about that share of calls with the configured error, reproducibly for a seed', async () => {
    const run = async () => {
      const x = await startSandbox({ customers: [{ psid: PSID }] });
      await x.client.faults({ errorRate: 0.3, error: { code: 613 } });
      const codes: number[] = [];
      for (let i = 0; i < 40; i++) codes.push((await x.graph.text(PSID)).body.error?.code ?? 0);
      await x.close();
      return codes;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const failed = a.filter((c) => c === 613).length;
    expect(failed).toBeGreaterThan(4);
    expect(failed).toBeLessThan(24);
  });

  it('http5xxRate 1 answers HTTP 500 with code 2 and is_transient', async () => {
    await h.client.faults({ http5xxRate: 1 });
    const r = await h.graph.text(PSID);
    expect(r.status).toBe(500);
    expect(r.body.error).toMatchObject({ code: 2, is_transient: true });
    await h.client.resetFaults();
    expect((await h.graph.text(PSID)).status).toBe(200);
  });

  it('sendLatencyMs delays Graph answers (wall time)', async () => {
    await h.client.faults({ sendLatencyMs: 120 });
    const t = Date.now();
    await h.graph.text(PSID);
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
  });

  it('reorder without batching lets later deliveries overtake earlier ones', async () => {
    const { startReceiver } = await import('./test-helpers.ts');
    const rx = await startReceiver(h.appSecret);
    await h.client.config({ webhookUrl: rx.url });
    await h.client.faults({ reorder: true, reorderWindowMs: 80 });
    const mids: string[] = [];
    // Emitted in-process so that only the injected delays decide the arrival order.
    for (let i = 0; i < 8; i++) mids.push(h.sb.customers.message(PSID, `m${i}`).mid!);
    await h.client.flushWebhooks();
    const got = rx.events().map((e) => (e.message as { mid: string }).mid);
    expect([...got].sort()).toEqual([...mids].sort());
    expect(got).not.toEqual(mids);
    await rx.close();
  });
});
