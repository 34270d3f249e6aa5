// What the order-event tests share (order-events.test.ts, order-events-retry.test.ts): the template,
// Meta's scripted answers, a recording queue and a shop with the template mapped to `order_shipped`.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { type Backend, openTestStorage } from '../../../test/support/backends.ts';
import { seedWorkspace } from '../../../test/support/factories.ts';
import { GraphClient, TemplateApi } from '../../channel/index.ts';
import { type FakeGraph, type RecordedRequest, startFakeGraph } from '../../channel/testing/fake-graph.ts';
import { isDomainError } from '../../domain/errors.ts';
import type { Enqueuer } from '../../jobs/queue.ts';
import type { Storage } from '../../storage/db.ts';
import { type OrderEventContext, postOrderEvent, putMapping } from '../order-events.ts';
import { createTemplate } from '../templates.ts';

export const TEMPLATE = {
  name: 'order_shipped_vi',
  language: 'vi',
  bodyText: 'Đơn #{{order_id}} đã được giao cho đơn vị vận chuyển, {{customer_name}}.',
  examples: { order_id: '566701', customer_name: 'Lan' },
};

let mid = 0;
/** Meta as the docs print it: template creation answers APPROVED, sends answer a message id. */
export function meta(status = 'APPROVED') {
  return (req: RecordedRequest) => {
    if (req.path.endsWith('/message_templates'))
      return { body: { id: `tpl-${++mid}`, status, category: 'UTILITY' } };
    const r = (req.body as { recipient?: { id?: string } }).recipient;
    return { body: { recipient_id: r?.id, message_id: `m_${++mid}` } };
  };
}

export async function expectCode(p: Promise<unknown>, code: string) {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(isDomainError(e) ? e.code : e).toBe(code);
}

/** A queue that records what was enqueued (the retry job's payloads), cleared by the caller. */
export function recordingQueue(): { jobs: object[]; queue: Enqueuer } {
  const jobs: object[] = [];
  const queue: Enqueuer = {
    send: async (_name, data) => void jobs.push(data),
    sendMany: async (_name, data) => void jobs.push(...data),
  };
  return { jobs, queue };
}

/** A 2026-profile shop whose `order_shipped` events map to TEMPLATE; `post` sends one event. */
export async function seedOrderShop(storage: Storage, client: GraphClient, queue: Enqueuer) {
  const w = await seedWorkspace(storage, { profile: '2026' });
  const ctx: OrderEventContext = { ...w.ctx, channel: client, templates: new TemplateApi(client), queue };
  const template = await createTemplate(ctx, w.workspaceId, w.page.id, TEMPLATE);
  await putMapping(ctx, w.workspaceId, w.page.id, 'order_shipped', {
    templateId: template.id,
    params: { order_id: 'order_id', customer_name: 'name' },
  });
  const post = (key: string, body: object) =>
    postOrderEvent(ctx, w.workspaceId, w.page.id, { idempotencyKey: key, body: body });
  return { ...w, ctx, template, post };
}

/** The message sends Meta received, in order. */
export const sendsTo = (graph: FakeGraph) =>
  graph.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));

/**
 * One suite's parts on `backend`: storage, Meta's scripted server and a client without retries, opened
 * before the suite and closed after it; Meta's script and the recorded jobs are reset before each test.
 */
export function orderEventSuite(backend: Backend) {
  const { jobs, queue } = recordingQueue();
  let storage: Storage | undefined;
  let graph: FakeGraph | undefined;
  let client: GraphClient | undefined;
  beforeAll(async () => {
    storage = await openTestStorage(backend);
    graph = await startFakeGraph(meta());
    client = new GraphClient({ baseUrl: graph.baseUrl, version: 'v23.0', maxRetries: 0 });
  });
  afterAll(async () => {
    await client?.close();
    await graph?.close();
    await storage?.close();
  });
  beforeEach(() => {
    graph!.script(meta());
    jobs.length = 0;
  });
  return {
    jobs,
    get storage() {
      return storage!;
    },
    get graph() {
      return graph!;
    },
    shop: () => seedOrderShop(storage!, client!, queue),
    sends: () => sendsTo(graph!),
  };
}
