// Meta's Marketing Message API for Messenger (R14; notes §2.1–2.4): the ad account check, message
// campaigns, direct sends on `act_{id}/messages`, the delivery estimate and the unsubscribe call. Every
// call goes through the one GraphClient (pool, limiter, retries), with the ad account's system-user
// token in the query string as Meta's own SDK sends it.
import type { DeliveryEstimate } from '../domain/marketing-messages.ts';
import { GraphApiError, type GraphClient, type PageCredentials } from './graph-client.ts';
import { appSecretProof, type GraphFailure, type NotificationTokenInfo } from './graph-wire.ts';
import type { OutgoingMessage } from './messages.ts';

export interface AdAccountCredentials {
  /** Digits, without `act_`. */
  adAccountId: string;
  /** The system-user token. */
  accessToken: string;
}

export interface AdAccountInfo {
  id: string;
  name: string | null;
  currency: string;
  /** Meta's account_status: 1 = ACTIVE. */
  status: number | null;
}

type Answer<T> = { ok: true; value: T } | { ok: false; error: GraphFailure };

const act = (a: AdAccountCredentials) => `act_${encodeURIComponent(a.adAccountId)}`;
const key = (a: AdAccountCredentials) => `act_${a.adAccountId}`;

async function answer<T>(p: Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (e instanceof GraphApiError) return { ok: false, error: e.failure };
    throw e;
  }
}

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
const num = (v: unknown): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
};

export class MarketingApi {
  constructor(private readonly graph: GraphClient) {}

  /** GET act_{id}?fields=id,name,currency,account_status — the check on save (R14a). */
  async adAccount(a: AdAccountCredentials): Promise<Answer<AdAccountInfo>> {
    const r = await answer(
      this.graph.callWithToken<Record<string, unknown>>(key(a), a.accessToken, {
        method: 'GET',
        path: act(a),
        query: { fields: 'id,name,currency,account_status' },
      }),
    );
    if (!r.ok) return r;
    const b = r.value ?? {};
    return {
      ok: true,
      value: {
        id: str(b.id) ?? `act_${a.adAccountId}`,
        name: str(b.name),
        currency: str(b.currency) ?? 'USD',
        status: typeof b.account_status === 'number' ? b.account_status : null,
      },
    };
  }

  /** POST act_{id}/message_campaign (notes §2.1): a lifetime budget, or none (Meta may cap it). */
  async createMessageCampaign(
    a: AdAccountCredentials,
    c: { name: string; pageId: string; lifetimeBudgetMinor: number | null; startTime: Date },
  ): Promise<Answer<{ id: string }>> {
    const json: Record<string, unknown> = {
      name: c.name,
      page_id: c.pageId,
      start_time: Math.floor(c.startTime.getTime() / 1000),
    };
    if (c.lifetimeBudgetMinor !== null) json.lifetime_budget = c.lifetimeBudgetMinor;
    const r = await answer(
      this.graph.callWithToken<Record<string, unknown>>(key(a), a.accessToken, {
        method: 'POST',
        path: `${act(a)}/message_campaign`,
        json,
      }),
    );
    if (!r.ok) return r;
    const id = str(r.value?.id);
    if (!id) return { ok: false, error: { class: 'unknown', message: 'message_campaign answer has no id' } };
    return { ok: true, value: { id } };
  }

  /** POST act_{id}/messages (notes §2.2): one direct send on the customer's subscription token. */
  async send(
    a: AdAccountCredentials,
    s: {
      messageCampaignId: string;
      subscriptionToken: string;
      message: OutgoingMessage;
      minConversationGapSeconds: number;
    },
  ): Promise<Answer<{ trackingId: string | null }>> {
    const r = await answer(
      this.graph.callWithToken<Record<string, unknown>>(key(a), a.accessToken, {
        method: 'POST',
        path: `${act(a)}/messages`,
        json: {
          message_id: s.messageCampaignId,
          messenger_delivery_data: { subscription_token: s.subscriptionToken },
          message: s.message as unknown as Record<string, unknown>,
          min_conversation_gap_seconds: s.minConversationGapSeconds,
        },
      }),
    );
    if (!r.ok) return r;
    if (r.value?.success !== true) {
      return { ok: false, error: { class: 'unknown', message: 'marketing send answer is not a success' } };
    }
    return { ok: true, value: { trackingId: str(r.value.marketing_message_tracking_id) } };
  }

  /** GET act_{id}/message_delivery_estimate (notes §2.4): delivery and cost bounds, smallest unit. */
  async deliveryEstimate(
    a: AdAccountCredentials,
    e: { pageId: string; lifetimeBudgetMinor: number | null; lifetimeInDays: number },
  ): Promise<Answer<DeliveryEstimate>> {
    const query: Record<string, string | number | undefined> = {
      fields:
        'estimate_delivery_upper_bound,estimate_delivery_lower_bound,estimate_cost_upper_bound,estimate_cost_lower_bound',
      targeting_spec: JSON.stringify({
        messenger_positions: ['marketing_messages'],
        publisher_platforms: ['messenger'],
      }),
      promoted_object: JSON.stringify({ page_id: e.pageId }),
      lifetime_in_days: e.lifetimeInDays,
      pacing_type: 'no_pacing',
      is_direct_send_campaign: 'true',
    };
    if (e.lifetimeBudgetMinor !== null) query.lifetime_budget = e.lifetimeBudgetMinor;
    const r = await answer(
      this.graph.callWithToken<Record<string, unknown>>(key(a), a.accessToken, {
        method: 'GET',
        path: `${act(a)}/message_delivery_estimate`,
        query,
      }),
    );
    if (!r.ok) return r;
    const row = Array.isArray(r.value?.data)
      ? (r.value.data[0] as Record<string, unknown> | undefined)
      : undefined;
    if (!row) return { ok: false, error: { class: 'unknown', message: 'estimate answer has no data' } };
    return {
      ok: true,
      value: {
        deliveryLower: num(row.estimate_delivery_lower_bound),
        deliveryUpper: num(row.estimate_delivery_upper_bound),
        costLowerMinor: num(row.estimate_cost_lower_bound),
        costUpperMinor: num(row.estimate_cost_upper_bound),
      },
    };
  }

  /** R14b: Meta's subscription tokens of the page (GET /{page-id}/notification_message_tokens). */
  tokens(page: PageCredentials): AsyncGenerator<NotificationTokenInfo, void, undefined> {
    return this.graph.allNotificationTokens(page, { limit: 1000 });
  }

  /**
   * POST /{page-id}/messaging_customer_base/unsubscribe (notes §2.4) with the page's token: Meta sends
   * no opt-out webhook for these (R14e), so a stop in the product is told to Meta here.
   */
  async unsubscribe(
    page: PageCredentials,
    who: { psid?: string; subscriberToken?: string },
  ): Promise<Answer<{ invalidRows: number }>> {
    const data: Array<Record<string, string>> = [];
    if (who.psid) data.push({ psid: who.psid });
    if (who.subscriberToken) data.push({ subscriber_token: who.subscriberToken });
    const query: Record<string, string> = {};
    if (page.appSecret) query.appsecret_proof = appSecretProof(page.appSecret, page.accessToken);
    const r = await answer(
      this.graph.callWithToken<Record<string, unknown>>(page.pageId, page.accessToken, {
        method: 'POST',
        path: `${encodeURIComponent(page.pageId)}/messaging_customer_base/unsubscribe`,
        query,
        json: { data },
      }),
    );
    if (!r.ok) return r;
    return { ok: true, value: { invalidRows: num(r.value?.invalid_rows_count) } };
  }
}
