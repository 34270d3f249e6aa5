// Issue 12 in the console, in a real browser against the real runtime (sandbox mode: sign-up open):
// (a) a new shop signs up from the sign-in screen and, with no page yet, is asked to connect one
//     instead of seeing a broken screen; (b) a workspace with two pages switches every screen between
//     them with the page picker.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { connectPage } from '../../src/app/page-connections.ts';
import { boot, browserSkipReason, type Env, launchContext } from './harness.ts';

const T = 120_000;

describe.skipIf(browserSkipReason !== null)('shops in the console (browser)', () => {
  let env: Env;
  beforeAll(async () => {
    env = await boot();
  }, 300_000);
  afterAll(async () => env?.close());

  it(
    '(a) sign-up from the sign-in screen; a shop with no page is asked to connect one',
    async () => {
      const { context, close } = await launchContext();
      try {
        const p = context.pages()[0] ?? (await context.newPage());
        await p.goto(`${env.base}/`);
        await p.getByRole('link', { name: 'Đăng ký cửa hàng mới' }).click();
        const form = p.getByRole('form', { name: 'Đăng ký cửa hàng mới' });
        await form.getByLabel('Tên cửa hàng').fill('Tiệm Bánh Mai');
        await form.getByLabel('Tên của bạn').fill('Mai');
        await form.getByLabel('Email').fill('mai@banh.test');
        await form.getByLabel('Mật khẩu').fill('mat-khau-dai-du');
        await form.getByRole('button', { name: 'Tạo cửa hàng' }).click();
        await p.getByRole('heading', { name: 'Cửa hàng chưa có Fanpage nào' }).waitFor();
        await p.getByRole('navigation', { name: 'main' }).getByText('Hội thoại').click();
        await p.getByRole('heading', { name: 'Cửa hàng chưa có Fanpage nào' }).waitFor();
      } finally {
        await close();
      }
    },
    T,
  );

  it(
    '(b) two pages: the picker switches the console between them',
    async () => {
      await connectPage(env.rt.ctx, env.rt.workspaceId, {
        fbPageId: '300000000000777',
        name: 'Chi nhánh Quận 3',
        accessToken: 'EAAbranch',
      });
      const p = env.console;
      await p.goto(`${env.base}/settings`);
      const picker = p.getByRole('combobox', { name: 'Fanpage' });
      await picker.waitFor();
      await picker.selectOption({ label: 'Chi nhánh Quận 3' });
      await p;
      await p.locator('main').getByText('Chi nhánh Quận 3', { exact: true }).waitFor();
    },
    T,
  );
});
