// Paid marketing messages (Marketing Message API for Messenger): ad accounts with a system-user token,
// message campaigns (`act_{id}/message_campaign`) with the activation wait, direct sends
// (`act_{id}/messages` with a subscription token) with the 12 h per-token limit, the minimum
// conversation gap, the budget and spend, the delivery estimate, the four `marketing_message_*`
// webhooks driven by the simulated customers, and unsubscribe. Errors 2300000–2300005 and 2300052
// are Meta's; the others are knobs (src/sandbox/state-2026.ts, docs/SANDBOX.md).
import { DateTime } from 'luxon';
import { DAY } from '../clock.ts';
import { requireMarketing, requireMarketingRecipient } from './availability-2026.ts';
import type { SandboxCore } from './core.ts';
import { Errors, GraphError } from './errors.ts';
import { acceptPageMessage } from './page-message.ts';
import { validateMessage } from './rules.ts';
import type { AdAccount, MarketingSend, MessageCampaign } from './state-2026.ts';
import type { RecurringToken, SimCustomer, SimPage } from './types.ts';
import { parsed } from './utility-templates.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Business locations Meta lists for the API (EU countries, JP, KR, AU and UK are not among them). */
export const MM_BUSINESS_REGIONS = new Set(
  'AU BR CL CO HK IN ID IL MY MX NZ PE PH SA SG TW TH AE US VN'.split(' '),
);
export const MM_TEXT_MAX = 640;

const mm = (code: number, message: string) => new GraphError({ code, message });
export const MmErrors = {
  campaignInactive: () =>
    mm(
      2300000,
      'You cannot send a message unless the message campaign under which the message exists is active.',
    ),
  invalidMessageId: () =>
    mm(
      2300001,
      'The message ID you supplied is invalid. The message with this ID either does not exist, or you do not have the permission to access it.',
    ),
  messageSetInactive: () => mm(2300002, 'The message set under which the message exists is not active.'),
  notActiveYet: () =>
    mm(2300003, 'The message is not active yet. Please wait a few seconds after creating the campaign.'),
  invalidToken: () => mm(2300004, 'The subscription token you supplied is invalid.'),
  pageMismatch: () =>
    mm(2300005, 'PAGE_ID_MISMATCH: the subscription token belongs to a different Page than the campaign.'),
  conversationGap: () => mm(2300052, 'This person is not available right now.'),
};

const secs = (ms: number) => Math.floor(ms / 1000);
/** Graph times arrive as unix seconds (numbers or strings) or ISO 8601. */
function timeParam(v: unknown, name: string): number | null {
  if (v == null || v === '') return null;
  const n = Number(v);
  if (Number.isFinite(n)) return n * 1000;
  const t = Date.parse(String(v));
  if (Number.isNaN(t)) throw Errors.param(`Param ${name} must be a unix timestamp`);
  return t;
}
function budgetParam(v: unknown, name: string): number | null {
  if (v == null || v === '') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw Errors.param(`Param ${name} must be a positive integer (smallest unit)`);
  return n;
}

export function createAdAccount(core: SandboxCore, input: Obj): AdAccount {
  const m = core.state.m2026;
  const id = str(input.id)?.replace(/^act_/, '') ?? core.ids.chars(15, '0123456789').replace(/^0/, '1');
  if (m.adAccounts.has(id)) throw Errors.param(`ad account ${id} exists`);
  const primary = core.state.primary();
  const acct: AdAccount = {
    id,
    name: str(input.name) ?? `Sandbox ad account ${id}`,
    currency: str(input.currency) ?? m.policy.currency,
    systemUserToken: core.ids.token('EAAsystemuser'),
    pageIds: Array.isArray(input.pageIds) ? input.pageIds.map(String) : [primary.id],
  };
  m.adAccounts.set(id, acct);
  core.state.touch({ kind: 'm2026' });
  return acct;
}

