// (c) A campaign from the wizard (R9, R10a): dry run numbers, live progress to the end, the funnel, and
// (issue 10.10) the message in the customer's conversation as they saw it.
// Five customers opt in to the demo's weekly topic on the sandbox; one of them stops notifications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../../src/sandbox/client.ts';
import { boot, browserSkipReason, customerByName, type Env, shot } from './harness.ts';

const WEEKLY = { name: 'Khuyến mãi hàng tuần', title: 'Ưu đãi mỗi tuần từ Cửa hàng demo' };
const OPTED = ['Nguyễn Thị Lan', 'Trần Văn Minh', 'Lê Thu Hà', 'Phạm Quốc Bảo', 'Hoàng Mai Anh'];

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(browserSkipReason !== null)('campaign wizard (browser)', () => {
  let env: Env;
  let sb: SandboxClient;
  const psids: string[] = [];

  beforeAll(async () => {
    env = await boot();
    sb = new SandboxClient(env.sandboxUrl);
    const info = await sb.info();
    for (const name of OPTED) psids.push(info.customers.find((c) => c.name === name)!.psid);
    for (const psid of psids) await sb.message(psid, 'khuyến mãi');
    for (const psid of psids) {
      await until('the opt-in card', async () =>
        (await sb.thread(psid)).items.some((i) => i.optInCard?.title === WEEKLY.title),
      );
      await sb.optinLatest(psid, WEEKLY.title);
    }
    const stopped = await sb.thread(psids[4]!);
    await sb.stop(psids[4]!, stopped.holdings.recurring[0]!.token);
    await sb.flushWebhooks();
    await until('4 valid subscribers', async () => {
      const res = await env.context.request.get(`${env.base}/api/topics/1/stats`);
      return (
        res.ok() &&
        ((await res.json()) as { totals: { validSubscribers: number } }).totals.validSubscribers === 4
      );
    });
  }, 120_000);
  afterAll(async () => env?.close());

  it('R9c/R9e/R10a (c): the wizard dry-runs, sends, shows live progress to the end and draws the funnel', async () => {
    const p = env.console;
    await p.goto(`${env.base}/campaigns`);
    await p.getByRole('button', { name: '+ Chiến dịch mới' }).click();
    const wiz = p.getByRole('region', { name: 'Chiến dịch mới' });
    await wiz
      .getByLabel('Chủ đề (khách hàng đã đăng ký)')
      .selectOption({ label: `${WEEKLY.name} (Định kỳ)` });
    await wiz.getByRole('radio', { name: 'Văn bản', exact: true }).check();
    await wiz.getByRole('button', { name: 'Tiếp' }).click();
    await wiz.getByLabel('Nhãn (phân cách bằng dấu phẩy)').waitFor();
    await wiz.getByRole('button', { name: 'Tiếp' }).click();
    await wiz.getByLabel('Tên chiến dịch').fill('Ưu đãi tuần này');
    await wiz.getByLabel('Nội dung').fill('Chào ');
    await wiz.getByRole('button', { name: 'Chèn {{first_name}}' }).click();
    await wiz.getByLabel('Nội dung').press('End');
    await wiz.getByLabel('Nội dung').pressSequentially(', tuần này giảm 20% 🎉');
    await wiz.getByTestId('campaign-preview').getByText('Chào Lan, tuần này giảm 20% 🎉').waitFor();
    await shot(p, 'campaign-message');
    await wiz.getByRole('button', { name: 'Tiếp' }).click();
    await wiz.getByRole('button', { name: 'Chạy thử' }).click();
    await wiz.getByTestId('dry-reachable').waitFor();
    expect(await wiz.getByTestId('dry-reachable').textContent()).toBe('4');
    expect(Number(await wiz.getByTestId('dry-audience').textContent())).toBeGreaterThanOrEqual(4);
    // The stop shows among the skipped reasons and again among the route refusals (R12h).
    await wiz.getByText('Đã dừng nhận').first().waitFor();
    await shot(p, 'campaign-dry-run');
    await wiz.getByRole('button', { name: 'Tiếp' }).click();
    await wiz.getByRole('button', { name: 'Gửi ngay' }).click();
    // Issue 10.9: sending to many asks first, with the count (the stopped customer is not counted).
    const ask = p.getByRole('alertdialog', { name: 'Gửi ngay cho 4 người?' });
    expect(await ask.getByTestId('confirm-count').textContent()).toBe('4');
    await ask.getByRole('button', { name: 'Gửi ngay' }).click();

    // Live progress to the end, without reloading.
    await p.waitForURL(/\/campaigns\/\d+$/);
    await p.getByTestId('campaign-status').getByText('Hoàn tất').waitFor({ timeout: 30_000 });
    // Every recipient ended somewhere (R9d): 4 sent, the stopped one skipped.
    expect(await p.getByTestId('campaign-done').textContent()).toBe('5');
    // Two customers read it on their phones: the funnel's read stage follows.
    await sb.read(psids[0]!);
    await sb.read(psids[1]!);
    const funnel = p.getByTestId('funnel');
    await funnel.getByText(/^Đã gửi: 4/).waitFor();
    await funnel.getByText(/^Đã nhận: 4/).waitFor({ timeout: 15_000 });
    await funnel.getByText(/^Đã xem: 2/).waitFor({ timeout: 15_000 });
    await shot(p, 'campaign-results');

    const received = await sb.received(psids[0]);
    expect(received.some((r) => JSON.stringify(r.message).includes('Chào'))).toBe(true);

    // Issue 10.10: the conversation shows the campaign's message as Lan saw it, never "[notification]".
    const lan = await customerByName(env.rt, 'Nguyễn Thị Lan');
    await p.goto(`${env.base}/inbox/${lan.id}`);
    await p.getByRole('list', { name: 'thread' }).getByText('Chào Lan, tuần này giảm 20% 🎉').waitFor();
    const row = p.getByRole('list', { name: 'Hội thoại' }).getByRole('link', { name: /Nguyễn Thị Lan/ });
    await row.getByText('🔔 Chào Lan, tuần này giảm 20% 🎉').waitFor();
    expect(await p.getByText('[notification]').count()).toBe(0);
  }, 90_000);
});
