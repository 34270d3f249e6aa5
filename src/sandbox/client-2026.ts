// The sandbox API client for Messenger's 2026 products (src/sandbox/routes-2026.ts): policy knobs,
// ad accounts with their system-user token, template review, the paid-message log, and a person's
// actions on a paid message. Same conventions as SandboxClient (errors as SandboxClientError).
import { SandboxClient } from './client.ts';
import type {
  MarketingSend,
  Policy2026,
  Policy2026Patch,
  SimTemplate,
  TemplateStatus,
} from './state-2026.ts';

export interface AdAccountView {
  adAccountId: string;
  id: string;
  name: string;
  currency: string;
  systemUserToken: string;
  pageIds: string[];
  spend: number;
  campaigns: Array<{ id: string; name: string; status: string; spend: number }>;
}

export class SandboxClient2026 extends SandboxClient {
  override forPage(pageId: string): SandboxClient2026 {
    return new SandboxClient2026(this.baseUrl, pageId);
  }
  policy(patch?: Policy2026Patch): Promise<Policy2026> {
    return patch ? this.call('PUT', '/sandbox/policy', patch) : this.call('GET', '/sandbox/policy');
  }
  resetPolicy(): Promise<Policy2026> {
    return this.call('DELETE', '/sandbox/policy');
  }
  /** An ad account connected to the given pages (default: the first page), with its system-user token. */
  createAdAccount(
    input: { id?: string; name?: string; currency?: string; pageIds?: string[] } = {},
  ): Promise<AdAccountView> {
    return this.call('POST', '/sandbox/ad-accounts', input);
  }
  adAccount(id: string): Promise<AdAccountView> {
    return this.call('GET', `/sandbox/ad-accounts/${encodeURIComponent(id)}`);
  }
  templates(): Promise<SimTemplate[]> {
    return this.call('GET', '/sandbox/templates');
  }
  /** Meta's review acting later: APPROVED, REJECTED, DISABLED or PAUSED, with the status webhook. */
  setTemplateStatus(id: string, status: TemplateStatus, reason?: string): Promise<SimTemplate> {
    return this.call('POST', `/sandbox/templates/${encodeURIComponent(id)}/status`, { status, reason });
  }
  marketingSends(q: { psid?: string; campaignId?: string } = {}): Promise<MarketingSend[]> {
    const qs = new URLSearchParams(q as Record<string, string>).toString();
    return this.call('GET', `/sandbox/marketing/sends${qs ? `?${qs}` : ''}`);
  }
  marketingRead(psid: string, mid: string): Promise<MarketingSend> {
    return this.call('POST', `/sandbox/customers/${psid}/marketing/read`, { mid });
  }
  marketingClick(psid: string, mid: string): Promise<MarketingSend> {
    return this.call('POST', `/sandbox/customers/${psid}/marketing/click`, { mid });
  }
  /** Meta subscribing the person from a click-to-Messenger ad: a token in the list, no webhook. */
  subscribeFromAd(psid: string): Promise<{ token: string; title: string; psid: string }> {
    return this.call('POST', `/sandbox/customers/${psid}/marketing/subscribe-from-ad`, {});
  }
  /** The "Stop these messages" link under a paid message. */
  marketingStop(psid: string, mid: string): Promise<{ token: string; stopped: boolean }> {
    return this.call('POST', `/sandbox/customers/${psid}/marketing/stop`, { mid });
  }
}
