// Sending through the utility route (R12c, R13): a template filled in with its parameters, or — inside
// 24 h — its text as an ordinary reply, so the customer hears one voice. Used by order events and by an
// agent in the inbox; never by a campaign or the chat assistant (R13d).
import { credentials, type GraphFailure, textMessage } from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import { assertUtilitySender, planOrderEvent } from '../domain/order-events.ts';
import { asPlainText, fillTemplate } from '../domain/utility-templates.ts';
import * as messages from '../storage/messages.ts';
import type { CustomerRow, PageRow, TemplateRow } from '../storage/schema.ts';
import { type MessagingContext, sendOrdinary } from './messaging.ts';
import { loadConversation } from './sends.ts';
import { loadTemplate, type TemplateContext, templatePort } from './templates.ts';

export type UtilityContext = MessagingContext & TemplateContext;

export type UtilitySendResult =
  | { ok: true; route: 'reply' | 'utility'; messageId: string; text: string }
  | { ok: false; stage: 'rules'; reason: string; detail?: string }
  | { ok: false; stage: 'graph'; error: GraphFailure };

export function templateForSend(t: TemplateRow) {
  return {
    status: t.status,
    headerText: t.header_text,
    bodyText: t.body_text,
    parameters: t.parameters,
  };
}

/**
 * One send on the utility route: the plan (reply inside 24 h, the approved template after, or the
 * refusal), then Graph, then the message recorded in the conversation.
 */
export async function sendUtility(
  ctx: UtilityContext,
  req: {
    page: PageRow;
    customer: CustomerRow;
    template: TemplateRow;
    values: Record<string, string>;
    sender: 'agent' | 'order_event';
  },
): Promise<UtilitySendResult> {
  assertUtilitySender(req.sender);
  const plan = planOrderEvent({
    now: ctx.clock.now(),
    customer: {
      lastInteractionAt: req.customer.last_interaction_at,
      unreachable: req.customer.unreachable_reason !== null,
    },
    template: templateForSend(req.template),
    values: req.values,
  });
  if (plan.route === 'refused')
    return { ok: false, stage: 'rules', reason: plan.reason, detail: plan.detail };
  if (plan.route === 'reply') {
    const out = await sendOrdinary(ctx, {
      workspaceId: req.page.workspace_id,
      customerId: req.customer.id,
      sender: req.sender === 'agent' ? 'agent' : 'bot',
      message: textMessage(plan.text),
    });
    if (out.ok) return { ok: true, route: 'reply', messageId: out.messageId, text: plan.text };
    return out.stage === 'rules'
      ? { ok: false, stage: 'rules', reason: out.reason }
      : { ok: false, stage: 'graph', error: out.error };
  }
  const t = req.template;
  const sent = await templatePort(ctx).send(
    credentials(req.page),
    req.customer.psid,
    {
      name: t.name,
      language: t.language,
      headerText: t.header_text,
      bodyText: t.body_text,
      parameterFormat: t.parameter_format,
      parameters: t.parameters,
    },
    plan.values,
  );
  if (!sent.ok) return { ok: false, stage: 'graph', error: sent.error };
  const filled = fillTemplate(templateForSend(t), plan.values);
  const text = filled.ok ? asPlainText(filled) : t.body_text;
  await messages.insertMessage(ctx.db, {
    workspaceId: req.page.workspace_id,
    pageId: req.page.id,
    customerId: req.customer.id,
    direction: 'out',
    senderKind: req.sender === 'agent' ? 'agent' : 'bot',
    kind: 'utility_template',
    mid: sent.messageId,
    text,
    payload: { template: { id: t.id, name: t.name, language: t.language }, values: plan.values },
    at: ctx.clock.now(),
  });
  return { ok: true, route: 'utility', messageId: sent.messageId, text };
}

/**
 * Item 3 of issue 14: an agent picks an approved template in the inbox and fills its parameters. Inside
 * 24 h the filled text goes as a normal reply. A refusal is an error the composer shows.
 */
export async function sendTemplateFromInbox(
  ctx: UtilityContext,
  workspaceId: number,
  customerId: number,
  input: { templateId: number; values: Record<string, string> },
): Promise<{ route: 'reply' | 'utility'; messageId: string; text: string }> {
  const { page, customer } = await loadConversation(ctx.db, workspaceId, customerId);
  const template = await loadTemplate(ctx, workspaceId, input.templateId);
  if (template.page_id !== page.id) {
    throw new DomainError('template_not_found', `No template ${input.templateId} on this page.`);
  }
  const r = await sendUtility(ctx, { page, customer, template, values: input.values, sender: 'agent' });
  if (r.ok) return r;
  if (r.stage === 'graph') {
    throw new DomainError('send_refused', r.error.message, { graphClass: r.error.class });
  }
  if (r.reason === 'missing_parameter') {
    throw new DomainError('missing_parameter', `Fill in: ${r.detail ?? ''}.`, {
      missing: r.detail?.split(','),
    });
  }
  if (r.reason === 'template_not_approved') {
    throw new DomainError(
      'template_not_approved',
      `Template ${template.name} is ${template.status} at Meta.`,
    );
  }
  throw new DomainError('send_refused', r.reason, { reason: r.reason });
}
