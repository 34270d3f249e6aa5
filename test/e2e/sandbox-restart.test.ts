// Restarting `npm start` carries on: the sandbox keeps its customers, threads, tokens and clock beside
// the data (src/sandbox/persist.ts). The real src/main.ts runs as a child process over a temp data
// directory; a customer opts in, the clock moves ahead of real time, and the process is stopped —
// once with SIGTERM, once with SIGKILL while a webhook is still owed — and started again.
// After each start the phone's thread is still there, the clock did not go back, and a reply (R1) and
// a notification (R6) reach the same customer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxClient, type ThreadItem } from '../../src/sandbox/index.ts';
import { api, waitFor } from './harness.ts';
import { killAll, type NpmStart, npmStart, ownerApiKey } from './npm-start.ts';

describe('npm start restarted (graceful and SIGKILL)', () => {
  const dirs: string[] = [];
  let svc: NpmStart | null = null;
  afterAll(async () => {
    await svc?.stop('SIGTERM');
    await killAll();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('R1/R6: the phone, its tokens and the clock survive; replies and notifications reach the customer', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'renotify-restart-'));
    dirs.push(dir);
    const dataDir = path.join(dir, 'data');
    svc = await npmStart(dataDir);
    const key = await ownerApiKey(svc.url, svc.password!);
    const call = (method: 'GET' | 'POST', p: string, body?: unknown) =>
      api(svc!.url, method, p, body, { authorization: `Bearer ${key}` });
    let sb = new SandboxClient(svc.sandboxUrl);
    const psid = (await sb.info()).customers[0]!.psid;
    const pageId = (await call('GET', '/api/pages')).body.pages[0].id;
    const cid = (await call('GET', `/api/pages/${pageId}/conversations?q=${psid}`)).body.conversations[0]
      .customerId as number;
    const customer = () => call('GET', `/api/customers/${cid}`);
    const subscribedTopic = async () =>
      (await customer()).body.topics.sent.find((t: { state: string }) => t.state === 'subscribed')?.topicId;

    // A customer asks, taps the recurring card; renotify records the subscription.
    await sb.message(psid, 'khuyến mãi');
    const tap = await sb.tapLatest(psid, { kind: 'recurring' });
    const topicId = await waitFor(subscribedTopic, { what: 'subscription applied', timeoutMs: 30_000 });
    // Ahead of real time, as a demo does: a sandbox that forgot its clock would jump back.
    const moved = (await sb.advance('2d')).getTime();
    const reply1 = await call('POST', `/api/customers/${cid}/messages`, { text: 'Chào chị!' }); // 24 h–7 d: HUMAN_AGENT
    expect(reply1.status).toBe(201);
    const before = (await sb.thread(psid)).items.map((i) => i.mid);
    expect(before).toContain(reply1.body.messageId);

    const carriesOn = async (label: string, since: number, lost: string[]) => {
      sb = new SandboxClient(svc!.sandboxUrl);
      const info = await sb.info();
      expect(info.customers[0]!.psid, label).toBe(psid);
      expect(new Date(info.now).getTime(), `${label}: clock`).toBeGreaterThanOrEqual(since);
      const t = await sb.thread(psid);
      expect(t.items.map((i: ThreadItem) => i.mid).slice(0, lost.length), label).toEqual(lost);
      expect(
        t.holdings.recurring.map((r) => r.token),
        label,
      ).toEqual([tap.token]);
      const c = await customer();
      expect(c.body.customer.unreachableReason, label).toBeNull();
      return t.items.length;
    };

    // 1. A clean stop (Ctrl-C) and a start.
    await svc.stop('SIGTERM');
    svc = await npmStart(dataDir);
    expect(svc.password).toBeNull(); // the same workspace: no new owner
    await carriesOn('after SIGTERM', moved, before);
    const reply2 = await call('POST', `/api/customers/${cid}/messages`, { text: 'Còn hàng size M ạ' });
    expect(reply2.status, reply2.text).toBe(201);
    // The customer writes; the sandbox holds the webhook back, so it is still owed at the kill.
    await sb.faults({ webhookLatencyMs: 600_000 });
    const asked = await sb.message(psid, 'Còn size M không?');
    const acknowledged = (await sb.thread(psid)).items.map((i) => i.mid);
    expect(acknowledged).toEqual(expect.arrayContaining([reply2.body.messageId, asked.mid]));
    const moved2 = (await sb.advance('6d')).getTime();

    // 2. Killed right after: nothing the sandbox answered is lost, and the owed webhook arrives.
    await svc.stop('SIGKILL');
    svc = await npmStart(dataDir);
    await carriesOn('after SIGKILL', moved2, acknowledged);
    await waitFor(
      async () =>
        (await call('GET', `/api/customers/${cid}/messages`)).body.messages.some(
          (m: { text: string | null }) => m.text === 'Còn size M không?',
        ),
      { what: 'the owed webhook applied', timeoutMs: 30_000 },
    );
    // 8 days since the last interaction: only the notification on the subscribed topic can go.
    const note = await call('POST', `/api/customers/${cid}/notifications`, {
      topicId,
      text: '-20% tuần này',
    });
    expect(note.status, note.text).toBe(201);
    const item = (await sb.thread(psid)).items.find((i) => i.mid === note.body.messageId);
    expect(item).toMatchObject({ from: 'page', via: 'notification_messages_token', text: '-20% tuần này' });
  }, 300_000);
});
