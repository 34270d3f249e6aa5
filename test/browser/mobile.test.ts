// Issue 10 item 15: at phone width (390 px) the navigation folds behind a menu button, tables become
// cards, and no console page is wider than the screen (document scrollWidth ≤ 390).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boot, browserSkipReason, customerByName, type Env, optInWeekly, shot } from './harness.ts';

const WIDTH = 390;

describe.skipIf(browserSkipReason !== null)('phone width (browser, 390 px)', () => {
  let env: Env;
  let campaignId: number;
  let customerId: number;

  beforeAll(async () => {
    env = await boot({ width: WIDTH });
    await optInWeekly(env, ['Nguyễn Thị Lan']);
    const { csrfToken } = (await (await env.context.request.get(`${env.base}/api/auth/me`)).json()) as {
      csrfToken: string;
    };
    const topics = (await (
      await env.context.request.get(`${env.base}/api/pages/${env.rt.page.id}/topics`)
    ).json()) as {
      topics: Array<{ id: number; kind: string }>;
    };
    const created = await env.context.request.post(`${env.base}/api/pages/${env.rt.page.id}/campaigns`, {
      headers: { 'x-csrf-token': csrfToken },
      data: {
        name: 'Một chiến dịch có tên khá dài để thử bề ngang màn hình điện thoại',
        topicId: topics.topics.find((t) => t.kind === 'recurring')!.id,
        content: { type: 'text', text: 'Xin chào' },
      },
    });
    campaignId = ((await created.json()) as { id: number }).id;
    customerId = (await customerByName(env.rt, 'Nguyễn Thị Lan')).id;
  }, 120_000);
  afterAll(async () => env?.close());

  // Evaluated in the page (strings: the test's own TypeScript has no DOM library).
  const scrollWidth = () =>
    env.console.evaluate<number>('Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)');

  /** The page is drawn (no loading text left), then nothing may stick out sideways. */
  async function fits(path: string, name: string) {
    const p = env.console;
    await p.goto(`${env.base}${path}`);
    await p.waitForLoadState('networkidle');
    await p.getByText('Đang tải…').first().waitFor({ state: 'hidden' });
    const width = await scrollWidth();
    await shot(p, `mobile-${name}`, { fullPage: true });
    return width;
  }

  it('every console page fits in 390 px (scrollWidth ≤ 390)', async () => {
    const pages: Array<[string, string]> = [
      ['/', 'home'],
      ['/topics', 'topics'],
      ['/assistant', 'assistant'],
      ['/inbox', 'inbox'],
      [`/inbox/${customerId}`, 'conversation'],
      ['/campaigns', 'campaigns'],
      [`/campaigns/${campaignId}`, 'campaign'],
      ['/templates', 'templates'],
      ['/settings', 'settings'],
      ['/pages/connect', 'connect'],
      ['/accounts', 'accounts'],
      ['/profile', 'profile'],
    ];
    const wide: string[] = [];
    for (const [path, name] of pages) {
      const w = await fits(path, name);
      if (w > WIDTH) wide.push(`${path}: ${w}px`);
    }
    expect(wide).toEqual([]);
  }, 120_000);

  it('open states fit too: the campaign wizard, a topic form and its statistics', async () => {
    const p = env.console;
    await fits('/campaigns', 'campaigns');
    await p.getByRole('button', { name: '+ Chiến dịch mới' }).click();
    await p.getByRole('region', { name: 'Chiến dịch mới' }).waitFor();
    expect(await scrollWidth()).toBeLessThanOrEqual(WIDTH);
    await fits('/topics', 'topics');
    await p
      .getByRole('button', { name: /^Thống kê / })
      .first()
      .click();
    await p
      .getByRole('region', { name: /^Thống kê: / })
      .getByText(/Tỉ lệ tương tác/)
      .first()
      .waitFor();
    expect(await scrollWidth()).toBeLessThanOrEqual(WIDTH);
    await p.getByRole('button', { name: /^Sửa / }).first().click();
    await p.getByLabel('Tiêu đề trên thẻ đăng ký').waitFor();
    expect(await scrollWidth()).toBeLessThanOrEqual(WIDTH);
  }, 60_000);

  it('the navigation folds behind a menu button; tables become cards', async () => {
    const p = env.console;
    await fits('/topics', 'topics');
    const nav = p.getByRole('navigation', { name: 'main' });
    const menu = p.getByRole('button', { name: 'Menu' });
    expect(await nav.isVisible()).toBe(false);
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    await nav.getByRole('link', { name: 'Chiến dịch' }).click();
    await p.waitForURL(/\/campaigns$/);
    expect(await nav.isVisible()).toBe(false);
    // A table row is a card: its cells stack (each as wide as the row) and carry their column's name.
    const cell = p.getByRole('row').filter({ hasText: 'Một chiến dịch' }).getByRole('cell').first();
    await cell.waitFor();
    type Win = { getComputedStyle(e: unknown): { display: string } };
    expect(await cell.evaluate((td) => (globalThis as unknown as Win).getComputedStyle(td).display)).toBe(
      'block',
    );
    expect(await cell.getAttribute('data-label')).toBe('Tên chiến dịch');
    await shot(p, 'mobile-menu-cards');
  }, 60_000);
});
