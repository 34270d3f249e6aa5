// The Send API (`POST /{version}/me/messages`), shared by direct calls and Graph batch items.
// Order of checks: rate limit → injected faults → parameters → recipient → page → person → the
// rule of the recipient kind (window, OTN token, recurring token). Accepted sends are recorded,
// put in the thread, and answered by echo and delivery webhooks.
import type { SandboxCore } from './core.ts';
import { Errors, type GraphError } from './errors.ts';
import { acceptPageMessage, type SendParams, type SendResult } from './page-message.ts';
import {
  checkOptInRequest,
  checkOtnToken,
  checkRecurringToken,
  checkWindow,
  markRecurringSent,
  optInTemplateOf,
  validateMessage,
  validateTypeAndTag,
} from './rules.ts';
import type { OptInCard, RecipientKind, SimCustomer, SimPage } from './types.ts';
import { sendUtilityTemplate, templateOfSend } from './utility-send.ts';

export type { SendParams, SendResult } from './page-message.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The knob that makes Meta answer "unavailable" to every OTN request and send. */
export function otnPolicy(core: SandboxCore): GraphError | null {
  const p = core.state.m2026.policy;
  return p.otnUnavailable ? Errors.fromKnob(p.otnUnavailableError) : null;
}

function fail(err: GraphError | null): void {
  if (err) throw err;
}

export function parseRecipient(recipient: unknown): { kind: RecipientKind; value: string } {
  if (!isObj(recipient)) throw Errors.param('param recipient must be a JSON object');
  for (const kind of ['id', 'one_time_notif_token', 'notification_messages_token'] as const) {
    const v = recipient[kind];
    if (typeof v === 'string' && v !== '') return { kind, value: v };
    if (typeof v === 'number') return { kind, value: String(v) };
  }
  throw Errors.param(
    'param recipient must have one of id, one_time_notif_token, notification_messages_token',
  );
}

export function performSend(core: SandboxCore, page: SimPage, params: SendParams): SendResult {
  const { state, clock } = core;
  if (!core.limiter.take(page.id, page.rateLimitPerSecond)) throw Errors.rateLimited();
  fail(core.faults.draw());
  const now = clock.now();
  const recipient = parseRecipient(params.recipient);
  const messagingType = params.messaging_type ?? null;
  // A tag only counts with messaging_type MESSAGE_TAG (or none, as old clients send it).
  const tag =
    params.tag != null && (messagingType === null || messagingType === 'MESSAGE_TAG') ? params.tag : null;
  fail(validateTypeAndTag(page.profile, messagingType, params.tag ?? null));

  let customer: SimCustomer | undefined;
  const otn = recipient.kind === 'one_time_notif_token' ? state.otnTokens.get(recipient.value) : undefined;
  const nm =
    recipient.kind === 'notification_messages_token' ? state.recurringTokens.get(recipient.value) : undefined;
  if (recipient.kind === 'id') {
    customer = state.customer(recipient.value);
    if (!customer || customer.pageId !== page.id) throw Errors.noUser();
  } else if (recipient.kind === 'one_time_notif_token') {
    if (!otn || otn.pageId !== page.id) throw Errors.otnInvalid();
    customer = state.customer(otn.psid);
  } else {
    if (!nm || nm.pageId !== page.id) throw Errors.nmInvalid();
    customer = state.customer(nm.psid);
  }
  if (!customer) throw Errors.noUser();

  if (params.sender_action != null) {
    // typing_on / typing_off / mark_seen: nothing to show, but the window still applies.
    if (customer.blocked) throw Errors.blocked();
    if (recipient.kind === 'id') fail(checkWindow(customer, now, tag));
    return { recipient_id: customer.psid };
  }

  const utility = templateOfSend(params);
  if (utility) return sendUtilityTemplate(core, page, customer, recipient, utility, messagingType);
  if (messagingType === 'UTILITY') throw Errors.param('messaging_type UTILITY is only for message.template');
  fail(validateMessage(params.message));
  const message = params.message as Obj;
  const tpl = optInTemplateOf(message, page.profile);
  if (tpl) {
    if (recipient.kind !== 'id') throw Errors.param('Opt-in requests must be sent to recipient.id');
    fail(checkOptInRequest(state, page, customer, tpl, now));
  } else {
    if (page.restricted) throw Errors.pageRestricted();
    if (customer.blocked) throw Errors.blocked();
    if (recipient.kind === 'id') fail(checkWindow(customer, now, tag));
    else if (otn) fail(otnPolicy(core) ?? checkOtnToken(otn, now));
    else if (nm) fail(checkRecurringToken(page, nm, now, state.m2026.policy));
  }

  // Accepted: from here on nothing may fail.
  const mid = core.ids.mid();
  if (otn) otn.usedAt = now;
  if (nm) markRecurringSent(page, nm, now);
  let optInCard: OptInCard | undefined;
  if (tpl) {
    state.optInRequests.push({
      pageId: page.id,
      psid: customer.psid,
      templateType: tpl.templateType,
      title: tpl.title,
      at: now,
      mid,
    });
    optInCard =
      tpl.templateType === 'one_time_notif_req'
        ? {
            kind: 'one_time_notif_req',
            title: tpl.title,
            payload: tpl.payload,
            buttonText: 'Notify Me',
            taps: 0,
          }
        : {
            kind: 'notification_messages',
            title: tpl.title,
            payload: tpl.payload,
            imageUrl: tpl.imageUrl,
            imageAspectRatio: tpl.imageAspectRatio,
            ctaText: tpl.ctaText,
            buttonText: tpl.ctaLabel,
            frequency: tpl.frequency,
            timezone: tpl.timezone ?? 'UTC',
            reoptin: tpl.reoptin,
            taps: 0,
          };
  }
  acceptPageMessage(core, page, customer, {
    mid,
    message,
    messagingType: typeof messagingType === 'string' ? messagingType : null,
    tag: typeof tag === 'string' ? tag : null,
    recipient,
    notificationType: typeof params.notification_type === 'string' ? params.notification_type : null,
    optInCard,
  });
  if (otn) state.touch({ kind: 'token', token: otn.token });
  if (nm) state.touch({ kind: 'token', token: nm.token });
  return { recipient_id: customer.psid, message_id: mid };
}
