// Issue 10 items 13, 16, 12, 8 and 17 in the browser: the shop lands on Tổng quan (today's numbers, topics,
// latest campaigns, what needs attention); the topic table and the topic's panel show the same "valid
// subscribers" for the same topic (one definition) with a period and dd/MM dates; deactivating asks how
// many it suspends; server refusals read in Vietnamese; the topic title over 65 characters is marked; the
// assistant's notice loads first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boot,
  browserSkipReason,
  customerByName,
  type Env,
  optInWeekly,
  shot,
  until,
  WEEKLY,
} from './harness.ts';

describe.skipIf(browserSkipReason !== null)('home screen and one meaning per number (browser)', () => {
  let env: Env;
  let weeklyId: number;
  const api = async <T>(path: string): Promise<T> =>
    (await (await env.context.request.get(`${env.base}${path}`)).json()) as T;

  beforeAll(async () => {
    env = await boot();
    await optInWeekly(env, ['Nguyễn Thị Lan', 'Trần Văn Minh']);
    const { topics } = await api<{ topics: Array<{ id: number; name: string }> }>(
      `/api/pages/${env.rt.page.id}/topics`,
    );
    weeklyId = topics.find((t) => t.name === WEEKLY.name)!.id;
    await until('2 valid subscribers', async () => {
      const s = await api<{ totals: { validSubscribers: number } }>(`/api/topics/${weeklyId}/stats`);
      return s.totals.validSubscribers === 2;
    });
    // A notification to Lan puts her in the weekly cooldown: sendable later, still a valid subscriber.
    const { csrfToken } = await api<{ csrfToken: string }>('/api/auth/me');
    const lan = await customerByName(env.rt, 'Nguyễn Thị Lan');
    const sent = await env.context.request.post(`${env.base}/api/customers/${lan.id}/notifications`, {
      headers: { 'x-csrf-token': csrfToken },
      data: { topicId: weeklyId, text: 'Ưu đãi tuần này: giảm 20%' },
    });
    expect(sent.status(), await sent.text()).toBeLessThan(300);
  }, 120_000);
  afterAll(async () => env?.close());

  it("issue 10.16: after sign-in the shop lands on Tổng quan with today's numbers and what needs attention", async () => {
    const p = env.console;
    await p.goto(`${env.base}/`);
    await p.getByRole('heading', { name: 'Tổng quan', level: 1 }).waitFor();
    const o = await api<{ waitingForReply: number; subscribers: number }>(
      `/api/pages/${env.rt.page.id}/overview`,
    );
    expect(await p.getByTestId('home-waiting').textContent()).toBe(String(o.waitingForReply));
    expect(await p.getByTestId('home-subscribers').textContent()).toBe('2');
    expect(await p.getByTestId(`home-topic-${weeklyId}`).textContent()).toBe('2');
    expect(await p.getByRole('region', { name: '⚠ Cần chú ý' }).count()).toBe(0);

    await env.rt.storage.db
      .updateTable('pages')
      .set({ restricted_reason: 'page_restricted: reported by Meta' })
      .where('id', '=', env.rt.page.id)
      .execute();
    await p.reload();
    await p
      .getByRole('region', { name: '⚠ Cần chú ý' })
      .getByText('Trang đang bị Meta hạn chế, việc gửi đã dừng: page_restricted: reported by Meta')
      .waitFor();
    // A utility template Meta rejected is there too, with its reason and a link to the templates.
    const now = new Date();
    await env.rt.storage.db
      .insertInto('message_templates')
      .values({
        workspace_id: env.rt.workspaceId,
        page_id: env.rt.page.id,
        name: 'order_shipped',
        language: 'vi',
        header_text: null,
        body_text: 'Đơn {{order_id}} đã được gửi đi.',
        buttons: JSON.stringify([]),
        parameter_format: 'NAMED',
        parameters: ['order_id'],
        examples: JSON.stringify({ order_id: '1' }),
        library_template_name: null,
        fb_template_id: null,
        status: 'REJECTED',
        status_reason: 'INVALID_FORMAT',
        status_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await p.reload();
    const rejected = p
      .getByRole('region', { name: '⚠ Cần chú ý' })
      .getByRole('listitem')
      .filter({ hasText: 'Mẫu tiện ích “order_shipped” bị Meta từ chối (INVALID_FORMAT)' });
    expect(await rejected.getByRole('link', { name: 'Mở' }).getAttribute('href')).toBe('/templates');
    await shot(p, 'home');
    await env.rt.storage.db
      .updateTable('pages')
      .set({ restricted_reason: null })
      .where('id', '=', env.rt.page.id)
      .execute();
  }, 60_000);

  it('R10b (issue 10.13): the topic table and the panel show the same valid subscribers; a period; dd/MM dates', async () => {
    const p = env.console;
    await p.goto(`${env.base}/topics`);
    const table = p.getByRole('table', { name: 'Chủ đề thông báo định kỳ' });
    const row = table.getByRole('row').filter({ hasText: WEEKLY.name });
    await row.getByTestId('table-valid').getByText('2').waitFor();
    await row.getByRole('button', { name: `Thống kê ${WEEKLY.name}` }).click();
    const panel = p.getByRole('region', { name: `Thống kê: ${WEEKLY.name}` });
    await panel.getByTestId('panel-valid').waitFor();
    expect(await panel.getByTestId('panel-valid').textContent()).toBe(
      await row.getByTestId('table-valid').textContent(),
    );
    // The same words for the same number, from the domain's definitions.
    expect(await table.getByRole('columnheader', { name: 'Người đăng ký hợp lệ' }).count()).toBe(1);
    await panel.getByText('Người đăng ký hợp lệ', { exact: true }).first().waitFor();

    await p.getByLabel('Khoảng thời gian').selectOption('7');
    await panel.getByRole('heading', { name: `Thống kê: ${WEEKLY.name} · 7 ngày` }).waitFor();
    await table.getByRole('columnheader', { name: 'Tỉ lệ tương tác (7 ngày)' }).waitFor();
    const line = panel.getByRole('img', { name: 'Người đăng ký hợp lệ (7 ngày)' });
    // The chart draws its axis after the period's data arrives: wait for its labels, not for a moment.
    const dayLabels = async () =>
      (await line.locator('text').allTextContents()).filter((d) => /^\d{2}\/\d{2}$/.test(d)).length;
    await expect.poll(dayLabels, { timeout: 10_000 }).toBe(2);
    await panel
      .getByTestId('funnel')
      .getByText(/^Thông báo đã gửi: 1/)
      .waitFor();
    await shot(p, 'topic-stats-period');
  }, 60_000);

  it('R5b (issue 10.12): deactivating a topic asks first and says how many subscribers it suspends', async () => {
    const p = env.console;
    await p.goto(`${env.base}/topics`);
    const row = p.getByRole('row').filter({ hasText: WEEKLY.name });
    await row.getByTestId('table-valid').getByText('2').waitFor();
    await row.getByRole('button', { name: `Ngừng kích hoạt ${WEEKLY.name}` }).click();
    const ask = p.getByRole('alertdialog', { name: `Ngừng kích hoạt chủ đề “${WEEKLY.name}”?` });
    expect(await ask.getByTestId('confirm-count').textContent()).toBe('2');
    await ask.getByRole('button', { name: 'Hủy' }).click();
    expect(await row.getByText('Đang kích hoạt').count()).toBe(1);
  }, 60_000);

  it("issue 10.8: the server's refusals reach the Vietnamese console in Vietnamese, not its English message", async () => {
    const p = env.console;
    await p.goto(`${env.base}/topics`);
    const recurring = p.getByRole('region', { name: 'Chủ đề thông báo định kỳ' });
    await recurring.getByRole('button', { name: '+ Chủ đề mới' }).click();
    const form = p.getByRole('region', { name: 'Chủ đề mới' });
    await form.getByLabel('Tên chủ đề').fill(WEEKLY.name);
    await form.getByLabel('Tiêu đề trên thẻ đăng ký').fill('Một tiêu đề khác');
    await form.getByRole('button', { name: 'Lưu' }).click();
    const alert = form.getByRole('alert');
    await alert.getByText('Fanpage đã có một chủ đề trùng tên; hãy chọn tên khác.').waitFor();
    expect(await alert.textContent()).not.toMatch(/already exists/);

    await p.goto(`${env.base}/campaigns/999999`);
    await p.getByText('Không tìm thấy chiến dịch (có thể đã bị xóa).').waitFor();
    expect(await p.getByText(/No campaign 999999/).count()).toBe(0);
  }, 60_000);

  it('issue 10.17: a topic title over 65 characters is marked, says why, and counts characters', async () => {
    const p = env.console;
    await p.goto(`${env.base}/topics`);
    await p.getByRole('button', { name: `Sửa ${WEEKLY.name}` }).click();
    const title = p.getByLabel('Tiêu đề trên thẻ đăng ký');
    await title.fill('x'.repeat(70));
    expect(await title.getAttribute('aria-invalid')).toBe('true');
    await p.getByText(/^70\/65 · Tiêu đề dài hơn 65 ký tự \(5 ký tự thừa\)/).waitFor();
    expect(await p.getByRole('button', { name: 'Lưu' }).isDisabled()).toBe(true);
    await title.fill('Ưu đãi mỗi tuần');
    expect(await title.getAttribute('aria-invalid')).toBe('false');
  }, 60_000);

  it('issue 10.17: the assistant notice shows loading until its text arrives; Save waits for a change', async () => {
    const p = env.console;
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    await p.route('**/api/pages/*/notice', async (route) => {
      if (route.request().method() === 'GET') await held;
      await route.continue();
    });
    await p.goto(`${env.base}/assistant`);
    const notice = p.getByRole('region', { name: 'Cài đặt Messenger → Cấu hình chung' });
    await notice.getByRole('status').getByText('Đang tải…').waitFor();
    expect(await notice.getByRole('textbox').count()).toBe(0);
    expect(await notice.getByRole('button', { name: 'Lưu' }).count()).toBe(0);
    release();
    const vi = notice.getByLabel('Tiếng Việt');
    await vi.waitFor();
    expect((await vi.inputValue()).length).toBeGreaterThan(0);
    expect(await notice.getByRole('button', { name: 'Lưu' }).isDisabled()).toBe(true);
    await vi.fill(`${await vi.inputValue()} !`);
    expect(await notice.getByRole('button', { name: 'Lưu' }).isDisabled()).toBe(false);
    await p.unroute('**/api/pages/*/notice');
  }, 60_000);
});
