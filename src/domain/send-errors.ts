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
 * Subcodes first (they are more specific than codes), then bare codes, then HTTP status. The order of
 * the checks is the order of the rows in platform.md where a code appears on several rows (4, 10, 613).
 */
export function classifySendError(
  err: GraphErrorBody | null | undefined,
  httpStatus?: number,
): SendErrorClass {
  const code = err?.code;
  const sub = err?.error_subcode;
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
