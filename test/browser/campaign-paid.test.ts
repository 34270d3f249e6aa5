// Issue 10 item 9, "where it costs money, the cost": on a page under Meta's 2026 rules in VN (R14), a
// campaign's recipients go as paid marketing messages; "Gửi ngay" asks with the count, says they are
// paid, and states the most it may cost — Meta's upper unit cost (the route estimate) × those recipients.
// The count is the route's: the dry run no longer skips them as region_not_allowed (recurring tokens).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../../src/sandbox/client.ts';
import { SandboxClient2026 } from '../../src/sandbox/client-2026.ts';
import { boot, browserSkipReason, type Env, optInWeekly, WEEKLY } from './harness.ts';

describe.skipIf(browserSkipReason !== null)('paid campaign confirmation (browser, 2026 / VN)', () => {
  let env: Env;
  const get = async <T>(path: string): Promise<T> =>
    (await (await env.context.request.get(`${env.base}${path}`)).json()) as T;

  beforeAll(async () => {
    env = await boot({ env: { PAGE_PROFILE: '2026', PAGE_REGION: 'VN' } });
    const account = await new SandboxClient2026(env.sandboxUrl).createAdAccount({ name: 'Shop ads' });
    const { csrfToken } = await get<{ csrfToken: string }>('/api/auth/me');
    const connected = await env.context.request.put(`${env.base}/api/ad-account`, {
      headers: { 'x-csrf-token': csrfToken },
      data: { adAccountId: account.adAccountId, accessToken: account.systemUserToken },
    });
    expect(connected.status(), await connected.text()).toBe(200);
    await optInWeekly(env, ['Nguyễn Thị Lan', 'Trần Văn Minh']);
    await new SandboxClient(env.sandboxUrl).advance('8d');
  }, 120_000);
  afterAll(async () => env?.close());

  it('R14 (issue 10.9): "Gửi ngay" says how many get a paid message and the most it may cost', async () => {
    const est = await get<{ route: string; currency: string; unitCostUpperMinor: number }>(
      `/api/pages/${env.rt.page.id}/route-estimate`,
    );
    expect(est.route).toBe('marketing_message');
    expect(est.unitCostUpperMinor).toBeGreaterThan(0);

    const p = env.console;
    await p.goto(`${env.base}/campaigns`);
    await p.getByRole('button', { name: '+ Chiến dịch mới' }).click();
    const wiz = p.getByRole('region', { name: 'Chiến dịch mới' });
    await wiz
      .getByLabel('Chủ đề (khách hàng đã đăng ký)')
      .selectOption({ label: `${WEEKLY.name} (Định kỳ)` });
    await wiz.getByRole('button', { name: 'Tiếp' }).click();
    await wiz.getByRole('button', { name: 'Tiếp' }).click();
    await wiz.getByLabel('Tên chiến dịch').fill('Ưu đãi trả phí');
    await wiz.getByLabel('Nội dung').fill('Giảm 20% hôm nay');
    await wiz.getByRole('button', { name: 'Tiếp' }).click();
    await wiz.getByRole('button', { name: 'Chạy thử' }).click();
    await wiz.getByTestId('dry-reachable').getByText('2').waitFor();
    await wiz.getByRole('button', { name: 'Tiếp' }).click();
    await wiz.getByRole('button', { name: 'Gửi ngay' }).click();

    const ask = p.getByRole('alertdialog', { name: 'Gửi ngay cho 2 người?' });
    const cost = ask.getByTestId('confirm-cost');
    const amount = (2 * est.unitCostUpperMinor).toLocaleString('vi-VN');
    await cost.getByText(`Chi phí tối đa ước tính: ${amount} ${est.currency}`, { exact: false }).waitFor();
    expect(await cost.textContent()).toContain('2 người trong số đó nhận tin nhắn quảng cáo trả phí');
    await ask.getByRole('button', { name: 'Hủy' }).click();
    await ask.waitFor({ state: 'detached' });
  }, 90_000);
});
