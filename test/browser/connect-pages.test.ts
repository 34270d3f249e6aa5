// "Kết nối Fanpage" in a real browser (issue 12): the owner presses the button, lands on the sandbox's
// Facebook Login dialog, continues as another Facebook user who administers three pages, unticks one,
// comes back to the console's tick list, ticks the two and connects them; both are listed as connected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boot, browserSkipReason, type Env, shot } from './harness.ts';

const T = 120_000;
const NEW_PAGES = [
  { id: '401000000000001', name: 'Tiệm Hoa Mai' },
  { id: '401000000000002', name: 'Tiệm Hoa Lan' },
  { id: '401000000000003', name: 'Tiệm Hoa Cúc' },
];

describe.skipIf(browserSkipReason !== null)('Kết nối Fanpage (browser)', () => {
  let env: Env;

  beforeAll(async () => {
    env = await boot();
    const sb = env.rt.sandbox!;
    for (const p of NEW_PAGES) sb.addPage(p);
    sb.state.login.addUser({
      id: '100000000000777',
      name: 'Chủ tiệm hoa',
      pages: NEW_PAGES.map((p) => ({ pageId: p.id })),
    });
  }, 180_000);
  afterAll(async () => env?.close());

  it(
    'connects two of three pages through the sandbox Login dialog',
    async () => {
      const p = env.console;
      await p.goto(`${env.base}/pages/connect`);
      await p.getByRole('heading', { name: 'Kết nối Fanpage' }).waitFor();
      await p.getByRole('button', { name: 'Kết nối Fanpage' }).click();
      // The sandbox's dialog: switch to the other Facebook user, untick one page, continue.
      await p.waitForURL(/\/dialog\/oauth/);
      await p.getByRole('link', { name: 'Chủ tiệm hoa' }).click();
      await p.getByText('Chủ tiệm hoa', { exact: true }).waitFor();
      await p.locator(`input[name="page_${NEW_PAGES[2]!.id}"]`).uncheck();
      await shot(p, 'facebook-login-dialog');
      await p.getByRole('button', { name: 'Tiếp tục / Continue' }).click();
      // Back in the console with the tick list of what the person allowed.
      await p.waitForURL(/\/pages\/connect\?offer=\d+/);
      const list = p.getByTestId('offered-pages');
      await list.getByText(NEW_PAGES[0]!.name).waitFor();
      expect(await list.getByRole('checkbox').count()).toBe(2);
      for (const page of NEW_PAGES.slice(0, 2))
        await list.getByRole('checkbox', { name: new RegExp(page.name) }).check();
      await p.getByRole('button', { name: 'Kết nối các Fanpage đã chọn' }).click();
      await p.getByRole('status').getByText('Đã kết nối 2 Fanpage.').waitFor();
      const table = p.getByTestId('connected-pages');
      for (const page of NEW_PAGES.slice(0, 2)) {
        await table.locator(`tr[data-fb-page-id="${page.id}"]`).getByText('Đã kết nối').waitFor();
      }
      expect(await table.locator(`tr[data-fb-page-id="${NEW_PAGES[2]!.id}"]`).count()).toBe(0);
      await shot(p, 'connect-pages');
      // Each connected page is subscribed to the app's webhooks in the sandbox.
      const subs = env.rt.sandbox!.state.login;
      expect(Object.keys(subs.subscribedApps(NEW_PAGES[0]!.id))).toEqual([env.rt.facebookApp!.appId]);
      expect(subs.subscribedApps(NEW_PAGES[2]!.id)).toEqual({});
    },
    T,
  );
});
