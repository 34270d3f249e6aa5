// Utility message templates for Messenger: library search, clone, create, list, edit (resubmits),
// delete, the approval knobs and the `message_template_status_update` webhook. Sending one is in
// src/sandbox/utility-send.ts. Meta's Messenger page prints the requests; where it is silent (errors,
// status webhook shape) the WhatsApp template API is followed, as docs/SANDBOX.md says.
import type { SandboxCore } from './core.ts';
import { Errors, GraphError } from './errors.ts';
import type { SimTemplate, TemplateButton, TemplateStatus } from './state-2026.ts';
import { searchLibrary } from './template-library.ts';
import type { SimPage } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Language codes the sandbox accepts (Meta's template locales; `vi` is assumed to be among them). */
export const TEMPLATE_LANGUAGES = new Set(['vi', 'en', 'en_US', 'en_GB', 'th', 'fil', 'id', 'es', 'pt_BR']);
const NAME_RE = /^[a-z0-9_]{1,512}$/;
const NAMED_PARAM_RE = /\{\{\s*([^}]*?)\s*\}\}/g;
export const LIMITS_UTILITY = { bodyMax: 1024, headerMax: 60, buttonsMax: 3, buttonTextMax: 25 };

/** Parameter names of a text in order of first appearance: `{{order_id}}` or `{{1}}`. */
export function paramsOf(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(NAMED_PARAM_RE))
    if (m[1] !== undefined && !out.includes(m[1])) out.push(m[1]);
  return out;
}

/** JSON strings in query or form parameters (the SDK sends nested values JSON-encoded). */
export function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return v;
  try {
    return JSON.parse(t);
  } catch {
    throw Errors.param(`Invalid JSON parameter: ${t.slice(0, 40)}`);
  }
}

function checkParams(
  kind: 'header' | 'body',
  text: string,
  format: 'NAMED' | 'POSITIONAL',
  example: unknown,
) {
  const names = paramsOf(text);
  if (format === 'POSITIONAL') {
    names.forEach((n, i) => {
      if (n !== String(i + 1))
        throw Errors.param(`${kind} parameters must be {{1}}, {{2}}, … in order (found {{${n}}})`);
    });
    return;
  }
  const key = `${kind}_text_named_params`;
  const given = isObj(example) && Array.isArray(example[key]) ? (example[key] as unknown[]) : [];
  const examples = new Set(given.filter(isObj).map((p) => str(p.param_name)));
  for (const n of names) {
    if (!/^[a-z_][a-z0-9_]*$/.test(n))
      throw Errors.param(`Named parameter {{${n}}} must use lowercase letters, digits and underscores`);
    if (!examples.has(n)) throw Errors.param(`Missing example for parameter {{${n}}} in ${key}`);
  }
}

interface Parsed {
  parameterFormat: 'NAMED' | 'POSITIONAL';
  header: SimTemplate['header'];
  body: string;
  buttons: TemplateButton[];
  components: unknown[];
}

