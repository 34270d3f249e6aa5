// The sandbox API for Messenger's 2026 products (JSON, under /sandbox/…): the policy knobs, ad accounts
// (the system-user token a business would get from Facebook Login for Business), template status
// changes Meta's review would make, the paid-message log, and what a person does with a paid message
// on the phone (read, click, "Stop these messages"). See docs/SANDBOX.md.
import type { FastifyInstance } from 'fastify';
import type { SandboxCore } from './core.ts';
import { type CustomerActions, SandboxError } from './customers.ts';
import { createAdAccount, markClicked, markRead, stopToken, subscribeFromAd } from './marketing.ts';
import { defaultPolicy, type Policy2026, type TemplateStatus } from './state-2026.ts';
import { setTemplateStatus } from './utility-templates.ts';

type Body = Record<string, unknown>;
const body = (b: unknown): Body => (b && typeof b === 'object' ? (b as Body) : {});
const bad = (msg: string) => new SandboxError(400, msg);
const RATES = ['deliveryRate', 'readRate', 'clickRate'] as const;
const COUNTS = ['activationWaitMs', 'pricePerMessage', 'tokenGapMs'] as const;
const STATUSES: TemplateStatus[] = ['APPROVED', 'PENDING', 'REJECTED', 'DISABLED', 'PAUSED'];

function isKnobError(v: unknown): boolean {
  const e = v as { code?: unknown; subcode?: unknown; message?: unknown } | null;
  return (
    !!e &&
    Number.isInteger(e.code) &&
    typeof e.message === 'string' &&
    (e.subcode === undefined || Number.isInteger(e.subcode))
  );
}

/** Merges a knob patch after checking all of it (a bad patch changes nothing). */
export function applyPolicy(current: Policy2026, b: Body): Policy2026 {
  const next: Policy2026 = { ...current, templateErrors: { ...current.templateErrors } };
  for (const k of RATES) {
    if (b[k] === undefined) continue;
    const n = Number(b[k]);
    if (!(n >= 0 && n <= 1)) throw bad(`${k} must be between 0 and 1`);
    next[k] = n;
  }
  for (const k of COUNTS) {
    if (b[k] === undefined) continue;
    const n = Number(b[k]);
    if (!Number.isInteger(n) || n < 0) throw bad(`${k} must be an integer ≥ 0`);
    next[k] = n;
  }
  if (b.currency !== undefined) next.currency = String(b.currency).toUpperCase();
  for (const k of ['otnUnavailable', 'optOutWebhook'] as const)
    if (b[k] !== undefined) next[k] = Boolean(b[k]);
  if (b.templateApproval !== undefined) {
    if (!['APPROVED', 'PENDING', 'REJECTED'].includes(String(b.templateApproval)))
      throw bad('templateApproval must be APPROVED, PENDING or REJECTED');
    next.templateApproval = b.templateApproval as Policy2026['templateApproval'];
  }
  if (b.templateRejectReason !== undefined) next.templateRejectReason = String(b.templateRejectReason);
  if (b.utilityRegions !== undefined) {
    const r = b.utilityRegions;
    if (r !== null && !(Array.isArray(r) && r.every((x) => typeof x === 'string' && /^[A-Za-z]{2}$/.test(x))))
      throw bad('utilityRegions must be a list of two-letter regions, or null');
    next.utilityRegions = r === null ? null : (r as string[]).map((x) => x.toUpperCase());
  }
  for (const k of [
    'otnUnavailableError',
    'tokenGapError',
    'budgetSpentError',
    'utilityUnavailableError',
    'marketingUnavailableError',
    'marketingRecipientRegionError',
  ] as const) {
    if (b[k] === undefined) continue;
    if (!isKnobError(b[k])) throw bad(`${k} must be {code, subcode?, message}`);
    next[k] = b[k] as Policy2026[typeof k];
  }
  if (b.recurringRegionError !== undefined) {
    if (b.recurringRegionError !== null && !isKnobError(b.recurringRegionError))
      throw bad('recurringRegionError must be {code, subcode?, message} or null');
    next.recurringRegionError = b.recurringRegionError as Policy2026['recurringRegionError'];
  }
  if (b.templateErrors !== undefined) {
    const te = body(b.templateErrors);
    for (const [k, v] of Object.entries(te)) {
      if (!(k in next.templateErrors)) throw bad(`templateErrors.${k} is not a knob`);
      if (!isKnobError(v)) throw bad(`templateErrors.${k} must be {code, subcode?, message}`);
      next.templateErrors[k as keyof Policy2026['templateErrors']] =
        v as Policy2026['templateErrors']['unknownTemplate'];
    }
  }
  return next;
}

