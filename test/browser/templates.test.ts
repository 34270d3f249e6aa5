// Issue 14 item 5 in the browser: the Mẫu tiện ích screen lists the page's utility templates with Meta's
// status (R13b), previews one in the phone frame, writes a new one with a live preview, maps an order
// event to a template (R13c), and shows the event log with what the customer received — in vi and en.
// Two templates are stored directly (as if synced); the library search and clone go through the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../../src/sandbox/client.ts';
import { SandboxClient2026 } from '../../src/sandbox/client-2026.ts';
import { boot, browserSkipReason, customerByName, type Env, shot, until } from './harness.ts';

describe.skipIf(browserSkipReason !== null)('Templates page (browser)', () => {
  let env: Env;

  async function seedTemplate(name: string, status: string, reason: string | null) {
    const now = new Date();
    return env.rt.storage.db
      .insertInto('message_templates')
      .values({
        workspace_id: env.rt.workspaceId,
        page_id: env.rt.page.id,
        name,
        language: 'vi',
        header_text: 'Cập nhật đơn hàng',
        body_text: 'Đơn #{{order_id}} đã được giao cho đơn vị vận chuyển, {{customer_name}}.',
        buttons: JSON.stringify([{ type: 'URL', text: 'Theo dõi đơn', url: 'https://shop.vn/o' }]),
        parameter_format: 'NAMED',
        parameters: ['order_id', 'customer_name'],
        examples: JSON.stringify({ order_id: '566701', customer_name: 'Lan' }),
        library_template_name: null,
        fb_template_id: `tpl-${name}`,
        status,
        status_reason: reason,
        status_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    // Utility templates are Meta's 2026 product: the sandbox refuses them to an older page.
    env = await boot({ env: { PAGE_PROFILE: '2026', PAGE_REGION: 'VN' } });
    await seedTemplate('order_shipped_vi', 'APPROVED', null);
    await seedTemplate('payment_reminder_vi', 'REJECTED', 'INCORRECT_CATEGORY');
  }, 120_000);
  afterAll(async () => env?.close());

  it('R13b: statuses shown, preview in the phone frame, a new template previewed as typed', async () => {
    const p = env.console;
    await p.goto(`${env.base}/templates`);
    await p.getByRole('heading', { name: 'Mẫu tin nhắn tiện ích', level: 1 }).waitFor();
    const approved = p.getByRole('row', { name: 'order_shipped_vi' });
    await approved.getByText('Đã duyệt').waitFor();
    const rejected = p.getByRole('row', { name: 'payment_reminder_vi' });
    await rejected.getByText('Bị từ chối').waitFor();
    await rejected.getByText('INCORRECT_CATEGORY').waitFor();
    await approved.getByRole('button', { name: 'Xem trước' }).click();
    const preview = p.getByRole('figure', { name: 'Xem trước' });
    await preview.getByText('Đơn #566701 đã được giao cho đơn vị vận chuyển, Lan.').waitFor();
    await preview.getByText('Theo dõi đơn').waitFor();

    await p.getByRole('button', { name: '+ Mẫu mới' }).click();
    const form = p.getByRole('region', { name: 'Mẫu mới' });
    await form.getByLabel('Tên mẫu (chữ thường, số, _)').fill('appointment_vi');
    await form.getByLabel('Nội dung').fill('Lịch hẹn {{appointment_time}} của bạn đã được xác nhận.');
    await form.getByLabel('{{appointment_time}}', { exact: true }).fill('9:00 ngày 2/12');
    await form
      .getByRole('figure', { name: 'Xem trước' })
      .getByText('Lịch hẹn 9:00 ngày 2/12 của bạn đã được xác nhận.')
      .waitFor();
    await shot(p, 'templates-vi', { fullPage: true });
    await form.getByRole('button', { name: 'Hủy' }).click();
  });

  it('R13c: map an order event to a template, post one, and read it in the log (vi, then en)', async () => {
    const p = env.console;
    await p.goto(`${env.base}/templates`);
    const row = p.getByRole('listitem', { name: 'Đã giao cho vận chuyển' });
    await row.getByLabel('Mẫu: Đã giao cho vận chuyển').selectOption({ label: 'order_shipped_vi (vi)' });
    await row.getByLabel('Trường sự kiện cho {{customer_name}}').fill('name');
    await row.getByRole('button', { name: 'Lưu' }).click();
    await row.getByRole('status').waitFor();
    const mappings = await (
      await env.context.request.get(`${env.base}/api/pages/${env.rt.page.id}/order-event-mappings`)
    ).json();
    expect(mappings.mappings).toEqual([
      expect.objectContaining({
        eventType: 'order_shipped',
        params: { order_id: 'order_id', customer_name: 'name' },
      }),
    ]);

    // The customer writes first, so the event goes inside 24 h as an ordinary reply (R12c).
    const lan = await customerByName(env.rt, 'Nguyễn Thị Lan');
    const before = await env.rt.storage.db
      .selectFrom('customers')
      .select('last_interaction_at')
      .where('id', '=', lan.id)
      .executeTakeFirstOrThrow();
    await new SandboxClient(env.sandboxUrl).message(lan.psid, 'đơn của em tới đâu rồi ạ?');
    await until('the message applied', async () => {
      const c = await env.rt.storage.db
        .selectFrom('customers')
        .select('last_interaction_at')
        .where('id', '=', lan.id)
        .executeTakeFirstOrThrow();
      return (
        c.last_interaction_at && c.last_interaction_at.getTime() !== before.last_interaction_at?.getTime()
      );
    });
    const { csrfToken } = (await (await env.context.request.get(`${env.base}/api/auth/me`)).json()) as {
      csrfToken: string;
    };
    const posted = await env.context.request.post(`${env.base}/api/pages/${env.rt.page.id}/order-events`, {
      headers: { 'x-csrf-token': csrfToken, 'idempotency-key': 'browser-1' },
      data: {
        type: 'order_shipped',
        orderId: 'DH-1203',
        customer: { psid: lan.psid },
        fields: { name: 'Lan' },
      },
    });
    expect(posted.status(), await posted.text()).toBe(201);

    const log = p.getByRole('table', { name: 'Nhật ký sự kiện đơn hàng' });
    await log.getByRole('cell', { name: 'DH-1203', exact: true }).waitFor();
    await log.getByText('Đã gửi (trả lời thường)').waitFor();
    await log.getByText('Đơn #DH-1203 đã được giao cho đơn vị vận chuyển, Lan.').waitFor();
    await p.getByLabel('Tìm theo mã đơn, PSID, số điện thoại, khóa').fill('không-có');
    await log.getByText('Không có').waitFor();

    await p.getByRole('banner').getByLabel('Ngôn ngữ').selectOption('en');
    await p.getByRole('heading', { name: 'Utility message templates', level: 1 }).waitFor();
    await p.getByLabel('Search by order id, PSID, phone, key').fill('DH-1203');
    await p.getByRole('table', { name: 'Order event log' }).getByText('Sent (ordinary reply)').waitFor();
    await p.getByRole('row', { name: 'order_shipped_vi' }).getByText('Approved').waitFor();
    await shot(p, 'templates-en', { fullPage: true });
    await p.getByRole('banner').getByLabel('Language').selectOption('vi');
  });

  it("R13a: search Meta's library in the sandbox and clone from the page; the clone is listed approved", async () => {
    const p = env.console;
    await p.goto(`${env.base}/templates`);
    const lib = p.getByRole('region', { name: 'Thư viện mẫu của Meta' });
    await lib.getByLabel('Tìm trong thư viện (tên hoặc nội dung)').fill('order_confirmation');
    await lib.getByLabel('Ngôn ngữ', { exact: true }).selectOption('vi');
    await lib.getByRole('button', { name: 'Tìm', exact: true }).click();
    const item = lib.getByRole('listitem', { name: 'order_confirmation_1' });
    await item.getByLabel('Sao chép với tên').fill('xac_nhan_don_b');
    await item.getByRole('button', { name: 'Sao chép', exact: true }).click();
    await p.getByRole('row', { name: 'xac_nhan_don_b' }).getByText('Đã duyệt').waitFor();
    const atMeta = (await new SandboxClient2026(env.sandboxUrl).templates()).filter(
      (t) => t.name === 'xac_nhan_don_b',
    );
    expect(atMeta).toHaveLength(1);
    expect(atMeta[0]).toMatchObject({ status: 'APPROVED' });
    await shot(p, 'templates-library-clone', { fullPage: true });
  });
});
