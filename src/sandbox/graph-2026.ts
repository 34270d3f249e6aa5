// Graph paths of Messenger's 2026 products, tried before the classic ones (src/sandbox/graph.ts):
// utility templates (library, page templates, one template) and paid marketing messages (ad account
// edges, one campaign, unsubscribe). These accept a page token or an ad account's system-user token.
import { createHmac } from 'node:crypto';
import { requireUtility } from './availability-2026.ts';
import type { SandboxCore } from './core.ts';
import { Errors } from './errors.ts';
import type { GraphCall, GraphResult } from './graph-types.ts';
import {
  campaignView,
  createCampaign,
  deliveryEstimate,
  sendMarketing,
  unsubscribe,
  updateCampaign,
} from './marketing.ts';
import type { AdAccount } from './state-2026.ts';
import type { SimPage } from './types.ts';
import {
  createTemplate,
  deleteTemplates,
  editTemplate,
  getTemplate,
  libraryAnswer,
  listTemplates,
} from './utility-templates.ts';

interface Caller {
  page?: SimPage;
  adAccount?: AdAccount;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const ok = (body: unknown): GraphResult => ({ status: 200, body });

function caller(core: SandboxCore, call: GraphCall, inheritedToken?: string): Caller {
  const bearer = call.authorization?.match(/^(?:Bearer|OAuth)\s+(.+)$/i)?.[1];
  const token = str(call.query.access_token) ?? str(call.body.access_token) ?? bearer ?? inheritedToken;
  if (!token) throw Errors.tokenMissing();
  const page = core.state.pageByAccessToken(token);
  if (page) {
    // Same rule as the classic paths: a present proof must match; "Require App Secret" needs one.
    const proof = str(call.query.appsecret_proof) ?? str(call.body.appsecret_proof);
    if (proof !== undefined && proof !== createHmac('sha256', page.appSecret).update(token).digest('hex'))
      throw Errors.badProof();
    if (proof === undefined && page.requireAppSecretProof && !inheritedToken) throw Errors.proofRequired();
    return { page };
  }
  const adAccount = core.state.m2026.adAccountByToken(token);
  if (adAccount) return { adAccount };
  throw Errors.tokenInvalid();
}

/** The ad account the caller may use: its own system-user token, or a token of a connected page. */
function account(core: SandboxCore, who: Caller, id: string): AdAccount {
  const acct = core.state.m2026.adAccounts.get(id);
  if (!acct) throw Errors.noObject(`act_${id}`);
  if (who.adAccount?.id === acct.id) return acct;
  if (who.page && acct.pageIds.includes(who.page.id)) return acct;
  throw Errors.noObject(`act_${id}`);
}

/** Pages an ad account's system user may act for; a page token acts for its own page. */
function pageFor(core: SandboxCore, who: Caller, id: string): SimPage | null {
  if (who.page) return id === 'me' || id === who.page.id ? who.page : null;
  const page = core.state.page(id);
  return page && who.adAccount?.pageIds.includes(page.id) ? page : null;
}

/** Returns null when the path is not one of these (the classic router takes it). */
export function route2026(core: SandboxCore, call: GraphCall, inheritedToken?: string): GraphResult | null {
  const seg = call.path.split('/').filter(Boolean);
  const method = call.method.toUpperCase();
  const [id = '', edge, sub, ...rest] = seg;
  const m = core.state.m2026;
  const p = { ...call.query, ...call.body };
  const template = edge === undefined ? m.templates.get(id) : undefined;
  const campaign = edge === undefined ? m.campaigns.get(id) : undefined;
  const act = id.match(/^act_(\d+)$/)?.[1];
  const known =
    (id === 'message_template_library' && edge === undefined) ||
    edge === 'message_templates' ||
    (edge === 'messaging_customer_base' && sub === 'unsubscribe') ||
    act !== undefined ||
    template !== undefined ||
    campaign !== undefined;
  if (!known || rest.length > 0) return null;
  const who = caller(core, call, inheritedToken);

  if (id === 'message_template_library') {
    if (method !== 'GET') throw Errors.unknownPath(`/${call.path}`);
    return ok(libraryAnswer(call.query));
  }
  if (edge === 'message_templates' && sub === undefined) {
    const page = pageFor(core, who, id);
    if (!page) throw Errors.noObject(id);
    requireUtility(core, page);
    if (method === 'GET') return ok(listTemplates(core, page, call.query));
    if (method === 'POST') return ok(createTemplate(core, page, p));
    return ok(deleteTemplates(core, page, p));
  }
  if (edge === 'messaging_customer_base') {
    const page = pageFor(core, who, id);
    if (!page) throw Errors.noObject(id);
    if (method !== 'POST') throw Errors.unknownPath(`/${call.path}`);
    return ok(unsubscribe(core, page, p));
  }
  if (template) {
    const page = pageFor(core, who, template.pageId);
    if (!page) throw Errors.noObject(id);
    requireUtility(core, page);
    if (method === 'GET') return ok(getTemplate(template));
    if (method === 'POST') return ok(editTemplate(core, template, p));
    m.templates.delete(template.id);
    core.state.touch({ kind: 'm2026' });
    return ok({ success: true });
  }
  if (campaign) {
    account(core, who, campaign.adAccountId);
    if (method === 'GET') return ok(campaignView(campaign));
    return ok(updateCampaign(core, campaign, method, p));
  }
  if (act !== undefined && sub === undefined) {
    const acct = account(core, who, act);
    if (edge === undefined && method === 'GET')
      return ok({ id: `act_${acct.id}`, account_id: acct.id, name: acct.name, currency: acct.currency });
    if (edge === 'message_campaign' && method === 'POST') {
      if (!who.adAccount) throw Errors.param('Creating a message campaign needs the system-user token');
      return ok(createCampaign(core, acct, p));
    }
    if (edge === 'messages' && method === 'POST') {
      return ok(sendMarketing(core, acct, p));
    }
    if (edge === 'message_delivery_estimate' && method === 'GET')
      return ok(deliveryEstimate(core, acct, call.query));
  }
  throw Errors.unknownPath(`/${call.path}`);
}