export function registerRoutes2026(app: FastifyInstance, core: SandboxCore, actions: CustomerActions): void {
  const m = core.state.m2026;
  app.get('/sandbox/policy', async () => m.policy);
  app.put('/sandbox/policy', async (req) => {
    m.policy = applyPolicy(m.policy, body(req.body));
    core.state.touch({ kind: 'm2026' });
    return m.policy;
  });
  app.delete('/sandbox/policy', async () => {
    m.policy = defaultPolicy();
    core.state.touch({ kind: 'm2026' });
    return m.policy;
  });

  const accountView = (id: string) => {
    const a = m.adAccounts.get(id);
    if (!a) throw new SandboxError(404, `no ad account ${id}`);
    const campaigns = [...m.campaigns.values()].filter((c) => c.adAccountId === a.id);
    return {
      adAccountId: `act_${a.id}`,
      id: a.id,
      name: a.name,
      currency: a.currency,
      systemUserToken: a.systemUserToken,
      pageIds: a.pageIds,
      spend: campaigns.reduce((s, c) => s + c.spend, 0),
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, status: c.status, spend: c.spend })),
    };
  };
  app.post('/sandbox/ad-accounts', async (req, reply) => {
    const b = body(req.body);
    if (b.pageIds !== undefined) {
      if (!Array.isArray(b.pageIds) || b.pageIds.some((p) => !core.state.pages.has(String(p))))
        throw bad('pageIds must list pages of this sandbox');
    }
    const a = createAdAccount(core, b);
    return reply.code(201).send(accountView(a.id));
  });
  app.get('/sandbox/ad-accounts', async () => [...m.adAccounts.keys()].map(accountView));
  app.get('/sandbox/ad-accounts/:id', async (req) =>
    accountView(String((req.params as { id: string }).id).replace(/^act_/, '')),
  );

  app.get('/sandbox/templates', async (req) => {
    const q = req.query as { pageId?: string };
    return [...m.templates.values()].filter((t) => !q.pageId || t.pageId === q.pageId);
  });
  /** What Meta's review does later: approve, reject, disable or pause, with the status webhook. */
  app.post('/sandbox/templates/:id/status', async (req) => {
    const t = m.templates.get((req.params as { id: string }).id);
    if (!t) throw new SandboxError(404, 'no such template');
    const b = body(req.body);
    const status = String(b.status ?? '') as TemplateStatus;
    if (!STATUSES.includes(status)) throw bad(`status must be one of ${STATUSES.join(', ')}`);
    setTemplateStatus(core, t, status, typeof b.reason === 'string' ? b.reason : null);
    return t;
  });

  app.get('/sandbox/marketing/sends', async (req) => {
    const q = req.query as { psid?: string; campaignId?: string };
    return m.marketingSends.filter(
      (s) => (!q.psid || s.psid === q.psid) && (!q.campaignId || s.campaignId === q.campaignId),
    );
  });

  const paidMessage = (psid: string, b: Body) => {
    const s = m.marketingSends.find(
      (x) => x.psid === psid && (x.mid === b.mid || x.trackingId === b.trackingId),
    );
    if (s?.outcome !== 'DELIVERED') throw new SandboxError(404, 'no delivered paid message matches');
    const page = core.state.page(s.pageId);
    if (!page) throw new SandboxError(404, 'page gone');
    return { s, page };
  };
  app.post('/sandbox/customers/:psid/marketing/read', async (req) => {
    const { s, page } = paidMessage((req.params as { psid: string }).psid, body(req.body));
    markRead(core, page, s);
    return s;
  });
  app.post('/sandbox/customers/:psid/marketing/click', async (req) => {
    const { s, page } = paidMessage((req.params as { psid: string }).psid, body(req.body));
    markClicked(core, page, s);
    return s;
  });
  /** The person answered a click-to-Messenger ad: Meta subscribed them (token list only, no webhook). */
  app.post('/sandbox/customers/:psid/marketing/subscribe-from-ad', async (req, reply) => {
    const c = core.state.customer((req.params as { psid: string }).psid);
    if (!c) throw new SandboxError(404, 'no such customer');
    const t = subscribeFromAd(core, c);
    return reply.code(201).send({ token: t.token, title: t.title, psid: c.psid });
  });
  /** The "Stop these messages" link under a paid message: the person's subscription ends. */
  app.post('/sandbox/customers/:psid/marketing/stop', async (req) => {
    const psid = (req.params as { psid: string }).psid;
    const { s } = paidMessage(psid, body(req.body));
    const tok = core.state.recurringTokens.get(s.token);
    if (!tok) throw new SandboxError(404, 'token gone');
    // Meta's FAQ: "we currently do not send opt-out webhooks"; the knob sends the old STOP optin event.
    if (m.policy.optOutWebhook) return actions.stopOrResume(psid, { token: tok.token }, true);
    stopToken(core, tok);
    const c = core.state.customer(psid);
    if (c) {
      core.state.thread(psid).push({
        mid: core.ids.mid(),
        from: 'customer',
        at: core.clock.now().toISOString(),
        kind: 'stop',
        token: tok.token,
        text: tok.title,
      });
      core.state.touch({ kind: 'customer', psid });
    }
    return { token: tok.token, stopped: true };
  });
}
