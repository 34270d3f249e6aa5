// The phone's client of the sandbox API — same origin only (the page is served by the sandbox).
import type { CtaText, Frequency } from '../../src/api.ts';

export interface SimCustomer {
  psid: string;
  name: string;
  locale: string;
  lastInteractionAt: string | null;
  blocked: boolean;
  mutedUntil: string | null;
  reports: number;
}

export type OptInCardData =
  | { kind: 'one_time_notif_req'; title: string; payload: string; buttonText: string; taps: number }
  | {
      kind: 'notification_messages';
      title: string;
      payload: string;
      imageUrl: string | null;
      ctaText: CtaText;
      buttonText: string;
      frequency: Frequency | null;
      timezone: string;
      taps: number;
    };

export interface ThreadItem {
  mid: string;
  from: 'customer' | 'page';
  at: string;
  kind: string;
  text?: string;
  payload?: string;
  message?: SendApiMessage;
  tag?: string | null;
  via?: string;
  optInCard?: OptInCardData;
  muted?: boolean;
  token?: string;
  /** A utility template as Meta renders it (src/sandbox/utility-send.ts). */
  utility?: {
    name: string;
    header: string | null;
    body: string;
    buttons: Array<{ type: 'URL' | 'POSTBACK'; text: string; url?: string; payload?: string }>;
  };
  /** A paid marketing message: Messenger adds "Stop these messages" under it. */
  marketing?: { trackingId: string; campaignId: string; token: string };
}

export interface SendApiMessage {
  text?: string;
  quick_replies?: Array<{ content_type?: string; title?: string; payload?: string }>;
  attachment?: {
    type: string;
    payload?: {
      url?: string;
      template_type?: string;
      text?: string;
      buttons?: Array<{ type: string; title: string; payload?: string; url?: string }>;
      elements?: Array<{
        title?: string;
        subtitle?: string;
        image_url?: string;
        buttons?: Array<{ type: string; title: string; payload?: string; url?: string }>;
      }>;
    };
  };
}

export interface Holding {
  token: string;
  title: string;
  status?: string;
  stopped?: boolean;
  stoppedAt?: string | null;
  expiresAt?: string | null;
  [k: string]: unknown;
}

export interface Thread {
  customer: SimCustomer;
  page: { id: string; name: string };
  items: ThreadItem[];
  holdings: { oneTimeNotif: Holding[]; recurring: Holding[] };
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(json.error ?? res.statusText);
  return json;
}

const act = (psid: string, action: string, body: unknown = {}) =>
  call<unknown>('POST', `/sandbox/customers/${encodeURIComponent(psid)}/${action}`, body);

export const sandbox = {
  info: () =>
    call<{
      pageName: string;
      now: string;
      customers: Array<{ psid: string; name: string; lastInteractionAt: string | null }>;
    }>('GET', '/sandbox/info'),
  clock: () => call<{ now: string }>('GET', '/sandbox/clock'),
  advance: (advance: string) => call<{ now: string }>('POST', '/sandbox/clock', { advance }),
  thread: (psid: string) => call<Thread>('GET', `/sandbox/customers/${encodeURIComponent(psid)}/thread`),
  message: (psid: string, text: string) => act(psid, 'messages', { text }),
  postback: (psid: string, payload: string, title: string) => act(psid, 'postback', { payload, title }),
  quickReply: (psid: string, payload: string, text: string) => act(psid, 'quick-reply', { payload, text }),
  optin: (psid: string, messageId: string) => act(psid, 'optin', { messageId }),
  stop: (psid: string, token: string) => act(psid, 'stop', { token }),
  resume: (psid: string, token: string) => act(psid, 'resume', { token }),
  mute: (psid: string, hours: number) => act(psid, 'mute', { hours }),
  report: (psid: string) => act(psid, 'report'),
  read: (psid: string) => act(psid, 'read'),
  marketingClick: (psid: string, mid: string) => act(psid, 'marketing/click', { mid }),
  marketingStop: (psid: string, mid: string) => act(psid, 'marketing/stop', { mid }),
};
