// The sandbox's state file (persist.ts): a sandbox given a state directory comes back with the same
// pages, customers, threads, tokens, opt-in requests, accepted sends and clock — after a clean close,
// and when it was never closed (a crash: only the journal written before each answer is there).
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { JOURNAL_FILE } from './persist.ts';
import type { SandboxOptions } from './server.ts';
import { errOf, type Harness, startReceiver, startSandbox } from './test-helpers.ts';

const PSID = '2000000000000011';
let dir: string;
const open: Harness[] = [];
const startSandboxAt = async (opts: SandboxOptions = {}) => {
  // A running clock, as `npm start` has: the saved offset is what must come back.
  const h = await startSandbox({
    stateDir: dir,
    clock: new ManualClock(),
    customers: [{ psid: PSID, name: 'Lan Ho' }],
    ...opts,
  });
  open.push(h);
  return h;
};
const start = () => startSandboxAt();

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'renotify-sbstate-'));
});
afterEach(async () => {
  for (const h of open.splice(0).reverse()) await h.close();
  await rm(dir, { recursive: true, force: true });
});

/** A customer who asked, got both cards, tapped both, and got one notification per token. */
async function drive(h: Harness) {
  await h.client.message(PSID, 'offers?');
  await h.graph.otnRequest(PSID, 'Back in stock');
  await h.graph.recurringRequest(PSID, 'Weekly deals', { notification_messages_frequency: 'WEEKLY' });
  const otn = await h.client.tapLatest(PSID, { kind: 'otn' });
  const nm = await h.client.tapLatest(PSID, { kind: 'recurring' });
  await h.client.config({ reportThreshold: 7 });
  const later = await h.client.advance('3d');
  expect(
    (await h.graph.send({ recipient: { one_time_notif_token: otn.token }, message: { text: 'in' } })).status,
  ).toBe(200);
  expect(
    (await h.graph.send({ recipient: { notification_messages_token: nm.token }, message: { text: 'deal' } }))
      .status,
  ).toBe(200);
  return { otn: otn.token!, nm: nm.token!, later };
}

async function expectSame(a: Harness, b: Harness) {
  const [ia, ib] = [await a.client.info(), await b.client.info()];
  expect({ ...ib, now: null, graphBaseUrl: null }).toEqual({ ...ia, now: null, graphBaseUrl: null });
  expect(await b.client.thread(PSID)).toEqual(await a.client.thread(PSID));
  expect(await b.client.received()).toEqual(await a.client.received());
}

describe('sandbox state directory', () => {
  it('a closed sandbox comes back the same, clock included; tokens keep their use and cooldown', async () => {
    const a = await start();
    const { otn, nm, later } = await drive(a);
    const snapshot = {
      info: await a.client.info(),
      thread: await a.client.thread(PSID),
      received: await a.client.received(),
    };
    await a.close();
    open.splice(open.indexOf(a), 1);

    const b = await start();
    expect({ ...(await b.client.info()), now: null, graphBaseUrl: null }).toEqual({
      ...snapshot.info,
      now: null,
      graphBaseUrl: null,
    });
    expect(await b.client.thread(PSID)).toEqual(snapshot.thread);
    expect(await b.client.received()).toEqual(snapshot.received);
    expect((await b.client.now()).getTime()).toBeGreaterThanOrEqual(later.getTime());
    // The used OTN token stays used; the recurring token is inside its weekly cooldown (R7, R8).
    const reuse = await b.graph.send({
      recipient: { one_time_notif_token: otn },
      message: { text: 'again' },
    });
    expect(errOf(reuse)).toEqual([100, undefined]);
    const early = await b.graph.send({
      recipient: { notification_messages_token: nm },
      message: { text: 'again' },
    });
    expect(errOf(early)).toEqual([4, 2018354]);
    // The 7-day duplicate rule still remembers the recurring card sent 3 days ago.
    const dup = await b.graph.recurringRequest(PSID, 'Weekly deals');
    expect(errOf(dup)).toEqual([10, 2018278]); // outside the window first: 3 days since the last tap
    await b.client.message(PSID, 'hi again');
    expect(errOf(await b.graph.recurringRequest(PSID, 'Weekly deals'))).toEqual([613, 1893016]);
  });

  it('a sandbox that was never closed (killed) comes back with everything it answered', async () => {
    const a = await start();
    await drive(a);
    await a.client.clearReceived();
    await a.graph.text(PSID, 'after the clear', { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    await a.client.mute(PSID, 2);
    // `a` is still running and has written nothing but its journal since it started.
    const b = await start();
    await expectSame(a, b);
    expect((await b.client.received()).map((r) => r.message)).toEqual([{ text: 'after the clear' }]);
  });

  it('webhooks still owed when the sandbox stopped are delivered after the restart, once', async () => {
    const receiver = await startReceiver('sandbox-app-secret');
    try {
      const a = await startSandboxAt({ webhookUrl: receiver.url });
      await a.client.faults({ webhookLatencyMs: 600_000 }); // held back: owed when `a` goes away
      const sent = await a.client.message(PSID, 'still there?');
      expect(receiver.hits).toEqual([]);

      const b = await startSandboxAt({ webhookUrl: receiver.url });
      expect(b.sb.redeliverWebhooks()).toBe(1);
      await b.sb.webhooks.idle();
      expect(receiver.events()).toEqual([sent.event]); // the original event, timestamp included
      expect(receiver.hits[0]!.signatureOk).toBe(true);
      await b.client.now(); // 'delivered' is written with the next answer (or by a 50 ms timer)
      const c = await startSandboxAt({ webhookUrl: receiver.url });
      expect(c.sb.redeliverWebhooks()).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('a torn last journal line (power loss mid-write) is skipped; what came before is kept', async () => {
    const a = await start();
    await a.client.message(PSID, 'kept');
    await appendFile(path.join(dir, JOURNAL_FILE), '{"k":"customer","c":{"psid":"1');
    const b = await start();
    expect((await b.client.thread(PSID)).items.map((i) => i.text)).toEqual(['kept']);
  });

  it('without a state directory nothing is written (unit tests stay in memory)', async () => {
    const h = await startSandbox({ customers: [{ psid: PSID }] });
    open.push(h);
    await h.client.message(PSID, 'hi');
    expect(await readdir(dir)).toEqual([]);
    expect(existsSync(path.join(process.cwd(), 'sandbox-state.jsonl'))).toBe(false);
  });
});
