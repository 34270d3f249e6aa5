// A utility template send through the Send API: `message.template{name, language{code}, components}`
// (or the doc quirk with `template` at the top level), `messaging_type: "UTILITY"` or none. Meta's
// checks: the template exists for the page and language, it is APPROVED, every parameter is known
// and none is missing. Utility templates go outside the 24 h window; that is their point.
import { requireUtility } from './availability-2026.ts';
import type { SandboxCore } from './core.ts';
import { Errors } from './errors.ts';
import { acceptPageMessage, type SendParams, type SendResult } from './page-message.ts';
import type { SimTemplate } from './state-2026.ts';
import type { RecipientKind, RenderedTemplate, SimCustomer, SimPage } from './types.ts';
import { paramsOf, parsed } from './utility-templates.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

export function templateOfSend(params: SendParams): Obj | null {
  const message = parsed(params.message);
  if (isObj(message) && isObj(message.template)) return message.template;
  const top = parsed(params.template);
  return isObj(top) ? top : null;
}

const fill = (text: string, values: Map<string, string>) =>
  text.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_m, n: string) => values.get(n) ?? '');

/** Checks the parameters against the template and renders it, or throws Meta's (knob) error. */
export function renderTemplate(core: SandboxCore, t: SimTemplate, components: unknown): RenderedTemplate {
  const errs = core.state.m2026.policy.templateErrors;
  const list = Array.isArray(components) ? components.filter(isObj) : [];
  const comp = (type: string) => list.find((c) => String(c.type).toLowerCase() === type);
  const values = (kind: 'header' | 'body', text: string | null): Map<string, string> => {
    const wanted = paramsOf(text);
    const given = comp(kind);
    const params = given && Array.isArray(given.parameters) ? given.parameters.filter(isObj) : [];
    const out = new Map<string, string>();
    params.forEach((p, i) => {
      const name = t.parameterFormat === 'NAMED' ? str(p.parameter_name) : String(i + 1);
      if (name === undefined || !wanted.includes(name)) throw Errors.fromKnob(errs.unknownParameter);
      out.set(name, str(p.text) ?? '');
    });
    if (wanted.some((n) => !out.has(n))) throw Errors.fromKnob(errs.missingParameter);
    return out;
  };
  const headerText = t.header?.format === 'TEXT' ? t.header.text : null;
  const header = headerText ? fill(headerText, values('header', headerText)) : null;
  const body = fill(t.body, values('body', t.body));
  // Button URL suffixes and postback payloads stay positional ({{1}}), one value per dynamic button.
  const given = comp('buttons') ?? comp('button');
  const buttonParams = given && Array.isArray(given.parameters) ? given.parameters.filter(isObj) : [];
  let next = 0;
  const buttons = t.buttons.map((b) => {
    const dynamic = paramsOf(b.type === 'URL' ? b.url : b.payload).length > 0;
    if (!dynamic) return { ...b };
    const p = buttonParams[next++];
    const value = p ? (str(p.url) ?? str(p.payload) ?? str(p.text)) : undefined;
    if (value === undefined) throw Errors.fromKnob(errs.missingParameter);
    const v = new Map([['1', value]]);
    return b.type === 'URL'
      ? { ...b, url: fill(b.url ?? '', v) }
      : { ...b, payload: fill(b.payload ?? '', v) };
  });
  if (next < buttonParams.length) throw Errors.fromKnob(errs.unknownParameter);
  return { templateId: t.id, name: t.name, language: t.language, header, body, buttons };
}

/** How a rendered template reads back (echo): body-only as text, else a generic-template card. */
function echoOf(r: RenderedTemplate): Obj {
  if (!r.header && r.buttons.length === 0) return { text: r.body };
  const buttons = r.buttons.map((b) =>
    b.type === 'URL'
      ? { type: 'web_url', title: b.text, url: b.url }
      : { type: 'postback', title: b.text, payload: b.payload },
  );
  return {
    attachment: {
      type: 'template',
      payload: {
        template_type: 'generic',
        elements: [{ title: r.header ?? r.body, subtitle: r.header ? r.body : undefined, buttons }],
      },
    },
  };
}

export function sendUtilityTemplate(
  core: SandboxCore,
  page: SimPage,
  customer: SimCustomer,
  recipient: { kind: RecipientKind; value: string },
  template: Obj,
  messagingType: unknown,
): SendResult {
  requireUtility(core, page);
  if (recipient.kind !== 'id') throw Errors.param('Utility templates must be sent to recipient.id');
  // Meta's examples send UTILITY or nothing; a tag makes no sense on a template.
  if (messagingType === 'MESSAGE_TAG')
    throw Errors.param('Param messaging_type must be UTILITY for a message template');
  const errs = core.state.m2026.policy.templateErrors;
  const name = str(template.name);
  const lang = isObj(template.language) ? str(template.language.code) : str(template.language);
  const found = name ? core.state.m2026.templateByName(page.id, name, lang) : [];
  const t = found[0];
  if (!t) throw Errors.fromKnob(errs.unknownTemplate);
  if (t.status !== 'APPROVED') throw Errors.fromKnob(errs.notApproved);
  if (page.restricted) throw Errors.pageRestricted();
  if (customer.blocked) throw Errors.blocked();
  const rendered = renderTemplate(core, t, parsed(template.components));
  const mid = core.ids.mid();
  acceptPageMessage(core, page, customer, {
    mid,
    message: { template },
    messagingType: 'UTILITY',
    tag: null,
    recipient,
    notificationType: null,
    utility: rendered,
    echo: echoOf(rendered),
  });
  return { recipient_id: customer.psid, message_id: mid };
}
