// The documented sandbox API under /sandbox/… (JSON): configuration, clock, simulated customers,
// the log of accepted sends, fault knobs and the webhook delivery log. See docs/SANDBOX.md.
import type { FastifyInstance } from 'fastify';
import { isProfile, isValidTimeZone } from '../domain/platform.ts';
import type { SandboxCore } from './core.ts';
import { CARD_KINDS, type CustomerActions, customerView, SandboxError } from './customers.ts';
import { addDuration } from './duration.ts';
import type { FaultConfig, FaultErrorSpec } from './faults.ts';
import type { PageOptions, SimPage } from './types.ts';

interface Deps {
  core: SandboxCore;
  actions: CustomerActions;
  info(pageId?: string): unknown;
  addPage(page: Partial<PageOptions> & { id: string }): SimPage;
}

type Body = Record<string, unknown>;
type Q = { pageId?: string; psid?: string };

const bad = (msg: string) => new SandboxError(400, msg);
/** How long a tap by selector waits for the page's card to arrive (it follows the customer's message). */
const OPTIN_WAIT_MS = 10_000;

function applyConfig(page: SimPage, b: Body): void {
  if (b.webhookUrl !== undefined) {
    if (b.webhookUrl !== null && (typeof b.webhookUrl !== 'string' || !URL.canParse(b.webhookUrl))) {
      throw bad('webhookUrl must be an absolute URL or null');
    }
    page.webhookUrl = b.webhookUrl as string | null;
  }
  if (b.profile !== undefined) {
    if (!isProfile(b.profile)) throw bad('profile must be one of legacy-2022, 2023, 2025, 2026');
    page.profile = b.profile;
  }
  if (b.region !== undefined) page.region = String(b.region).toUpperCase();
  if (b.timeZone !== undefined) {
    if (typeof b.timeZone !== 'string' || !isValidTimeZone(b.timeZone))
      throw bad('timeZone must be an IANA zone');
    page.timeZone = b.timeZone;
  }
  if (b.name !== undefined) page.name = String(b.name);
  for (const k of ['optInFeatureEnabled', 'echoes', 'deliveries', 'requireAppSecretProof'] as const) {
    if (b[k] !== undefined) page[k] = Boolean(b[k]);
  }
  if (b.restricted !== undefined) {
    page.restricted = Boolean(b.restricted);
    page.restrictedReason = page.restricted
      ? String(b.restrictedReason ?? 'set through /sandbox/config')
      : null;
    if (!page.restricted) page.reports = 0;
  }
  for (const k of ['reportThreshold', 'rateLimitPerSecond'] as const) {
    if (b[k] !== undefined) {
      const n = Number(b[k]);
      if (!Number.isFinite(n) || n < 0) throw bad(`${k} must be a number ≥ 0`);
      page[k] = n;
    }
  }
}

