// Issue 6: a second workspace's session and API key walk EVERY /api route against the first
// workspace's objects: each answers 403/404 and changes nothing; routes that name no object answer
// for the caller's own workspace and show nothing of the first.
import { Value } from '@sinclair/typebox/value';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrigger } from '../../src/app/assistant.ts';
import { createCampaign } from '../../src/app/campaigns.ts';
import { insertLoginState, saveOffer } from '../../src/storage/page-connections.ts';
import { boot, call, type Tenant, tenant } from './harness.ts';

describe('tenancy', () => {
  let env: Awaited<ReturnType<typeof boot>>;
  let base: string;
  let a: Tenant;
  let b: Tenant;
  const ids: Record<string, number | string> = {};

  /** Everything workspace A owns, as one string: compared before and after the walk. */
  async function snapshotOfA(): Promise<string> {
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.columns
      WHERE column_name = 'workspace_id' AND table_schema = current_schema()`.execute(env.rt.storage.db);
    let out = '';
    for (const { table_name } of tables.rows.sort((x, y) => x.table_name.localeCompare(y.table_name))) {
      if (table_name === 'audit_log') continue; // B's own refused calls are not A's data
      const rows = await sql
        .raw(`SELECT t::text AS r FROM "${table_name}" t WHERE workspace_id = ${a.workspaceId} ORDER BY 1`)
        .execute(env.rt.storage.db);
      out += `${table_name}:${rows.rows.map((r) => (r as { r: string }).r).join('|')}\n`;
    }
    return out;
  }

  beforeAll(async () => {
    env = await boot();
    base = env.rt.url!;
    a = await tenant(env.rt, {
      workspaceId: env.rt.workspaceId,
      pageId: env.rt.page.id,
      fbPageId: env.rt.page.fb_page_id,
    });
    b = await tenant(env.rt);
    const trigger = await createTrigger(env.rt.ctx, a.workspaceId, a.pageId, {
      kind: 'keyword_exact',
      value: 'hi',
      blocks: [{ type: 'text', text: 'hello' }],
    });
    const users = await env.rt.storage.db
      .selectFrom('memberships')
      .select('user_id')
      .where('workspace_id', '=', a.workspaceId)
      .execute();
    const key = await env.rt.storage.db
      .selectFrom('api_keys')
      .select('id')
      .where('workspace_id', '=', a.workspaceId)
      .executeTakeFirstOrThrow();
    Object.assign(ids, {
      pageId: a.pageId,
      topicId: a.topicId,
      customerId: a.customerId,
      triggerId: trigger.id,
      userId: users[0]!.user_id,
      apiKeyId: key.id,
    });
    const campaign = await createCampaign(env.rt.ctx, a.workspaceId, a.pageId, {
      name: 'A campaign',
      topicId: a.topicId,
      content: { type: 'text', text: 'Hello {{first_name}}' },
      audience: {},
    });
    ids.campaignId = campaign.id;
    // A's utility template and its order-event mapping (stored directly: Meta's side is not needed to
    // own them), so the walk reaches /templates/:templateId and the mapping routes.
    const template = await env.rt.storage.db
      .insertInto('message_templates')
      .values({
        workspace_id: a.workspaceId,
        page_id: a.pageId,
        name: 'a_order_shipped',
        language: 'vi',
        header_text: null,
        body_text: 'Đơn {{order_id}}',
        buttons: '[]',
        parameter_format: 'NAMED',
        parameters: ['order_id'],
        examples: '{"order_id":"1"}',
        library_template_name: null,
        fb_template_id: 'tpl-a',
        status: 'APPROVED',
        status_reason: null,
        status_at: new Date(),
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.templateId = template.id;
    ids.eventType = 'order_shipped';
    await env.rt.storage.db
      .insertInto('order_event_mappings')
      .values({
        workspace_id: a.workspaceId,
        page_id: a.pageId,
        event_type: 'order_shipped',
        template_id: template.id,
        params: '{"order_id":"order_id"}',
        created_at: new Date(),
        updated_at: new Date(),
      })
      .execute();
    // A Facebook Login offer of A's owner (issue 12): B's session must not read or use it.
    await insertLoginState(env.rt.storage.db, {
      workspaceId: a.workspaceId,
      nonceHash: `tenancy-${a.workspaceId}`,
      sessionHash: 'a-session',
      now: env.rt.clock.now(),
      expiresAt: new Date(env.rt.clock.now().getTime() + 3_600_000),
    });
    const offer = await env.rt.storage.db
      .selectFrom('facebook_login_states')
      .select('id')
      .where('nonce_hash', '=', `tenancy-${a.workspaceId}`)
      .executeTakeFirstOrThrow();
    await saveOffer(env.rt.storage.db, offer.id, {
      fbUserId: '100000000000001',
      userToken: 'EAAU-a',
      pagesJson: JSON.stringify([{ id: a.fbPageId, name: 'A', accessToken: 'EAAP-a', tasks: [] }]),
      expiresAt: new Date(env.rt.clock.now().getTime() + 3_600_000),
    });
    ids.offerId = offer.id;
  });
  afterAll(async () => env?.close());

  function fill(url: string): string | null {
    let missing = false;
    const path = url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
      const value =
        name !== 'id'
          ? ids[name]
          : url.includes('/api-keys/')
            ? ids.apiKeyId
            : url.includes('/campaigns/')
              ? ids.campaignId
              : url.includes('/users/')
                ? ids.userId
                : undefined;
      if (value === undefined) missing = true;
      return String(value);
    });
    return missing ? null : path;
  }

  it('walks every API route with workspace B against workspace A: 403/404 and nothing changes', async () => {
    // Signing out ends B's session: walk it last.
    const routes = env.rt
      .server!.apiRoutes.filter((r) => r.role !== 'public')
      .sort((x, y) => Number(x.url.endsWith('/sign-out')) - Number(y.url.endsWith('/sign-out')));
    expect(routes.length).toBeGreaterThan(20);
    const before = await snapshotOfA();
    const walked: string[] = [];
    const violations: string[] = [];
    for (const route of routes) {
      const path = fill(route.url);
      if (path === null)
        throw new Error(`no object of workspace A for ${route.method} ${route.url}: extend the id table`);
      const body = route.body ? Value.Create(route.body as never) : undefined;
      const query = route.querystring
        ? (Value.Create(route.querystring as never) as Record<string, unknown>)
        : {};
      const qs = new URLSearchParams(
        Object.entries(query).flatMap(([k, v]) => [v].flat().map((x) => [k, String(x)] as [string, string])),
      ).toString();
      const target = qs ? `${path}?${qs}` : path;
      for (const [who, caller] of [
        ['B owner session', b.owner],
        ['B API key', b.apiKey],
      ] as const) {
        const res = await call(
          base,
          route.method,
          target,
          caller,
          ['GET', 'DELETE'].includes(route.method) ? undefined : (body ?? {}),
        );
        const label = `${route.method} ${route.url} as ${who} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`;
        if (/:[A-Za-z]+/.test(route.url)) {
          if (![403, 404].includes(res.status)) violations.push(label);
        } else if (res.status >= 500 || JSON.stringify(res.body).includes(a.fbPageId)) {
          // No object named: it acts on B's own workspace, and must show nothing of A.
          violations.push(label);
        }
      }
      walked.push(`${route.method} ${route.url}`);
    }
    expect(violations).toEqual([]);
    expect(await snapshotOfA()).toBe(before);
    console.log(`tenancy: walked ${walked.length} routes × 2 callers`);
  });

  it('webhook events are routed to the workspace of the page they name', async () => {
    const pages = await env.rt.storage.db
      .selectFrom('pages')
      .select(['workspace_id', 'fb_page_id'])
      .execute();
    const owners = new Map(pages.map((p) => [p.fb_page_id, p.workspace_id]));
    expect(owners.get(a.fbPageId)).toBe(a.workspaceId);
    expect(owners.get(b.fbPageId)).toBe(b.workspaceId);
    // A page belongs to one workspace only.
    await expect(
      env.rt.storage.db
        .insertInto('pages')
        .values({
          workspace_id: b.workspaceId,
          fb_page_id: a.fbPageId,
          name: 'steal',
          profile: '2025',
          time_zone: 'UTC',
          created_at: new Date(),
        } as never)
        .execute(),
    ).rejects.toThrow(/pages_fb_page_id_key|unique/);
  });
});
