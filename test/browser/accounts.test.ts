// Accounts in the console, in a real browser against the real runtime:
// (a) the sign-in screen refuses a wrong password with the reason (vi/en), says when a blocked sign-in may
//     retry, then signs the first owner in (name and role in the header, every screen in the navigation);
// (b) the owner invites an agent; the link is opened in another browser; the agent sets a password, signs
//     in, sees only the inbox, and the topics page by URL is "not allowed" with no data; the owner removes them;
// (c) an API key is shown once, works, is listed by prefix only after a reload, and is revoked;
// (d) the audit log lists the owner's actions newest first and exports CSV; every user can change their password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boot, browserSkipReason, type Env, launchContext, shot } from './harness.ts';

const T = 90_000;
const AGENT_EMAIL = 'lan.nguyen@shop.test';
const AGENT_PASSWORD = 'mat-khau-cua-lan-2024';

describe.skipIf(browserSkipReason !== null)('accounts and security (browser)', () => {
  let env: Env;
  let owner: { email: string; password: string };

  beforeAll(async () => {
    env = await boot();
    owner = env.rt.firstOwner!;
    expect(owner).toBeTruthy();
    // boot() signed its own user in through the API; this suite starts signed out.
    await env.context.clearCookies();
  }, 120_000);
  afterAll(async () => env?.close());

  it(
    '(a) the sign-in screen refuses a wrong password with the reason, shows a block with its retry time, then signs the owner in',
    async () => {
      const p = env.console;
      await p.goto(`${env.base}/topics`);
      const form = p.getByRole('form', { name: 'Đăng nhập vào renotify' });
      await form.waitFor();
      // No console data is shown before signing in.
      expect(await p.getByRole('navigation', { name: 'main' }).count()).toBe(0);

      await form.getByLabel('Email').fill(owner.email);
      await form.getByLabel('Mật khẩu', { exact: true }).fill('not-the-password');
      await form.getByRole('button', { name: 'Đăng nhập' }).click();
      await p.getByRole('alert').getByText('Sai email hoặc mật khẩu.').waitFor();
      await shot(p, 'sign-in');
      // The language switch re-words the message.
      await p.getByLabel('Ngôn ngữ').selectOption('en');
      await p.getByRole('heading', { name: 'Sign in to renotify' }).waitFor();
      await p.getByRole('alert').getByText('Wrong email or password.').waitFor();
      await p.getByLabel('Language').selectOption('vi');

      // Ten failures for another address block it (429 + Retry-After): the screen says until when.
      const victim = 'someone@shop.test';
      await Promise.all(
        Array.from({ length: 10 }, () =>
          env.context.request.post(`${env.base}/api/auth/sign-in`, {
            data: { email: victim, password: 'wrong-wrong' },
          }),
        ),
      );
      await form.getByLabel('Email').fill(victim);
      await form.getByLabel('Mật khẩu', { exact: true }).fill('wrong-again');
      await form.getByRole('button', { name: 'Đăng nhập' }).click();
      await p
        .getByRole('alert')
        .getByText(/Quá nhiều lần đăng nhập sai\. Hãy thử lại sau \d+ phút \(lúc \d\d:\d\d\)/)
        .waitFor();

      await form.getByLabel('Email').fill(owner.email);
      await form.getByLabel('Mật khẩu', { exact: true }).fill(owner.password);
      await form.getByRole('button', { name: 'Đăng nhập' }).click();
      const header = p.getByRole('banner');
      await header.getByRole('link', { name: 'Hồ sơ của Owner' }).waitFor();
      await header.getByText('Chủ sở hữu').waitFor();
      await header.getByRole('button', { name: 'Đăng xuất' }).waitFor();
      const nav = p.getByRole('navigation', { name: 'main' });
      expect(await nav.getByRole('link').allInnerTexts()).toEqual([
        'Tổng quan',
        'Chủ đề',
        'Trợ lý chat',
        'Hội thoại',
        'Chiến dịch',
        'Mẫu tiện ích',
        'Cài đặt',
        'Kết nối Fanpage',
        'Tài khoản & bảo mật',
      ]);
      // At 1280 px the owner's full navigation is one row (it wrapped onto three beside the brand bar).
      const boxes = await Promise.all((await nav.getByRole('link').all()).map((l) => l.boundingBox()));
      expect(boxes.filter((b) => b === null)).toEqual([]); // every link laid out (a hidden one has no box)
      expect(new Set(boxes.map((b) => b?.y)).size).toBe(1);
      // The page asked for (/topics) is shown with its data.
      await p.getByRole('region', { name: 'Chủ đề thông báo định kỳ' }).waitFor();
    },
    T,
  );

  it(
    '(b) an invited agent accepts in another browser, signs in, sees only the inbox, and the topics URL is not allowed',
    async () => {
      const p = env.console;
      await p
        .getByRole('navigation', { name: 'main' })
        .getByRole('link', { name: 'Tài khoản & bảo mật' })
        .click();
      const invite = p.getByRole('region', { name: 'Mời thành viên' });
      await invite.getByLabel('Email').fill(AGENT_EMAIL);
      await invite.getByLabel('Vai trò').selectOption('agent');
      await invite.getByRole('button', { name: 'Gửi lời mời' }).click();
      const linkField = invite.getByRole('textbox', { name: 'Liên kết mời' });
      await linkField.waitFor();
      const link = await linkField.inputValue();
      expect(link).toMatch(/\/accept-invite\?token=[\w-]+&email=/);
      await invite.getByRole('button', { name: 'Sao chép: Liên kết mời' }).waitFor();

      // The invited person's own browser, at phone width.
      const other = await launchContext(390);
      try {
        const a = other.context.pages()[0] ?? (await other.context.newPage());
        await a.goto(link);
        const form = a.getByRole('form', { name: 'Nhận lời mời tham gia renotify' });
        await form.getByText(`Lời mời dành cho ${AGENT_EMAIL}.`).waitFor();
        await form.getByLabel('Tên của bạn').fill('Nguyễn Thị Lan');
        await form.getByLabel('Mật khẩu mới').fill(AGENT_PASSWORD);
        await form.getByLabel('Nhập lại mật khẩu').fill('something-else-entirely');
        await form.getByRole('button', { name: 'Nhận lời mời' }).click();
        await form.getByRole('alert').getByText('Hai mật khẩu không khớp.').waitFor();
        await form.getByLabel('Nhập lại mật khẩu').fill(AGENT_PASSWORD);
        await form.getByRole('button', { name: 'Nhận lời mời' }).click();

        // Sign-in, the email prefilled.
        const signIn = a.getByRole('form', { name: 'Đăng nhập vào renotify' });
        await a.getByRole('status').getByText('Tài khoản đã sẵn sàng').waitFor();
        expect(await signIn.getByLabel('Email').inputValue()).toBe(AGENT_EMAIL);
        await signIn.getByLabel('Mật khẩu', { exact: true }).fill(AGENT_PASSWORD);
        await signIn.getByRole('button', { name: 'Đăng nhập' }).click();

        await a.getByRole('banner').getByText('Nhân viên').waitFor();
        // At phone width the navigation is behind the menu button (issue 10.15).
        await a.getByRole('button', { name: 'Menu' }).click();
        const nav = a.getByRole('navigation', { name: 'main' });
        await nav.waitFor();
        expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Hội thoại']);
        await a.getByRole('heading', { name: 'Hội thoại' }).first().waitFor();

        // The topics page by URL: the "not allowed" state, and no topic data.
        await a.goto(`${new URL(link).origin}/topics`);
        const denied = a.getByRole('alert').filter({ hasText: 'Không có quyền truy cập' });
        await denied
          .getByText('Trang này cần vai trò Quản trị viên; vai trò của bạn là Nhân viên.')
          .waitFor();
        expect(await a.getByRole('region', { name: 'Chủ đề thông báo định kỳ' }).count()).toBe(0);
        expect(await a.getByText('Khuyến mãi hàng tuần').count()).toBe(0);
        await a.goto(`${new URL(link).origin}/accounts`);
        await a.getByRole('alert').filter({ hasText: 'Không có quyền truy cập' }).waitFor();
        expect(await a.getByRole('table').count()).toBe(0);

        // The owner sees the new member and removes them (confirmed); the agent's session ends.
        await p.reload();
        const members = p.getByRole('region', { name: 'Thành viên', exact: true });
        const row = members.getByRole('row').filter({ hasText: AGENT_EMAIL });
        await row.getByText('Nguyễn Thị Lan').waitFor();
        const role = row.getByLabel(`Vai trò của ${AGENT_EMAIL}`);
        expect(await role.inputValue()).toBe('agent');
        // Issue 10.12: a role change asks first, naming both roles; "Hủy" changes nothing.
        const askRole = p.getByRole('alertdialog', {
          name: `Đổi vai trò của ${AGENT_EMAIL} từ Nhân viên thành Quản trị viên?`,
        });
        await role.selectOption('admin');
        await askRole.getByRole('button', { name: 'Hủy' }).click();
        await askRole.waitFor({ state: 'detached' });
        expect(await role.inputValue()).toBe('agent');
        await role.selectOption('admin');
        await askRole.getByRole('button', { name: 'Xác nhận' }).click();
        await members.getByRole('status').getByText(`Đã đổi vai trò của ${AGENT_EMAIL}.`).waitFor();
        expect(await role.inputValue()).toBe('admin');
        await row.getByRole('button', { name: `Xóa khỏi không gian làm việc: ${AGENT_EMAIL}` }).click();
        await row
          .getByRole('alertdialog', { name: /Xóa .* khỏi không gian làm việc\?/ })
          .getByRole('button', { name: 'Xác nhận' })
          .click();
        await members.getByRole('status').getByText(`Đã xóa ${AGENT_EMAIL}.`).waitFor();
        expect(await members.getByRole('row').filter({ hasText: AGENT_EMAIL }).count()).toBe(0);
        await a.reload();
        await a.getByRole('form', { name: 'Đăng nhập vào renotify' }).waitFor();
      } finally {
        await other.close();
      }
    },
    T,
  );

  it(
    '(c) an API key is shown once, works, is listed by its prefix only after a reload, and is revoked',
    async () => {
      const p = env.console;
      const keys = p.getByRole('region', { name: 'Khóa API', exact: true });
      await keys.getByLabel('Tên khóa').fill('CI pipeline');
      await keys.getByLabel('Vai trò').selectOption('admin');
      await keys.getByRole('button', { name: 'Tạo khóa' }).click();
      const box = keys.getByRole('region', { name: 'Khóa API mới' });
      await box.getByText('Sao chép ngay — khóa này sẽ không được hiển thị lại.').waitFor();
      const key = await box.getByRole('textbox', { name: 'Khóa API CI pipeline' }).inputValue();
      expect(key).toMatch(/^rk_[\w-]{20,}$/);
      await box.getByRole('button', { name: 'Sao chép: Khóa API CI pipeline' }).waitFor();
      const asKey = () => fetch(`${env.base}/api/pages`, { headers: { authorization: `Bearer ${key}` } });
      expect((await asKey()).status).toBe(200);
      await shot(p, 'accounts', { fullPage: true });

      await p.reload();
      const row = keys.getByRole('row').filter({ hasText: 'CI pipeline' });
      await row.getByText(`${key.slice(0, 9)}…`).waitFor();
      await row.getByText('Đang hoạt động').waitFor();
      expect(await keys.getByRole('region', { name: 'Khóa API mới' }).count()).toBe(0);
      expect(await p.content()).not.toContain(key);

      await row.getByRole('button', { name: 'Thu hồi khóa CI pipeline' }).click();
      await row.getByRole('button', { name: 'Xác nhận' }).click();
      await row.getByText(/Đã thu hồi/).waitFor();
      expect((await asKey()).status).toBe(401);
    },
    T,
  );

  it(
    '(d) the audit log lists the owner’s actions newest first and exports CSV; the owner changes their password',
    async () => {
      const p = env.console;
      const audit = p.getByRole('region', { name: 'Nhật ký hoạt động' });
      const rows = audit.getByRole('row');
      await rows.filter({ hasText: 'Thu hồi khóa API' }).waitFor();
      const texts = (await audit.locator('tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
      const order = ['Thu hồi khóa API', 'Tạo khóa API', 'Xóa thành viên', 'Mời thành viên'].map((a) =>
        texts.findIndex((r) => r.includes(a)),
      );
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((x, y) => x - y)).toEqual(order);
      for (const a of ['Thu hồi khóa API', 'Tạo khóa API', 'Xóa thành viên', 'Mời thành viên']) {
        const r = texts.find((x) => x.includes(a))!;
        expect(r).toContain(owner.email);
        expect(r).toMatch(/\b20[14]\b/);
      }
      // Issue 10.17: readable actions with the names they acted on, not routes and ids.
      for (const a of [
        'Thu hồi khóa API “CI pipeline”',
        'Tạo khóa API “CI pipeline”',
        `Đổi vai trò thành viên “${AGENT_EMAIL}”`,
        `Xóa thành viên “${AGENT_EMAIL}”`,
      ])
        expect(
          texts.some((r) => r.includes(a)),
          a,
        ).toBe(true);
      const href = await audit.getByRole('link', { name: /Xuất CSV/ }).getAttribute('href');
      const csv = await (await env.context.request.get(`${env.base}${href}`)).text();
      expect(csv.split('\n')[0]).toBe('at,actor,action,action_key,target,target_name,status');
      expect(csv).toContain(`user:${owner.email},POST /api/users/invites`);
      expect(csv).toContain(`user:${owner.email},DELETE /api/api-keys/:id`);

      // "Change my password" from the header's profile link.
      await p.getByRole('banner').getByRole('link', { name: 'Hồ sơ của Owner' }).click();
      const pw = p.getByRole('form', { name: 'Đổi mật khẩu' });
      await pw.getByLabel('Mật khẩu hiện tại').fill('not-my-password');
      await pw.getByLabel('Mật khẩu mới').fill('a-brand-new-password');
      await pw.getByLabel('Nhập lại mật khẩu').fill('a-brand-new-password');
      await pw.getByRole('button', { name: 'Đổi mật khẩu' }).click();
      await pw.getByRole('alert').getByText('Mật khẩu hiện tại không đúng.').waitFor();
      await pw.getByLabel('Mật khẩu hiện tại').fill(owner.password);
      await pw.getByRole('button', { name: 'Đổi mật khẩu' }).click();
      await pw
        .getByRole('status')
        .getByText(/Đã đổi mật khẩu/)
        .waitFor();
      const res = await fetch(`${env.base}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: owner.email, password: 'a-brand-new-password' }),
      });
      expect(res.status).toBe(200);
      // Signing out returns to the sign-in screen.
      await p.getByRole('banner').getByRole('button', { name: 'Đăng xuất' }).click();
      await p.getByRole('form', { name: 'Đăng nhập vào renotify' }).waitFor();
    },
    T,
  );
});