/** Meta's validation of submitted components (header, body, ≤ 3 URL/POSTBACK buttons). */
export function parseComponents(raw: unknown, formatRaw: unknown): Parsed {
  const components = parsed(raw);
  if (!Array.isArray(components) || components.length === 0)
    throw Errors.param('The parameter components is required');
  const parameterFormat = formatRaw === 'NAMED' ? 'NAMED' : 'POSITIONAL';
  if (formatRaw != null && formatRaw !== 'NAMED' && formatRaw !== 'POSITIONAL')
    throw Errors.param('parameter_format must be NAMED or POSITIONAL');
  let header: Parsed['header'] = null;
  let body: string | null = null;
  let buttons: TemplateButton[] = [];
  for (const c of components) {
    if (!isObj(c)) throw Errors.param('Invalid component');
    const type = String(c.type ?? '').toUpperCase();
    if (type === 'HEADER') {
      const format = String(c.format ?? 'TEXT').toUpperCase();
      if (format === 'IMAGE') header = { format: 'IMAGE', text: null };
      else if (format === 'TEXT') {
        const text = str(c.text);
        if (!text) throw Errors.param('HEADER text is required');
        if (Array.from(text).length > LIMITS_UTILITY.headerMax)
          throw Errors.param(`HEADER text must be at most ${LIMITS_UTILITY.headerMax} characters`);
        checkParams('header', text, parameterFormat, c.example);
        header = { format: 'TEXT', text };
      } else throw Errors.param('HEADER format must be TEXT or IMAGE');
    } else if (type === 'BODY') {
      const text = str(c.text);
      if (!text) throw Errors.param('BODY text is required');
      if (Array.from(text).length > LIMITS_UTILITY.bodyMax)
        throw Errors.param(`BODY text must be at most ${LIMITS_UTILITY.bodyMax} characters`);
      checkParams('body', text, parameterFormat, c.example);
      body = text;
    } else if (type === 'BUTTONS') {
      const list = Array.isArray(c.buttons) ? c.buttons : [];
      if (list.length < 1 || list.length > LIMITS_UTILITY.buttonsMax)
        throw Errors.param(`BUTTONS must have 1 to ${LIMITS_UTILITY.buttonsMax} buttons`);
      buttons = list.map((b) => {
        if (!isObj(b)) throw Errors.param('Invalid button');
        const bt = String(b.type ?? '').toUpperCase();
        const text = str(b.text) ?? '';
        if (!text || Array.from(text).length > LIMITS_UTILITY.buttonTextMax)
          throw Errors.param(`Button text must be 1 to ${LIMITS_UTILITY.buttonTextMax} characters`);
        if (bt === 'URL') {
          const url = str(b.url);
          if (!url || !/^https?:\/\//.test(url)) throw Errors.param('URL button needs an http(s) url');
          return { type: 'URL', text, url };
        }
        if (bt === 'POSTBACK') {
          const payload = str(b.payload);
          if (!payload) throw Errors.param('POSTBACK button needs a payload');
          return { type: 'POSTBACK', text, payload };
        }
        throw Errors.param('Button type must be URL or POSTBACK');
      });
    } else throw Errors.param(`Unknown component type ${String(c.type)}`);
  }
  if (body === null) throw Errors.param('A BODY component is required');
  return { parameterFormat, header, body, buttons, components };
}

function templateView(t: SimTemplate): Obj {
  const out: Obj = {
    id: t.id,
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    parameter_format: t.parameterFormat,
    components: t.components,
  };
  if (t.rejectedReason) out.rejected_reason = t.rejectedReason;
  if (t.libraryTemplateName) out.library_template_name = t.libraryTemplateName;
  return out;
}

/** Sets a status and tells subscribed apps (`message_template_status_update`, WhatsApp's shape). */
export function setTemplateStatus(
  core: SandboxCore,
  t: SimTemplate,
  status: TemplateStatus,
  reason: string | null,
): void {
  t.status = status;
  t.rejectedReason = status === 'REJECTED' || status === 'DISABLED' ? (reason ?? 'NONE') : null;
  t.updatedAt = core.clock.now().getTime();
  core.state.touch({ kind: 'm2026' });
  if (status === 'PENDING') return;
  core.webhooks.emit(t.pageId, {
    change: {
      field: 'message_template_status_update',
      value: {
        event: status,
        message_template_id: Number(t.id),
        message_template_name: t.name,
        message_template_language: t.language,
        message_template_category: t.category,
        reason: reason ?? 'NONE',
      },
    },
  });
}

/** The approval knob: instant APPROVED by default, or PENDING / REJECTED (with the reason). */
function review(core: SandboxCore, t: SimTemplate): void {
  const p = core.state.m2026.policy;
  if (p.templateApproval === 'REJECTED') setTemplateStatus(core, t, 'REJECTED', p.templateRejectReason);
  else setTemplateStatus(core, t, p.templateApproval, null);
}

function newId(core: SandboxCore): string {
  return `${1 + Math.floor(core.random() * 9)}${core.ids.chars(14, '0123456789')}`;
}

/** `POST /{page-id}/message_templates`: create (components) or clone (`library_template_name`). */
export function createTemplate(core: SandboxCore, page: SimPage, p: Obj): Obj {
  const m = core.state.m2026;
  const name = str(p.name);
  if (!name || !NAME_RE.test(name))
    throw Errors.param('Param name must be lowercase letters, digits and underscores (max 512)');
  const category = str(p.category);
  if (category !== 'UTILITY') throw Errors.param('Param category must be UTILITY for Messenger templates');
  const language = str(p.language);
  if (!language || !TEMPLATE_LANGUAGES.has(language))
    throw Errors.param(`Param language must be one of {${[...TEMPLATE_LANGUAGES].join(', ')}}`);
  if (m.templateByName(page.id, name, language).length > 0) {
    throw new GraphError({
      code: 100,
      subcode: 2388024,
      message: `Content in this language already exists: ${name} (${language})`,
    });
  }
  let shape: Parsed;
  const libName = str(p.library_template_name);
  if (libName) {
    const lib = searchLibrary({ language }).find((t) => t.name === libName);
    if (!lib) throw Errors.param(`Library template ${libName} does not exist in ${language}`);
    const inputs = parsed(p.library_template_button_inputs);
    const buttons = lib.buttons.map((b, i) => {
      const input = Array.isArray(inputs) && isObj(inputs[i]) ? (inputs[i] as Obj) : null;
      const url = input && isObj(input.url) ? str(input.url.base_url) : str(input?.url);
      return {
        ...b,
        text: str(input?.text) ?? b.text,
        ...(b.type === 'URL' && url ? { url } : {}),
        ...(b.type === 'POSTBACK' && str(input?.payload) ? { payload: str(input?.payload) } : {}),
      };
    });
    shape = {
      parameterFormat: 'POSITIONAL',
      header: lib.header ? { format: 'TEXT', text: lib.header } : null,
      body: lib.body,
      buttons,
      components: [
        ...(lib.header ? [{ type: 'HEADER', format: 'TEXT', text: lib.header }] : []),
        { type: 'BODY', text: lib.body, example: { body_text: [lib.body_params] } },
        { type: 'BUTTONS', buttons },
      ],
    };
  } else shape = parseComponents(p.components, p.parameter_format);
  const now = core.clock.now().getTime();
  const t: SimTemplate = {
    id: newId(core),
    pageId: page.id,
    name,
    language,
    category: 'UTILITY',
    ...shape,
    status: 'PENDING',
    rejectedReason: null,
    libraryTemplateName: libName ?? null,
    createdAt: now,
    updatedAt: now,
  };
  m.templates.set(t.id, t);
  review(core, t);
  return { id: t.id, status: t.status, category: t.category };
}

/** `POST /{template-id}`: new components (and format); the edit is resubmitted for review. */
export function editTemplate(core: SandboxCore, t: SimTemplate, p: Obj): Obj {
  if (p.category != null && p.category !== 'UTILITY')
    throw Errors.param('Param category must be UTILITY for Messenger templates');
  const shape = parseComponents(p.components, p.parameter_format ?? t.parameterFormat);
  Object.assign(t, shape, { libraryTemplateName: null });
  t.status = 'PENDING';
  review(core, t);
  return { success: true, id: t.id, status: t.status };
}

/** `GET /{page-id}/message_templates?name&language&status&limit&after`. */
export function listTemplates(core: SandboxCore, page: SimPage, q: Obj): Obj {
  const limit = Math.min(Math.max(Number(q.limit) || 25, 1), 100);
  const start =
    typeof q.after === 'string' && q.after ? Number(Buffer.from(q.after, 'base64url').toString()) : 0;
  const all = [...core.state.m2026.templates.values()]
    .filter(
      (t) =>
        t.pageId === page.id &&
        (!q.name || t.name === q.name) &&
        (!q.language || t.language === q.language) &&
        (!q.status || t.status === q.status),
    )
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const slice = all.slice(start, start + limit);
  const out: Obj = { data: slice.map(templateView) };
  if (slice.length > 0) {
    const cursor = (i: number) => Buffer.from(String(i)).toString('base64url');
    out.paging = { cursors: { before: cursor(start), after: cursor(start + slice.length) } };
  }
  return out;
}

export function getTemplate(t: SimTemplate): Obj {
  return templateView(t);
}

/** `DELETE /{page-id}/message_templates?name=…[&hsm_id=…]`: every language of the name, or one id. */
export function deleteTemplates(core: SandboxCore, page: SimPage, q: Obj): Obj {
  const name = str(q.name);
  if (!name) throw Errors.param('The parameter name is required');
  const hsm = str(q.hsm_id);
  const m = core.state.m2026;
  const hits = m.templateByName(page.id, name).filter((t) => !hsm || t.id === hsm);
  if (hits.length === 0) throw Errors.param(`Message template "${name}" not found`);
  for (const t of hits) m.templates.delete(t.id);
  core.state.touch({ kind: 'm2026' });
  return { success: true };
}

export function libraryAnswer(q: Obj): Obj {
  const data = searchLibrary({
    nameOrContent: str(q.name_or_content) ?? str(q.search),
    language: str(q.language),
    topic: str(q.topic),
    usecase: str(q.usecase),
    industry: str(q.industry),
  });
  return { data: data.map(({ header: _h, ...t }) => t) };
}
