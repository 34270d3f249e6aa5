// The demo workspace `npm start` creates on an empty database in sandbox mode: the sandbox's page,
// ~20 customers whose last interactions spread from minutes to months ago, one recurring and one OTN
// topic (names from the source help pages), and a chat-assistant flow offering both opt-ins.
import { createTrigger } from './app/assistant.ts';
import type { AppContext } from './app/context.ts';
import { connectPage } from './app/page-connections.ts';
import { createTopic } from './app/topics.ts';
import { createWorkspace } from './app/workspaces.ts';
import { splitName } from './domain/names.ts';
import type { Profile } from './domain/platform.ts';
import { DEMO_EXTRA_PAGES, type Sandbox, seedDemoOwner } from './sandbox/index.ts';
import { upsertCustomer } from './storage/customers.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Ages of the demo customers' last interactions: inside 24 h, in the human-agent window, and beyond 7 days. */
export const DEMO_CUSTOMERS: Array<{ name: string; ageMs: number; locale?: string }> = [
  { name: 'Nguyễn Thị Lan', ageMs: 5 * MIN },
  { name: 'Trần Văn Minh', ageMs: 40 * MIN },
  { name: 'Lê Thu Hà', ageMs: 3 * HOUR },
  { name: 'Phạm Quốc Bảo', ageMs: 9 * HOUR },
  { name: 'Hoàng Mai Anh', ageMs: 20 * HOUR },
  { name: 'Emily Carter', ageMs: 23 * HOUR, locale: 'en_US' },
  { name: 'Vũ Đức Huy', ageMs: 30 * HOUR },
  { name: 'Đặng Ngọc Trâm', ageMs: 2 * DAY },
  { name: 'Bùi Thanh Tùng', ageMs: 4 * DAY },
  { name: 'Đỗ Khánh Linh', ageMs: 6 * DAY },
  { name: 'Ngô Gia Hân', ageMs: 8 * DAY },
  { name: 'Dương Minh Khôi', ageMs: 12 * DAY },
  { name: 'Lý Bảo Ngọc', ageMs: 20 * DAY },
  { name: 'James Nguyen', ageMs: 35 * DAY, locale: 'en_GB' },
  { name: 'Trịnh Hoài An', ageMs: 50 * DAY },
  { name: 'Mai Phương Thảo', ageMs: 70 * DAY },
  { name: 'Cao Văn Long', ageMs: 95 * DAY },
  { name: 'Tạ Thị Hồng', ageMs: 130 * DAY },
  { name: 'Hồ Nhật Nam', ageMs: 180 * DAY },
  { name: 'Lâm Tuyết Nhi', ageMs: 240 * DAY },
];

export async function seedDemo(ctx: AppContext, sandbox: Sandbox, profile: Profile) {
  const info = sandbox.info();
  const now = ctx.clock.now();
  const { workspaceId, page } = await createWorkspace(ctx, 'Cửa hàng demo', {
    fbPageId: info.pageId,
    name: info.pageName,
    profile,
    timeZone: info.timeZone,
    region: info.region,
    optInFeatureEnabled: true,
    accessToken: info.pageAccessToken,
    appSecret: info.appSecret,
  });
  for (const c of DEMO_CUSTOMERS) {
    const at = new Date(now.getTime() - c.ageMs);
    const sim = sandbox.state.addCustomer(
      info.pageId,
      { name: c.name, lastInteractionAt: at, locale: c.locale ?? 'vi_VN' },
      now,
    );
    const { firstName, lastName } = splitName(c.name);
    await upsertCustomer(
      ctx.db,
      {
        workspaceId,
        pageId: page.id,
        psid: sim.psid,
        name: c.name,
        firstName,
        lastName,
        locale: c.locale ?? 'vi_VN',
        interactionAt: at,
      },
      now,
    );
  }
  const recurring = await createTopic(ctx, workspaceId, page.id, {
    name: 'Khuyến mãi hàng tuần',
    kind: 'recurring',
    title: 'Ưu đãi mỗi tuần từ Cửa hàng demo',
    frequency: 'WEEKLY',
    ctaText: 'GET_UPDATES',
  });
  const otn = await createTopic(ctx, workspaceId, page.id, {
    name: 'KH nhận khuyến mãi SP mới',
    kind: 'one_time',
    title: 'Báo cho tôi khi có sản phẩm mới',
  });
  const offer = [
    { type: 'text', text: 'Chào bạn! Cửa hàng có thể báo cho bạn về ưu đãi và sản phẩm mới 👇' },
    { type: 'recurring_optin', topicId: recurring.id },
    { type: 'otn_request', topicId: otn.id, description: 'Báo cho tôi khi có sản phẩm mới' },
  ];
  await createTrigger(ctx, workspaceId, page.id, { kind: 'get_started', blocks: offer });
  await createTrigger(ctx, workspaceId, page.id, {
    kind: 'keyword_contains',
    value: 'khuyến mãi',
    blocks: offer,
  });
  await createTrigger(ctx, workspaceId, page.id, { kind: 'postback', value: 'OFFERS', blocks: offer });
  await createTrigger(ctx, workspaceId, page.id, {
    kind: 'default',
    blocks: [
      {
        type: 'text',
        text: 'Cảm ơn bạn đã nhắn tin! Bạn muốn nhận thông báo khuyến mãi không?',
        quickReplies: [{ title: 'Có, nhận ưu đãi', payload: 'OFFERS' }],
      },
    ],
  });
  await createTrigger(ctx, workspaceId, page.id, { kind: 'quick_reply', value: 'OFFERS', blocks: offer });
  // Issue 12: the sandbox's "Chủ shop demo" administers three pages; the demo shop has two of them — the
  // one above on the source documents' rules and one on Meta's 2026 rules (VN). The third is left for the
  // tour's "Kết nối Fanpage".
  seedDemoOwner(sandbox);
  const second = DEMO_EXTRA_PAGES[0];
  const sim = sandbox.state.page(second.id)!;
  const { page: page2026 } = await connectPage(ctx, workspaceId, {
    fbPageId: sim.id,
    name: sim.name,
    accessToken: sim.accessToken,
    profile: '2026',
    region: 'VN',
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  return { workspaceId, page, page2026, topics: { recurring, otn } };
}