export function registerCustomerRoutes(app: FastifyInstance, deps: Deps): void {
  const { core, actions } = deps;
  const { state, clock, faults, webhooks } = core;
  const pageOf = (q: Q) => {
    const p = state.page(q.pageId);
    if (!p) throw new SandboxError(404, `no page ${q.pageId}`);
    return p;
  };
  const body = (b: unknown): Body => (b && typeof b === 'object' ? (b as Body) : {});
  const psidOf = (p: unknown) => (p as { psid: string }).psid;

  app.get('/sandbox/info', async (req) => deps.info((req.query as Q).pageId));
  app.put('/sandbox/config', async (req) => {
    applyConfig(pageOf(req.query as Q), body(req.body));
    return deps.info((req.query as Q).pageId);
  });
  app.post('/sandbox/pages', async (req, reply) => {
    const b = body(req.body);
    if (typeof b.id !== 'string' || !b.id) throw bad('id is required');
    const page = deps.addPage(b as Partial<PageOptions> & { id: string });
    applyConfig(page, b);
    return reply.code(201).send(deps.info(page.id));
  });

  // --- clock ---
  app.get('/sandbox/clock', async () => ({ now: clock.now().toISOString() }));
  app.post('/sandbox/clock', async (req) => {
    const b = body(req.body);
    if (typeof b.advanceMs === 'number') clock.advance(b.advanceMs);
    else if (typeof b.advance === 'string') {
      try {
        clock.set(addDuration(clock.now(), b.advance));
      } catch (err) {
        throw bad((err as Error).message);
      }
    } else if (typeof b.set === 'string') {
      const at = new Date(b.set);
      if (Number.isNaN(at.getTime())) throw bad('set must be an ISO date-time');
      clock.set(at);
    } else throw bad('give one of advanceMs (number), advance ("8d", "3h", "2mo") or set (ISO date-time)');
    state.touch({ kind: 'meta' });
    return { now: clock.now().toISOString() };
  });

  // --- customers ---
  app.post('/sandbox/customers', async (req, reply) => {
    const b = body(req.body);
    try {
      const c = state.addCustomer(pageOf(req.query as Q).id, b, clock.now());
      return reply.code(201).send(customerView(c));
    } catch (err) {
      throw new SandboxError(409, (err as Error).message);
    }
  });
  app.get('/sandbox/customers', async (req) =>
    state.customersOf(pageOf(req.query as Q).id).map(customerView),
  );
  app.get('/sandbox/customers/:psid', async (req) => {
    const c = state.customer(psidOf(req.params));
    if (!c) throw new SandboxError(404, `no customer with psid ${psidOf(req.params)}`);
    return customerView(c);
  });
  app.get('/sandbox/customers/:psid/thread', async (req) => actions.thread(psidOf(req.params)));

  const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));
  const optinLatest = (psid: string, b: Body) => {
    if (b.latest === undefined && b.kind === undefined && b.title === undefined)
      throw bad('give messageId, or latest: true (optionally with kind "recurring" | "otn" and title)');
    if (b.latest !== undefined && b.latest !== true) throw bad('latest must be true');
    const kind = b.kind === undefined ? undefined : CARD_KINDS[str(b.kind)];
    if (b.kind !== undefined && !kind) throw bad('kind must be "recurring" or "otn"');
    if (b.title !== undefined && typeof b.title !== 'string') throw bad('title must be a string');
    const waitMs = b.waitMs === undefined ? OPTIN_WAIT_MS : Number(b.waitMs);
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > 60_000)
      throw bad('waitMs must be an integer from 0 to 60000');
    return actions.optinLatest(psid, { kind, title: b.title as string | undefined }, waitMs);
  };
  const act: Record<string, (psid: string, b: Body) => unknown> = {
    messages: (p, b) => actions.message(p, str(b.text)),
    postback: (p, b) => actions.postback(p, str(b.payload), str(b.title)),
    'quick-reply': (p, b) => actions.quickReply(p, str(b.payload), str(b.text)),
    react: (p, b) => actions.react(p, str(b.messageId), str(b.reaction) || 'like'),
    optin: (p, b) => (b.messageId !== undefined ? actions.optin(p, str(b.messageId)) : optinLatest(p, b)),
    stop: (p, b) =>
      actions.stopOrResume(p, { token: str(b.token) || undefined, title: str(b.title) || undefined }, true),
    resume: (p, b) =>
      actions.stopOrResume(p, { token: str(b.token) || undefined, title: str(b.title) || undefined }, false),
    mute: (p, b) => actions.mute(p, b.hours === undefined ? 8 : Number(b.hours)),
    report: (p) => actions.report(p),
    read: (p) => actions.read(p),
    block: (p) => actions.setBlocked(p, true),
    unblock: (p) => actions.setBlocked(p, false),
  };
  for (const [name, fn] of Object.entries(act)) {
    app.post(`/sandbox/customers/:psid/${name}`, async (req) => fn(psidOf(req.params), body(req.body)));
  }

  // --- accepted sends ---
  app.get('/sandbox/received', async (req) => {
    const q = req.query as Q;
    return state.received.filter(
      (r) => (!q.psid || r.psid === q.psid) && (!q.pageId || r.pageId === q.pageId),
    );
  });
  app.get('/sandbox/received/counts', async () => {
    const counts: Record<string, number> = {};
    for (const r of state.received) counts[r.psid] = (counts[r.psid] ?? 0) + 1;
    return counts;
  });
  app.delete('/sandbox/received', async () => {
    const cleared = state.received.length;
    state.received.length = 0;
    return { cleared };
  });

  // --- faults ---
  app.get('/sandbox/faults', async () => ({ ...faults.config, pendingOneShots: faults.pendingOneShots() }));
  app.put('/sandbox/faults', async (req) => faults.update(body(req.body) as Partial<FaultConfig>));
  app.delete('/sandbox/faults', async () => {
    faults.reset();
    return faults.config;
  });
  app.post('/sandbox/faults/next', async (req) => {
    const b = body(req.body);
    const err = b.error as FaultErrorSpec | undefined;
    if (!err || typeof err.code !== 'number') throw bad('error.code (number) is required');
    const count = b.count === undefined ? 1 : Number(b.count);
    if (!Number.isInteger(count) || count < 1) throw bad('count must be a positive integer');
    return { pending: faults.failNext(count, err) };
  });

  // --- webhook deliveries ---
  app.get('/sandbox/webhooks', async () => webhooks.log);
  app.delete('/sandbox/webhooks', async () => {
    const cleared = webhooks.log.length;
    webhooks.log.length = 0;
    return { cleared };
  });
  app.post('/sandbox/webhooks/flush', async () => {
    await webhooks.idle();
    return { idle: true, deliveries: webhooks.log.length };
  });
  app.post('/sandbox/webhooks/verify', async (req) => webhooks.verify(pageOf(req.query as Q).id));
}
