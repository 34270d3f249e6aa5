// Third-party compatibility, 2026 products: Meta's own Node SDK (facebook-nodejs-business-sdk, axios)
// works unchanged against the sandbox. Its wire habits: JSON bodies carrying the node's `id`, the
// token in the query string, its own API version (v24.0), JSON-stringified nested query parameters.
// A recording proxy on loopback sits between the SDK and the sandbox so the test sees those bytes.
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdAccountView, SandboxClient2026 } from './client-2026.ts';
import { type Harness, startSandbox } from './test-helpers.ts';

// A devDependency loaded through a variable specifier and typed locally (as compat.test.ts does), so
// a checkout without it still type-checks; the suite is then reported as skipped.
interface Node {
  createMessageTemplate(fields: string[], params: object): Promise<{ _data: Record<string, unknown> }>;
  getMessageTemplates(fields: string[], params: object): Promise<Array<{ _data: Record<string, unknown> }>>;
  deleteMessageTemplates(params: object): Promise<Record<string, unknown>>;
  createMessage(fields: string[], params: object): Promise<{ _data: Record<string, unknown> }>;
  createMessageCampaign(fields: string[], params: object): Promise<{ _data: Record<string, unknown> }>;
  getMessageDeliveryEstimate(
    fields: string[],
    params: object,
  ): Promise<Array<{ _data: Record<string, unknown> }>>;
}
interface Api {
  call(method: string, path: string[], params: object): Promise<Record<string, unknown>>;
}
interface Sdk {
  FacebookAdsApi: (new (token: string, locale?: string, crashLog?: boolean) => Api) & { VERSION: string };
  Page: new (id: string, data?: object, parent?: string, api?: Api) => Node;
  AdAccount: new (id: string, data?: object, parent?: string, api?: Api) => Node;
}
const SDK_NAME = 'facebook-nodejs-business-sdk';
const sdk = (await import(SDK_NAME)
  .then((m: { default?: Sdk } & Sdk) => m.default ?? m)
  .catch(() => null)) as Sdk | null;

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: Record<string, unknown> | null;
}
let h: Harness;
let proxy: FastifyInstance;
let seen: Seen[];
let c26: SandboxClient2026;
let acct: AdAccountView;
const PSID = '2000000000000091';

beforeEach(async () => {
  if (!sdk) return;
  h = await startSandbox({
    page: { profile: '2026', region: 'VN' },
    customers: [{ psid: PSID, name: 'Thu Ha' }],
  });
  c26 = new SandboxClient2026(h.url);
  acct = await c26.createAdAccount();
  seen = [];
  proxy = Fastify({ logger: false });
  proxy.removeAllContentTypeParsers();
  proxy.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  proxy.all('/*', async (req, reply) => {
    const raw = typeof req.body === 'string' && req.body ? req.body : undefined;
    seen.push({
      method: req.method,
      url: req.url,
      contentType: req.headers['content-type'],
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null,
    });
    const res = await request(`${h.url}${req.url}`, {
      method: req.method as 'GET',
      headers: raw ? { 'content-type': String(req.headers['content-type']) } : {},
      body: raw,
    });
    return reply
      .code(res.statusCode)
      .type('application/json')
      .send(await res.body.text());
  });
  const at = await proxy.listen({ port: 0, host: '127.0.0.1' });
  // The SDK's base URL is a static getter; pointing it elsewhere is how one tests against a stand-in.
  Object.defineProperty(sdk.FacebookAdsApi, 'GRAPH', { get: () => at, configurable: true });
});
afterEach(async () => {
  if (!sdk) return;
  await proxy.close();
  await h.close();
});

const sdkError = (e: unknown) => {
  const r = (e as { response?: { code?: number; error_subcode?: number } }).response;
  return [r?.code, r?.error_subcode];
};