export function createCampaign(core: SandboxCore, acct: AdAccount, p: Obj): Obj {
  const now = core.clock.now().getTime();
  const name = str(p.name);
  if (!name) throw Errors.param('The parameter name is required');
  const pageId = str(p.page_id);
  if (!pageId || !acct.pageIds.includes(pageId))
    throw Errors.param('Param page_id must be a Page connected to this ad account');
  const page = core.state.page(pageId);
  if (page) requireMarketing(core, page);
  if (!page || !MM_BUSINESS_REGIONS.has(page.region.toUpperCase()))
    throw new GraphError({
      code: 10,
      message: `(#10) Marketing messages are not available for businesses located in ${page?.region ?? '?'}`,
    });
  const daily = budgetParam(p.daily_budget, 'daily_budget');
  const lifetime = budgetParam(p.lifetime_budget, 'lifetime_budget');
  if (daily !== null && lifetime !== null)
    throw Errors.param('Only one of daily_budget and lifetime_budget may be set');
  const start = timeParam(p.start_time, 'start_time') ?? now;
  if (start < now - 60_000 || start > now + 30 * DAY)
    throw Errors.param('Param start_time must be between now and 30 days from now');
  let end = timeParam(p.end_time, 'end_time');
  if (end === null && lifetime !== null) end = start + 30 * DAY;
  if (end !== null && end <= start) throw Errors.param('Param end_time must be after start_time');
  const c: MessageCampaign = {
    id: core.ids.chars(17, '0123456789').replace(/^0/, '2'),
    adAccountId: acct.id,
    pageId,
    name,
    dailyBudget: daily,
    lifetimeBudget: lifetime,
    startTime: start,
    endTime: end,
    pixelId: str(p.pixel_id) ?? null,
    createdAt: now,
    activeAt: now + core.state.m2026.policy.activationWaitMs,
    status: 'ACTIVE',
    spend: 0,
    spendByDay: {},
  };
  core.state.m2026.campaigns.set(c.id, c);
  core.state.touch({ kind: 'm2026' });
  return { id: c.id };
}

export function campaignView(c: MessageCampaign): Obj {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    page_id: c.pageId,
    daily_budget: c.dailyBudget ?? undefined,
    lifetime_budget: c.lifetimeBudget ?? undefined,
    start_time: secs(c.startTime),
    end_time: c.endTime === null ? undefined : secs(c.endTime),
    pixel_id: c.pixelId ?? undefined,
    spend: c.spend,
    is_direct_send_campaign: true,
    is_message_campaign: true,
  };
}

export function updateCampaign(core: SandboxCore, c: MessageCampaign, method: string, p: Obj): Obj {
  if (method === 'DELETE') c.status = 'DELETED';
  else if (p.status === 'PAUSED' || p.status === 'ACTIVE') c.status = p.status;
  else throw Errors.param('Param status must be ACTIVE or PAUSED');
  core.state.touch({ kind: 'm2026' });
  return { success: true };
}

const dayOf = (page: SimPage, ms: number) =>
  DateTime.fromMillis(ms, { zone: page.timeZone }).toISODate() ?? 'day';

/** When the conversation last moved (either side), paid messages aside: for `min_conversation_gap_seconds`. */
function lastConversationAt(core: SandboxCore, c: SimCustomer): number {
  let last = c.lastInteractionAt?.getTime() ?? 0;
  for (const i of core.state.thread(c.psid))
    if (i.from === 'page' && !i.marketing) last = Math.max(last, Date.parse(i.at));
  return last;
}

