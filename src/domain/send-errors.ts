// Classification of Graph API errors into what the product does about them (platform.md error table).
// Pure: the Graph client, the dispatcher and the sandbox tests all read this one table.

export type SendErrorClass =
  | 'outside_window' //           10/2018278: refuse, show the R1 reason, never retry
  | 'subscription_stopped' //     10/1893015: mark the subscription stopped
  | 'cooldown' //                 4/2018354: reschedule at the next eligible time
  | 'token_invalid' //            100: token dead, mark the subscription expired / used
  | 'duplicate_optin' //          613/1893016: mark the invitation refused (R4)
  | 'optin_limit' //              9/2018352: back off for that customer
  | 'page_restricted' //          10/1404170, 10/1893063: stop sending on the page (R11b)
  | 'customer_unreachable' //     551, 200/1545041, 10/2018108, 100/2018001: mark the customer unreachable
  | 'rate_limited' //             4, 613, 32: slow the page's sender, retry later
  | 'transient' //                1200, 2, 5xx, timeouts: retry with backoff, bounded
  | 'page_token_invalid' //       190: stop the page, ask to reconnect
  // Paid marketing messages, `act_{id}/messages` (R14) — Meta's MARKETING_MESSAGES_DIRECT table [M26 §2.2]:
  | 'marketing_campaign_inactive' // 2300000 campaign inactive, 2300002 message set inactive
  | 'marketing_campaign_invalid' //  2300001 invalid message id, 2300005 PAGE_ID_MISMATCH
  | 'marketing_not_ready' //         2300003 message not active yet (the wait after creating a campaign)
  | 'marketing_token_invalid' //     2300004 invalid subscription token
  | 'marketing_gap' //               2300052 "not available right now" (min_conversation_gap_seconds)
  // Utility template sends (R13): codes unpublished for Messenger, WhatsApp's assumed shared [I]:
  | 'template_not_sendable' //       132001 does not exist, 132015 paused, 132016 disabled
  | 'template_params_invalid' //     132000 parameter count, 132012 parameter format, 132005/132007 text
  | 'unknown'; //                 anything else: fail this message, do not retry

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  fbtrace_id?: string;
}

/** Transient and rate-limited errors are retried (bounded); every other class is final for that message. */
export const RETRYABLE: ReadonlySet<SendErrorClass> = new Set(['transient', 'rate_limited']);

/**
 * Meta's MARKETING_MESSAGES_DIRECT errors [M26 §2.2], the one table both the Send API classification
 * (`class`) and the paid route (`reason`, marketing-messages.ts) read. Meta prints the 23000xx codes
 * without their envelope, so whether they come in `code` or in `error_subcode` is not known
 * [M26 §6.3]: both are read. The FAQ names more send errors (the 12-hour and 90-day limits, no payment
 * method) without codes: those stay in the Send API rows (the sandbox answers the 12 h limit 4/2018354).
 */
export const MARKETING_ERRORS = {
  2300000: { class: 'marketing_campaign_inactive', reason: 'mm_campaign_inactive' },
  2300001: { class: 'marketing_campaign_invalid', reason: 'mm_invalid_message_id' },
  2300002: { class: 'marketing_campaign_inactive', reason: 'mm_message_set_inactive' },
  2300003: { class: 'marketing_not_ready', reason: 'mm_message_not_active' },
  2300004: { class: 'marketing_token_invalid', reason: 'mm_invalid_subscription_token' },
  2300005: { class: 'marketing_campaign_invalid', reason: 'mm_page_id_mismatch' },
  2300052: { class: 'marketing_gap', reason: 'mm_conversation_gap' },
} as const satisfies Record<number, { class: SendErrorClass; reason: `mm_${string}` }>;

export type MarketingErrorCode = keyof typeof MARKETING_ERRORS;

/** The 23000xx row an error carries, `code` first, then `error_subcode`; null when it is none of them. */
export function marketingErrorCode(err: GraphErrorBody | null | undefined): MarketingErrorCode | null {
  for (const v of [err?.code, err?.error_subcode]) {
    if (v !== undefined && v in MARKETING_ERRORS) return v as MarketingErrorCode;
  }
  return null;
}

/**
 * R12f: Meta's answer that OTN is unavailable for the page. Meta announces nothing for OTN and
 * publishes no code for this [M26 §1.1, §6.2]: read as a permission refusal (code 10) without a known
 * subcode to an OTN request or an OTN-token send [I] — the sandbox's `otnUnavailableError` default.
 */
export function otnUnavailableAnswer(err: Pick<GraphErrorBody, 'code' | 'error_subcode'>): boolean {
  return err.code === 10 && err.error_subcode === undefined;
}

/**
 * Meta's Messenger utility page documents rejection reasons for template creation, but no send error
 * codes. These are the WhatsApp Cloud API's template codes, on the guess that Messenger's template
 * stack answers the same [I]; the sandbox uses them as its defaults.
 */
const TEMPLATE_CODES: Record<number, SendErrorClass> = {
  132000: 'template_params_invalid',
  132001: 'template_not_sendable',
  132005: 'template_params_invalid',
  132007: 'template_params_invalid',
  132012: 'template_params_invalid',
  132015: 'template_not_sendable',
  132016: 'template_not_sendable',
};

function byTable(table: Record<number, SendErrorClass>, ...values: Array<number | undefined>) {
  for (const v of values) if (v !== undefined && table[v]) return table[v];
  return undefined;
}

/**
 * Subcodes first (they are more specific than codes), then bare codes, then HTTP status. The order of
 * the checks is the order of the rows in platform.md where a code appears on several rows (4, 10, 613).
 */
export function classifySendError(
  err: GraphErrorBody | null | undefined,
  httpStatus?: number,
): SendErrorClass {
  const code = err?.code;
  const sub = err?.error_subcode;
  const mm = marketingErrorCode(err);
  if (mm !== null) return MARKETING_ERRORS[mm].class;
  const special = byTable(TEMPLATE_CODES, sub, code);
  if (special) return special;
  if (code === 10 && sub === 2018278) return 'outside_window';
  if (code === 10 && sub === 1893015) return 'subscription_stopped';
  if (code === 4 && sub === 2018354) return 'cooldown';
  if (code === 613 && sub === 1893016) return 'duplicate_optin';
  if (code === 9 && sub === 2018352) return 'optin_limit';
  if (code === 10 && (sub === 1404170 || sub === 1893063)) return 'page_restricted';
  if (
    code === 551 ||
    (code === 200 && sub === 1545041) ||
    (code === 10 && sub === 2018108) ||
    // "No matching user found": the PSID is wrong or gone — the person, not a token, is the problem.
    (code === 100 && sub === 2018001)
  ) {
    return 'customer_unreachable';
  }
  if (code === 190) return 'page_token_invalid';
  if (code === 100) return 'token_invalid';
  if (code === 4 || code === 613 || code === 32) return 'rate_limited';
  if (code === 1200 || code === 2) return 'transient';
  if (code === undefined && (httpStatus === undefined || httpStatus >= 500 || httpStatus === 429)) {
    return httpStatus === 429 ? 'rate_limited' : 'transient';
  }
  if (httpStatus !== undefined && httpStatus >= 500) return 'transient';
  return 'unknown';
}
