// An accepted page message, whatever route it came by (Send API, utility template, paid marketing
// message): into the thread and the received log, then the echo and delivery webhooks.
import type { SandboxCore } from './core.ts';
import type {
  MessagingEvent,
  OptInCard,
  RecipientKind,
  RenderedTemplate,
  SimCustomer,
  SimPage,
  ThreadItem,
} from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface SendParams {
  recipient?: unknown;
  message?: unknown;
  messaging_type?: unknown;
  tag?: unknown;
  notification_type?: unknown;
  sender_action?: unknown;
  /** A doc quirk Meta tolerates: the utility `template` at the top level instead of in `message`. */
  template?: unknown;
}

export interface SendResult {
  recipient_id: string;
  message_id?: string;
}

export interface AcceptedMessage {
  mid: string;
  message: Obj;
  messagingType: string | null;
  tag: string | null;
  recipient: { kind: RecipientKind; value: string };
  notificationType: string | null;
  optInCard?: OptInCard;
  utility?: RenderedTemplate;
  marketing?: ThreadItem['marketing'];
  /** What the echo webhook carries instead of the message as sent (templates read back rendered). */
  echo?: Obj;
  /** Paid messages report delivery through `marketing_message_*` fields, not message echoes. */
  silent?: boolean;
}

/** An accepted page message: into the thread and the received log, then echo and delivery webhooks. */
export function acceptPageMessage(
  core: SandboxCore,
  page: SimPage,
  customer: SimCustomer,
  a: AcceptedMessage,
) {
  const { state, clock } = core;
  const now = clock.now();
  const at = now.toISOString();
  state.thread(customer.psid).push({
    mid: a.mid,
    from: 'page',
    at,
    kind: 'message',
    text: typeof a.message.text === 'string' ? a.message.text : undefined,
    message: a.message,
    messagingType: a.messagingType,
    tag: a.tag,
    via: a.recipient.kind,
    optInCard: a.optInCard,
    utility: a.utility,
    marketing: a.marketing,
    muted: customer.mutedUntil ? customer.mutedUntil.getTime() > now.getTime() : false,
    read: false,
  });
  state.received.push({
    pageId: page.id,
    recipient: a.recipient,
    psid: customer.psid,
    message: a.message,
    messaging_type: a.messagingType,
    tag: a.tag,
    notification_type: a.notificationType,
    message_id: a.mid,
    at,
  });
  state.touch({ kind: 'customer', psid: customer.psid });
  if (!a.silent) emitAfterSend(core, page, customer, a.mid, a.echo ?? a.message, now);
}

/** Echo (if the page's `echoes` knob is on) then delivery, as Meta sends them after a send. */
function emitAfterSend(
  core: SandboxCore,
  page: SimPage,
  customer: SimCustomer,
  mid: string,
  message: Obj,
  now: Date,
) {
  const timestamp = now.getTime();
  if (page.echoes) {
    const echo: Obj = { is_echo: true, app_id: Number(page.appId), mid };
    if (typeof message.metadata === 'string') echo.metadata = message.metadata;
    if (typeof message.text === 'string') echo.text = message.text;
    if (isObj(message.attachment)) echo.attachments = [message.attachment];
    if (Array.isArray(message.quick_replies)) echo.quick_replies = message.quick_replies;
    const ev: MessagingEvent = {
      sender: { id: page.id },
      recipient: { id: customer.psid },
      timestamp,
      message: echo,
    };
    core.webhooks.emit(page.id, ev);
  }
  if (page.deliveries) {
    core.webhooks.emit(page.id, {
      sender: { id: customer.psid },
      recipient: { id: page.id },
      timestamp,
      delivery: { mids: [mid], watermark: timestamp },
    });
  }
}
