// The demo workspace `npm start` creates on an empty database in sandbox mode: the sandbox's page,
// ~20 customers whose last interactions spread from minutes to months ago, one recurring and one OTN
// topic (names from the source help pages), and a chat-assistant flow offering both opt-ins. The same
// demo whether the sandbox runs inside the service or as its own process (SANDBOX_URL, over its API).
import { createTrigger } from './app/assistant.ts';
import type { AppContext } from './app/context.ts';
import { connectPage } from './app/page-connections.ts';
import { createTopic } from './app/topics.ts';
import { createWorkspace } from './app/workspaces.ts';
import { splitName } from './domain/names.ts';
import type { Profile } from './domain/platform.ts';
import {
  DEMO_EXTRA_PAGES,
  DEMO_OWNER,
  type Sandbox,
  type SandboxClient,
  SandboxClientError,
  type SandboxInfo,
  seedDemoOwner,
} from './sandbox/index.ts';
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

/** What seeding needs of the sandbox: the embedded one (in-process) or one running alone (its API). */
export interface DemoSandbox {
  info(): SandboxInfo | Promise<SandboxInfo>;
  /** A simulated customer of the page; answers the PSID. */
  addCustomer(pageId: string, c: { name: string; lastInteractionAt: Date; locale: string }): Promise<string>;
  /** "Chủ shop demo" and the extra pages (idempotent); answers the 2026 page with its token. */
  demoOwner(): Promise<{ id: string; name: string; accessToken: string }>;
}

export function embeddedDemoSandbox(sandbox: Sandbox, now: () => Date): DemoSandbox {
  return {
    info: () => sandbox.info(),
    addCustomer: async (pageId, c) => sandbox.state.addCustomer(pageId, c, now()).psid,
    demoOwner: async () => {
      seedDemoOwner(sandbox);
      const sim = sandbox.state.page(DEMO_EXTRA_PAGES[0].id)!;
      return { id: sim.id, name: sim.name, accessToken: sim.accessToken };
    },
  };
}

/** The same demo over the sandbox's control API (`renotify sandbox` + SANDBOX_URL). */
export function remoteDemoSandbox(client: SandboxClient): DemoSandbox {
  const exists = (e: unknown) => e instanceof SandboxClientError && e.status === 409;
  const unlessExists = (e: unknown) => {
    if (!exists(e)) throw e;
  };
  return {
    info: () => client.info(),
    addCustomer: async (pageId, c) => {
      const at = c.lastInteractionAt.toISOString();
      return (await client.forPage(pageId).createCustomer({ ...c, lastInteractionAt: at })).psid;
    },
    demoOwner: async () => {
      const primary = await client.info();
      for (const p of DEMO_EXTRA_PAGES) {
        const { id, name, profile, region } = p;
        await client
          .addPage({ id, name, profile, region, webhookUrl: primary.webhookUrl })
          .catch(unlessExists);
      }
      const pages = [primary.pageId, ...DEMO_EXTRA_PAGES.map((p) => p.id)].map((pageId) => ({ pageId }));
      await client.addLoginUser({ ...DEMO_OWNER, pages }).catch(unlessExists);
      const second = await client.forPage(DEMO_EXTRA_PAGES[0].id).info();
      return { id: second.pageId, name: second.pageName, accessToken: second.pageAccessToken };
    },
  };
}

export async function seedDemo(ctx: AppContext, sandbox: DemoSandbox, profile: Profile) {
  const info = await sandbox.info();
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
    const psid = await sandbox.addCustomer(info.pageId, {
      name: c.name,
      lastInteractionAt: at,
      locale: c.locale ?? 'vi_VN',
    });
    const { firstName, lastName } = splitName(c.name);
    await upsertCustomer(
      ctx.db,
      {
        workspaceId,
        pageId: page.id,
        psid,
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
  const sim = await sandbox.demoOwner();
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