describe.skipIf(!sdk)('facebook-nodejs-business-sdk against the sandbox', () => {
  it('utility templates: library, create, list, send with messaging_type UTILITY, delete — on v24.0, token in the query', async () => {
    const { FacebookAdsApi, Page } = sdk!;
    expect(FacebookAdsApi.VERSION).toBe('v24.0');
    const api = new FacebookAdsApi(h.token, 'en_US', false);
    const lib = await api.call('GET', ['message_template_library'], {
      name_or_content: 'order',
      language: 'en',
    });
    expect((lib.data as unknown[]).length).toBeGreaterThan(0);

    const page = new Page(h.pageId, {}, undefined, api);
    const created = await page.createMessageTemplate([], {
      name: 'order_paid',
      language: 'en',
      category: 'UTILITY',
      parameter_format: 'NAMED',
      components: [
        {
          type: 'BODY',
          text: 'Order {{order_id}} is paid. Thank you!',
          example: { body_text_named_params: [{ param_name: 'order_id', example: '1' }] },
        },
      ],
    });
    expect(created._data).toMatchObject({ status: 'APPROVED', category: 'UTILITY' });
    const list = await page.getMessageTemplates(['name', 'status'], { name: 'order_paid' });
    expect(list.map((t) => t._data.status)).toEqual(['APPROVED']);

    const sent = await page.createMessage([], {
      recipient: { id: PSID },
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'order_paid',
          language: { code: 'en' },
          components: [
            { type: 'body', parameters: [{ type: 'text', parameter_name: 'order_id', text: '#77' }] },
          ],
        },
      },
    });
    expect(sent._data.message_id).toMatch(/^m_/);
    expect((await h.client.thread(PSID)).items.at(-1)?.utility?.body).toBe('Order #77 is paid. Thank you!');

    const post = seen.find((s) => s.method === 'POST' && s.url.includes('/messages?'))!;
    expect(post.url).toMatch(new RegExp(`^/v24\\.0/${h.pageId}/messages\\?access_token=`));
    expect(post.contentType).toMatch(/^application\/json/);
    expect(post.body).toMatchObject({ id: h.pageId, messaging_type: 'UTILITY' });

    expect(await page.deleteMessageTemplates({ name: 'order_paid' })).toEqual({ success: true });
    const del = seen.at(-1)!;
    expect(del.method).toBe('DELETE');
    expect(del.url).toContain('access_token=');
  });

  it('marketing messages: campaign with the system-user token, estimate with JSON query parameters, send with the page token', async () => {
    const { FacebookAdsApi, AdAccount } = sdk!;
    const card = await h.graph.recurringRequest(PSID, 'Deals');
    const { token } = await h.client.optin(PSID, String(card.body.message_id));

    const system = new FacebookAdsApi(acct.systemUserToken, 'en_US', false);
    const asSystem = new AdAccount(acct.adAccountId, {}, undefined, system);
    const campaign = await asSystem.createMessageCampaign([], {
      name: 'Black Friday',
      page_id: h.pageId,
      lifetime_budget: 100_000,
    });
    const campaignId = String(campaign._data.id);
    expect(campaignId).toMatch(/^\d+$/);

    // The SDK writes the created campaign's fields onto the node it was called on (its setData), so
    // the ad account is a fresh node for the next call.
    const account = new AdAccount(acct.adAccountId, {}, undefined, system);
    const [estimate] = await account.getMessageDeliveryEstimate(
      ['estimate_delivery_upper_bound', 'estimate_cost_upper_bound'],
      {
        targeting_spec: { messenger_positions: ['marketing_messages'], publisher_platforms: ['messenger'] },
        promoted_object: { page_id: h.pageId },
        lifetime_budget: 100_000,
      },
    );
    expect(estimate?._data).toEqual({ estimate_delivery_upper_bound: 1, estimate_cost_upper_bound: 250 });
    const get = seen.find((s) => s.url.includes('message_delivery_estimate'))!;
    const q = new URL(get.url, 'http://x').searchParams;
    expect(JSON.parse(q.get('promoted_object')!)).toEqual({ page_id: h.pageId });

    const asPageApi = new FacebookAdsApi(h.token, 'en_US', false);
    const asPage = new AdAccount(acct.adAccountId, {}, undefined, asPageApi);
    const params = {
      message_id: campaignId,
      messenger_delivery_data: { subscription_token: token },
      message: { text: 'Black Friday: -30%' },
    };
    // Straight after creation the campaign is not active yet: Meta's 2300003, as the SDK's error.
    const early = await asPage.createMessage([], params).catch((e: unknown) => e);
    expect(sdkError(early)).toEqual([2300003, undefined]);
    await h.client.advance('10s');
    const sent = await new AdAccount(acct.adAccountId, {}, undefined, asPageApi).createMessage([], params);
    expect(sent._data).toMatchObject({ success: true, marketing_message_tracking_id: expect.any(String) });
    const post = seen.filter((s) => s.url.includes(`${acct.adAccountId}/messages`)).at(-1)!;
    expect(post.body).toMatchObject({ id: acct.adAccountId, message_id: campaignId });
  });
});