/** `POST act_{id}/messages`: one paid message to one subscription token. */
export function sendMarketing(core: SandboxCore, acct: AdAccount, p: Obj): Obj {
  const m = core.state.m2026;
  const policy = m.policy;
  // Injected faults (/sandbox/faults) apply here as on the Send API, so retries can be tested.
  const fault = core.faults.draw();
  if (fault) throw fault;
  const now = core.clock.now().getTime();
  const campaign = m.campaigns.get(str(p.message_id) ?? '');
  if (!campaign || campaign.adAccountId !== acct.id || campaign.status === 'DELETED')
    throw MmErrors.invalidMessageId();
  if (
    campaign.status === 'PAUSED' ||
    now < campaign.startTime ||
    (campaign.endTime && now >= campaign.endTime)
  )
    throw MmErrors.campaignInactive();
  if (now < campaign.activeAt) throw MmErrors.notActiveYet();
  const delivery = parsed(p.messenger_delivery_data);
  const tokenValue = isObj(delivery) ? str(delivery.subscription_token) : undefined;
  const token: RecurringToken | undefined = core.state.recurringTokens.get(tokenValue ?? '');
  if (!token || token.stoppedAt) throw MmErrors.invalidToken();
  if (token.pageId !== campaign.pageId) throw MmErrors.pageMismatch();
  const page = core.state.page(campaign.pageId);
  const customer = core.state.customer(token.psid);
  if (!page || !customer) throw MmErrors.invalidToken();
  requireMarketing(core, page);
  requireMarketingRecipient(core, page);
  const message = parsed(p.message);
  const invalid = validateMessage(message);
  if (invalid) throw invalid;
  const text = (message as Obj).text;
  if (typeof text === 'string' && Array.from(text).length > MM_TEXT_MAX)
    throw Errors.param(`Length of param message[text] must be less than or equal to ${MM_TEXT_MAX}`);
  const last = m.lastSendOnToken(token.token);
  if (last && now - last.at < policy.tokenGapMs) throw Errors.fromKnob(policy.tokenGapError);
  const gap = Number(p.min_conversation_gap_seconds ?? 0);
  if (gap > 0 && now - lastConversationAt(core, customer) < gap * 1000) throw MmErrors.conversationGap();
  const day = dayOf(page, now);
  const price = policy.pricePerMessage;
  const spentToday = campaign.spendByDay[day] ?? 0;
  if (
    (campaign.lifetimeBudget !== null && campaign.spend + price > campaign.lifetimeBudget) ||
    (campaign.dailyBudget !== null && spentToday + price > campaign.dailyBudget)
  )
    throw Errors.fromKnob(policy.budgetSpentError);

  // Accepted. The simulated person's phone decides what happens next (knobs: the three rates).
  const delivered = !customer.blocked && core.ids.chance(policy.deliveryRate);
  const clicked = delivered && core.ids.chance(policy.clickRate);
  const read = delivered && (clicked || core.ids.chance(policy.readRate));
  const send: MarketingSend = {
    trackingId: uuid(core),
    campaignId: campaign.id,
    adAccountId: acct.id,
    pageId: page.id,
    token: token.token,
    psid: customer.psid,
    mid: core.ids.mid(),
    at: now,
    outcome: delivered ? 'DELIVERED' : 'FAILED',
    read: false,
    clicked: false,
    cost: delivered ? price : 0,
    message: message as Obj,
  };
  const index = m.addSend(send);
  core.state.touch({ kind: 'mmSend', index });
  if (delivered) {
    campaign.spend += price;
    campaign.spendByDay[day] = spentToday + price;
    acceptPageMessage(core, page, customer, {
      mid: send.mid,
      message: message as Obj,
      messagingType: null,
      tag: null,
      recipient: { kind: 'notification_messages_token', value: token.token },
      notificationType: null,
      marketing: { trackingId: send.trackingId, campaignId: campaign.id, token: token.token },
      silent: true,
    });
    emitMarketing(core, page, send, 'marketing_message_echoes');
    emitMarketing(core, page, send, 'marketing_message_deliveries');
    if (read) markRead(core, page, send);
    if (clicked) markClicked(core, page, send);
  } else {
    emitMarketing(core, page, send, 'marketing_message_delivery_failed', {
      error_message: customer.blocked ? "This person isn't available right now." : 'Unknown Error',
    });
  }
  core.state.touch({ kind: 'm2026' });
  return { success: true, marketing_message_tracking_id: send.trackingId };
}

