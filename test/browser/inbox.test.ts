// The inbox as staff use it all day (issue 10, items 6, 8, 10, 11, 14), in a real browser whose own
// clock is in New York while the page lives in Vietnam: loading and empty states, paging through every
// conversation, search without accents, times in the page's zone (labelled), Meta's errors in
// Vietnamese, the composer that never picks a topic by itself and asks before spending an OTN token,
// Enter / Shift+Enter, and the thread and list showing what the customer saw.
import { afterAll, beforeAll, describe, it, expect as vexpect } from 'vitest';
import { SandboxClient } from '../../src/sandbox/client.ts';
import { boot, browserSkipReason, customerByName, type Env, shot } from './harness.ts';

const T = 120_000;
const EXTRA = 130; // + the demo's 20: three pages of 50
const OLDEST = 'Ông Đỗ Văn Cuối';
const RECURRING = 'Khuyến mãi hàng tuần';
const RECURRING_TITLE = 'Ưu đãi mỗi tuần từ Cửa hàng demo';
const OTN = 'KH nhận khuyến mãi SP mới';
const OTN_TITLE = 'Báo cho tôi khi có sản phẩm mới';
const VN = 'Asia/Ho_Chi_Minh';

/** dd/MM/yyyy HH:mm (GMT+7), computed here independently of the console's time.ts. */
function vnTime(d: Date): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: VN,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute} (GMT+7)`;
}

describe.skipIf(browserSkipReason !== null)('inbox at work (browser in America/New_York)', () => {
  let env: Env;
  let sandbox: SandboxClient;
  let csrf: string;

  const apiPost = async (path: string, data: unknown) => {
    const res = await env.context.request.post(`${env.base}${path}`, {
      data,
      headers: { 'x-csrf-token': csrf },
    });
    if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`);
    return res.json();
  };

  beforeAll(async () => {
    env = await boot({ timezoneId: 'America/New_York' });
    sandbox = new SandboxClient(env.sandboxUrl);
    csrf = (await (await env.context.request.get(`${env.base}/api/auth/me`)).json()).csrfToken;
    // Older than every demo customer, so they fill the second and third pages; seeded straight in storage.
    const page = await env.rt.storage.db
      .selectFrom('pages')
      .select(['id', 'workspace_id'])
      .executeTakeFirstOrThrow();
    const now = env.rt.ctx.clock.now().getTime();
    await env.rt.storage.db
      .insertInto('customers')
      .values(
        Array.from({ length: EXTRA }, (_, i) => ({
          workspace_id: page.workspace_id,
          page_id: page.id,
          psid: `extra-${i}`,
          name: i === EXTRA - 1 ? OLDEST : `Khách Thêm ${i}`,
          last_interaction_at: new Date(now - (300 + i) * 86_400_000),
          created_at: new Date(now),
        })),
      )
      .execute();
  }, 180_000);
  afterAll(async () => env?.close());

  it(
    'item 11: a loading state, then pages of 50 by "load more" and by scrolling until all 150 are shown',
    async () => {
      const p = env.console;
      vexpect(await p.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(
        'America/New_York',
      );
      // Hold the first list request: the loading state must be on screen meanwhile.
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      const isList = (u: URL) => u.pathname.endsWith('/conversations');
      await p.route(isList, async (route) => {
        await held;
        await route.continue();
      });
      await p.goto(`${env.base}/inbox`);
      await p.getByRole('status').filter({ hasText: 'Đang tải hội thoại…' }).waitFor();
      release();
      // Polling requests may be mid-route: drop the route without failing them.
      await p.unrouteAll({ behavior: 'ignoreErrors' });

      const list = p.getByRole('list', { name: 'Hội thoại' });
      const items = list.getByRole('listitem');
      await p.getByText('Đang hiện 50 hội thoại').waitFor({ timeout: 15_000 });
      vexpect(await items.count()).toBe(50);
      await p.getByRole('button', { name: 'Tải thêm hội thoại' }).click();
      await p.getByText('Đang hiện 100 hội thoại').waitFor({ timeout: 15_000 });
      // Infinite scroll: bringing the end of the list into view loads the rest.
      await p.getByRole('button', { name: 'Tải thêm hội thoại' }).scrollIntoViewIfNeeded();
      await p.getByText('Đã hiện tất cả 150 hội thoại.').waitFor({ timeout: 15_000 });
      vexpect(await items.count()).toBe(150);
      await list.getByRole('link', { name: new RegExp(OLDEST) }).waitFor();
      await shot(p, 'inbox-paged');
    },
    T,
  );

  it(
    'item 11: labelled filters; search without accents finds "Ông Đỗ Văn Cuối"; no match says so',
    async () => {
      const p = env.console;
      await p.goto(`${env.base}/inbox`);
      const search = p.getByLabel('Tìm khách hàng');
      await p.getByLabel('Khung gửi tin').waitFor();
      await search.fill('do van cuoi');
      const list = p.getByRole('list', { name: 'Hội thoại' });
      await list.getByRole('link', { name: new RegExp(OLDEST) }).waitFor({ timeout: 15_000 });
      await p.getByText('Đã hiện tất cả 1 hội thoại.').waitFor();
      // A conversation without messages says so.
      await list.getByRole('link', { name: new RegExp(OLDEST) }).click();
      await p.getByRole('status').filter({ hasText: 'Chưa có tin nhắn nào trong hội thoại này.' }).waitFor();
      await search.fill('tran van minh');
      await list.getByRole('link', { name: /Trần Văn Minh/ }).waitFor({ timeout: 15_000 });
      await search.fill('không ai tên này');
      await p
        .getByRole('status')
        .filter({ hasText: 'Không có hội thoại nào khớp với “không ai tên này”.' })
        .waitFor({ timeout: 15_000 });
      vexpect(await list.getByRole('listitem').count()).toBe(0);
      await p.getByLabel('Khung gửi tin').selectOption({ label: '> 7 ngày' });
      await search.fill('');
      await list.getByRole('link', { name: /Ngô Gia Hân/ }).waitFor({ timeout: 15_000 });
      vexpect(await list.getByRole('link', { name: /Trần Văn Minh/ }).count()).toBe(0);
    },
    T,
  );

  it(
    "item 14: times are the page's (Vietnam), labelled, not the New York browser's",
    async () => {
      const minh = await customerByName(env.rt, 'Trần Văn Minh');
      const row = await env.rt.storage.db
        .selectFrom('customers')
        .select('last_interaction_at')
        .where('id', '=', minh.id)
        .executeTakeFirstOrThrow();
      const p = env.console;
      await p.goto(`${env.base}/inbox/${minh.id}`);
      await p.getByText(`Tương tác cuối: ${vnTime(row.last_interaction_at!)}`).waitFor({ timeout: 15_000 });
      await p.getByText('Giờ theo Fanpage: Asia/Ho_Chi_Minh (GMT+7)').waitFor();
    },
    T,
  );

  it(
    "item 8: Meta's error reaches the Vietnamese console as what the agent can do, not Graph's English",
    async () => {
      const ha = await customerByName(env.rt, 'Lê Thu Hà');
      const p = env.console;
      await p.goto(`${env.base}/inbox/${ha.id}`);
      const form = p.getByRole('form', { name: 'Trả lời' });
      await form.waitFor({ timeout: 15_000 });
      await sandbox.failNext({
        code: 10,
        subcode: 2018278,
        message: '(#10) This message is sent outside of allowed window.',
      });
      await form.getByLabel('Nhập tin nhắn').fill('Chào chị Hà');
      await form.getByRole('button', { name: 'Gửi' }).click();
      const alert = form.getByRole('alert');
      await alert.waitFor({ timeout: 15_000 });
      const text = (await alert.textContent()) ?? '';
      vexpect(text).toContain('Facebook từ chối');
      vexpect(text).not.toMatch(/\(#10\)|outside of allowed window/);
    },
    T,
  );

  it(
    'items 6, 10, 11, 14: the agent picks the topic of every notification, confirms spending the OTN token; Enter sends; the thread and list show what was sent',
    async () => {
      const lan = await customerByName(env.rt, 'Nguyễn Thị Lan');
      const topics = (await (await env.context.request.get(`${env.base}/api/pages`)).json()).pages[0];
      const list = (await (await env.context.request.get(`${env.base}/api/pages/${topics.id}/topics`)).json())
        .topics as Array<{
        id: number;
        name: string;
      }>;
      for (const name of [RECURRING, OTN])
        await apiPost(`/api/customers/${lan.id}/invitations`, {
          topicId: list.find((x) => x.name === name)!.id,
        });
      await sandbox.optinLatest(lan.psid, RECURRING_TITLE);
      await sandbox.optinLatest(lan.psid, OTN_TITLE);
      const p = env.console;
      await p.goto(`${env.base}/inbox/${lan.id}`);
      const sent = p.getByRole('list', { name: 'Đã gửi' });
      for (const name of [RECURRING, OTN])
        await sent
          .getByRole('listitem')
          .filter({ hasText: name })
          .getByText('Đã đăng ký')
          .waitFor({ timeout: 20_000 });
      // Item 10: the invitations in the thread are the cards the customer saw.
      const thread = p.getByRole('list', { name: 'thread' });
      await thread.getByRole('figure', { name: 'OTN opt-in card' }).getByText(OTN_TITLE).waitFor();
      await thread
        .getByRole('figure', { name: 'Recurring opt-in card' })
        .getByText(RECURRING_TITLE)
        .waitFor();

      await sandbox.advance('8d');
      await p.reload();
      const frame = p.getByRole('form', { name: 'Gửi tin nhắn thông báo theo chủ đề' });
      await frame.waitFor({ timeout: 15_000 });
      const radios = frame.getByRole('radio');
      await radios.nth(1).waitFor();
      // Nothing preselected before the first notification: with text typed, Gửi stays off until a pick.
      const box = frame.getByLabel('Nhập tin nhắn');
      await box.fill('Tuần này giảm 20% 🎉');
      vexpect(
        await radios.evaluateAll((els) => els.map((e) => (e as unknown as { checked: boolean }).checked)),
      ).toEqual([false, false]);
      vexpect(await frame.getByRole('button', { name: 'Gửi' }).isDisabled()).toBe(true);

      await frame.getByRole('radio', { name: new RegExp(RECURRING) }).check();
      await box.press('Enter');
      // The recurring topic is cooling down now: only the OTN topic is offered — and it is NOT picked.
      await frame
        .getByRole('radio', { name: new RegExp(RECURRING) })
        .waitFor({ state: 'detached', timeout: 15_000 });
      const otn = frame.getByRole('radio', { name: new RegExp(OTN) });
      vexpect(await otn.isChecked()).toBe(false);
      await box.fill('Hàng mới về');
      vexpect(await frame.getByRole('button', { name: 'Gửi' }).isDisabled()).toBe(true);

      // Shift+Enter is a new line; Enter on an OTN topic asks first, naming the topic and the token.
      await otn.check();
      await box.press('Shift+Enter');
      await box.pressSequentially('size M');
      await box.press('Enter');
      const confirm = frame.getByRole('alertdialog', { name: 'Dùng lượt thông báo một lần (OTN)?' });
      await confirm.getByText(`chủ đề OTN “${OTN}”`, { exact: false }).waitFor();
      await confirm.getByText(/Lượt cho phép nhận tin một lần của khách hàng/).waitFor();
      // The question is drawn under the composer: bring it into the picture.
      await confirm.scrollIntoViewIfNeeded();
      await shot(p, 'inbox-otn-confirm');
      const received = async () => (await sandbox.received(lan.psid)).map((r) => r.message.text);
      vexpect(await received()).not.toContain('Hàng mới về\nsize M');
      await confirm.getByRole('button', { name: 'Dùng lượt OTN và gửi' }).click();

      // No valid topic left: the notice, with the weekly cooldown's end at midnight in Vietnam.
      const notice = p.getByRole('region', { name: 'Chính sách 7 ngày của Facebook' });
      await notice.getByText(/Có thể gửi lúc/).waitFor({ timeout: 15_000 });
      vexpect(await notice.textContent()).toMatch(/Có thể gửi lúc: \d{2}\/\d{2}\/\d{4} 00:00 \(GMT\+7\)/);
      vexpect(await received()).toEqual(
        vexpect.arrayContaining(['Tuần này giảm 20% 🎉', 'Hàng mới về\nsize M']),
      );
      await thread.getByText('Tuần này giảm 20% 🎉').waitFor();
      // The list's preview is the text the customer saw, never "[notification]".
      const row = p.getByRole('list', { name: 'Hội thoại' }).getByRole('link', { name: /Nguyễn Thị Lan/ });
      await row.getByText('🔔 Hàng mới về size M').waitFor({ timeout: 15_000 });
      await shot(p, 'inbox-after-otn');
    },
    T,
  );
});