function uuid(core: SandboxCore): string {
  const h = core.ids.chars(32, '0123456789abcdef');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

/** Meta's flat samples as `changes[]{field, value}` (the envelope is not printed: [I]). */
function emitMarketing(core: SandboxCore, page: SimPage, s: MarketingSend, field: string, extra: Obj = {}) {
  const base: Obj = {
    page_id: page.id,
    timestamp: core.clock.now().getTime(),
    messenger_subscription_token: s.token,
    message_id: s.campaignId,
  };
  let value: Obj;
  if (field === 'marketing_message_delivery_failed') {
    value = { app_id: page.appId, business_id: s.adAccountId, ...base, ...extra };
  } else {
    value = { recipient_id: s.psid, ...base };
    if (field !== 'marketing_message_clicks') value.marketing_message_tracking_id = s.trackingId;
    if (field === 'marketing_message_echoes' || field === 'marketing_message_deliveries') {
      value.app_id = page.appId;
      value.mid = s.mid;
    }
  }
  core.webhooks.emit(page.id, { change: { field, value } });
}

function touchSend(core: SandboxCore, s: MarketingSend): void {
  const index = core.state.m2026.marketingSends.lastIndexOf(s);
  if (index >= 0) core.state.touch({ kind: 'mmSend', index });
}

export function markRead(core: SandboxCore, page: SimPage, s: MarketingSend): void {
  if (s.read || s.outcome !== 'DELIVERED') return;
  s.read = true;
  emitMarketing(core, page, s, 'marketing_message_reads');
  touchSend(core, s);
}

export function markClicked(core: SandboxCore, page: SimPage, s: MarketingSend): void {
  if (s.outcome !== 'DELIVERED') return;
  markRead(core, page, s);
  s.clicked = true;
  emitMarketing(core, page, s, 'marketing_message_clicks');
  touchSend(core, s);
}

/** `GET act_{id}/message_delivery_estimate`: bounds from the page's live tokens, the rates and the price. */
export function deliveryEstimate(core: SandboxCore, acct: AdAccount, q: Obj): Obj {
  const promoted = parsed(q.promoted_object);
  const pageId = isObj(promoted) ? str(promoted.page_id) : undefined;
  if (!pageId || !acct.pageIds.includes(pageId))
    throw Errors.param('Param promoted_object must name a page_id connected to this ad account');
  const estimated = core.state.page(pageId);
  if (estimated) requireMarketing(core, estimated);
  const policy = core.state.m2026.policy;
  const now = core.clock.now().getTime();
  const live = core.state
    .recurringOfPage(pageId)
    .filter((t) => !t.stoppedAt)
    .filter((t) => {
      const last = core.state.m2026.lastSendOnToken(t.token);
      return !last || now - last.at >= policy.tokenGapMs;
    });
  const budget =
    budgetParam(q.lifetime_budget, 'lifetime_budget') ?? budgetParam(q.daily_budget, 'daily_budget');
  const price = policy.pricePerMessage;
  const cap = budget === null ? Number.POSITIVE_INFINITY : Math.floor(budget / price);
  const upper = Math.min(live.length, cap);
  const lower = Math.min(Math.floor(live.length * policy.deliveryRate * 0.8), cap);
  const all: Obj = {
    estimate_delivery_lower_bound: lower,
    estimate_delivery_upper_bound: upper,
    estimate_cost_lower_bound: lower * price,
    estimate_cost_upper_bound: upper * price,
  };
  const fields = str(q.fields)
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const row = fields?.length
    ? Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]]))
    : all;
  return { data: [row] };
}

/**
 * Meta subscribes people itself (click-to-Messenger ads, its own prompts): the token only shows in
 * `notification_message_tokens`, no optin webhook. One token per person and page: a live one is kept.
 */
export function subscribeFromAd(core: SandboxCore, c: SimCustomer): RecurringToken {
  const live = core.state.recurringOf(c.psid).find((t) => !t.stoppedAt && t.pageId === c.pageId);
  if (live) return live;
  const now = core.clock.now();
  const tok: RecurringToken = {
    token: core.ids.token('nmt_'),
    seq: core.state.nextTokenSeq(),
    pageId: c.pageId,
    psid: c.psid,
    title: 'Updates and promotions',
    payload: '',
    requestMid: '',
    frequency: 'DAILY',
    legacy: false,
    timezone: 'UTC',
    reoptin: null,
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
    stoppedAt: null,
    lastSentAt: null,
    nextEligibleAt: null,
    userTokenStatus: 'NOT_REFRESHED',
  };
  core.state.recurringTokens.set(tok.token, tok);
  core.state.touch({ kind: 'token', token: tok.token });
  return tok;
}

/** Stops a subscription token: it leaves the token list and paid sends answer 2300004. */
export function stopToken(core: SandboxCore, t: RecurringToken): void {
  if (t.stoppedAt) return;
  const now = core.clock.now();
  t.stoppedAt = now;
  t.updatedAt = now;
  core.state.touch({ kind: 'token', token: t.token });
}

/** `POST /{page-id}/messaging_customer_base/unsubscribe` with rows of psid or subscriber_token. */
export function unsubscribe(core: SandboxCore, page: SimPage, p: Obj): Obj {
  const data = parsed(p.data);
  if (!Array.isArray(data) || data.length === 0) throw Errors.param('The parameter data is required');
  let invalid = 0;
  for (const row of data) {
    const psid = isObj(row) ? str(row.psid) : undefined;
    const token = isObj(row) ? str(row.subscriber_token) : undefined;
    const tokens = core.state
      .recurringOfPage(page.id)
      .filter((t) => (psid !== undefined && t.psid === psid) || (token !== undefined && t.token === token));
    // Sandbox customers carry no phone number or email: such rows match nobody.
    if (tokens.length === 0) invalid += 1;
    for (const t of tokens) stopToken(core, t);
  }
  return { invalid_rows_count: invalid };
}
