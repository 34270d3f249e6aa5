// Meta's utility-template endpoints (messenger-2026-notes §2.6, "Send a utility message"): the library
// search, clone, create with named parameters, list, and the template send. Wire shapes only; what to
// send and when is decided in domain/ and app/.
import type { TemplateButton, TemplateDraft } from '../domain/utility-templates.ts';
import type { GraphClient, PageCredentials } from './graph-client.ts';
import type { SendResult } from './graph-wire.ts';

/** One template of Meta's library, as `GET /message_template_library` lists it. */
export interface LibraryTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  topic: string | null;
  usecase: string | null;
  industry: string[];
  body: string;
  bodyParams: string[];
  buttons: Array<{ type: string; text: string; url?: string; payload?: string }>;
  header: string | null;
}

/** What Meta answers a create or clone: `{id, status, category}`. */
export interface CreatedTemplate {
  id: string;
  status: string;
  category: string | null;
}

export interface PageTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string | null;
  rejectedReason: string | null;
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
const s = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;

export function parseLibraryTemplate(v: unknown): LibraryTemplate | null {
  const r = rec(v);
  const id = s(r.id);
  const name = s(r.name);
  const body = s(r.body);
  if (!id || !name || body === null) return null;
  const buttons = Array.isArray(r.buttons)
    ? r.buttons.map((b) => {
        const x = rec(b);
        return {
          type: s(x.type) ?? 'URL',
          text: s(x.text) ?? '',
          ...(s(x.url) !== null && { url: s(x.url) as string }),
          ...(s(x.payload) !== null && { payload: s(x.payload) as string }),
        };
      })
    : [];
  return {
    id,
    name,
    language: s(r.language) ?? 'en',
    category: s(r.category) ?? 'UTILITY',
    topic: s(r.topic),
    usecase: s(r.usecase),
    industry: Array.isArray(r.industry) ? r.industry.filter((x): x is string => typeof x === 'string') : [],
    body,
    bodyParams: Array.isArray(r.body_params) ? r.body_params.map((x) => String(x)) : [],
    buttons,
    header: s(r.header),
  };
}

/** Meta's language code for a template language: `vi`, and `en_US` for English (the doc's examples). */
export function metaLanguage(language: string): string {
  return language === 'en' ? 'en_US' : language;
}

function buttonComponent(b: TemplateButton): Record<string, unknown> {
  return b.type === 'URL'
    ? { type: 'URL', text: b.text, url: b.url }
    : { type: 'POSTBACK', text: b.text, payload: b.payload };
}

/** `POST /<PAGE_ID>/message_templates`, written by the shop: named parameters with their examples. */
export function createTemplateBody(d: TemplateDraft): Record<string, unknown> {
  const named = (text: string) =>
    d.parameters
      .filter((p) => new RegExp(`\\{\\{\\s*${p}\\s*\\}\\}`).test(text))
      .map((p) => ({ param_name: p, example: d.examples[p] }));
  const components: Record<string, unknown>[] = [];
  if (d.headerText) {
    const params = named(d.headerText);
    components.push({
      type: 'HEADER',
      format: 'TEXT',
      text: d.headerText,
      ...(params.length && { example: { header_text_named_params: params } }),
    });
  }
  const bodyParams = named(d.bodyText);
  components.push({
    type: 'BODY',
    text: d.bodyText,
    ...(bodyParams.length && { example: { body_text_named_params: bodyParams } }),
  });
  if (d.buttons.length) components.push({ type: 'BUTTONS', buttons: d.buttons.map(buttonComponent) });
  return {
    name: d.name,
    language: metaLanguage(d.language),
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components,
  };
}

/** `POST /<PAGE_ID>/message_templates` cloning a library template (`library_template_name`). */
export function cloneTemplateBody(c: {
  name: string;
  language: string;
  libraryTemplateName: string;
  buttons: TemplateButton[];
}): Record<string, unknown> {
  return {
    name: c.name,
    category: 'UTILITY',
    language: metaLanguage(c.language),
    library_template_name: c.libraryTemplateName,
    ...(c.buttons.length && {
      library_template_button_inputs: c.buttons.map((b) =>
        b.type === 'URL'
          ? { type: 'URL', text: b.text, url: { base_url: b.url } }
          : { type: 'POSTBACK', text: b.text, payload: b.payload },
      ),
    }),
  };
}

/** The send body of a utility template with named parameters (notes §2.6 "Send"). */
export function templateSendBody(
  psid: string,
  t: {
    name: string;
    language: string;
    headerText: string | null;
    bodyText: string;
    parameterFormat: 'NAMED' | 'POSITIONAL';
    parameters: readonly string[];
  },
  values: Record<string, string>,
): Record<string, unknown> {
  const uses = (text: string | null, p: string) =>
    text !== null && new RegExp(`\\{\\{\\s*${p}\\s*\\}\\}`).test(text);
  const inHeader = t.parameters.filter((p) => uses(t.headerText, p));
  const inBody = t.parameters.filter((p) => uses(t.bodyText, p));
  // Positional parameters go in order without a name (the library's {{1}}, {{2}}).
  const param = (p: string) =>
    t.parameterFormat === 'NAMED'
      ? { type: 'text', parameter_name: p, text: values[p] ?? '' }
      : { type: 'text', text: values[p] ?? '' };
  const components: Record<string, unknown>[] = [];
  if (inHeader.length) components.push({ type: 'header', parameters: inHeader.map(param) });
  if (inBody.length) components.push({ type: 'body', parameters: inBody.map(param) });
  return {
    recipient: { id: psid },
    messaging_type: 'UTILITY',
    message: {
      template: {
        name: t.name,
        language: { code: metaLanguage(t.language) },
        ...(components.length && { components }),
      },
    },
  };
}

function createdFrom(body: unknown): CreatedTemplate {
  const r = rec(body);
  return { id: s(r.id) ?? '', status: s(r.status) ?? 'PENDING', category: s(r.category) };
}

/** The template calls of one Graph client. */
export class TemplateApi {
  constructor(private readonly graph: GraphClient) {}

  /** `GET /message_template_library?name_or_content=&language=` */
  async searchLibrary(
    page: PageCredentials,
    q: { text?: string; language?: string },
  ): Promise<LibraryTemplate[]> {
    const body = await this.graph.call<unknown>(page, 'GET', 'message_template_library', {
      name_or_content: q.text || undefined,
      language: q.language ? metaLanguage(q.language) : undefined,
    });
    const data = rec(body).data;
    return Array.isArray(data) ? data.map(parseLibraryTemplate).filter((t) => t !== null) : [];
  }

  async create(page: PageCredentials, d: TemplateDraft): Promise<CreatedTemplate> {
    const path = `${encodeURIComponent(page.pageId)}/message_templates`;
    return createdFrom(await this.graph.call<unknown>(page, 'POST', path, {}, createTemplateBody(d)));
  }

  async clone(page: PageCredentials, c: Parameters<typeof cloneTemplateBody>[0]): Promise<CreatedTemplate> {
    const path = `${encodeURIComponent(page.pageId)}/message_templates`;
    return createdFrom(await this.graph.call<unknown>(page, 'POST', path, {}, cloneTemplateBody(c)));
  }

  /** `GET /<PAGE_ID>/message_templates?name=` — the page's templates with Meta's status. */
  async list(page: PageCredentials, name?: string): Promise<PageTemplate[]> {
    const path = `${encodeURIComponent(page.pageId)}/message_templates`;
    const body = await this.graph.call<unknown>(page, 'GET', path, { name });
    const data = rec(body).data;
    if (!Array.isArray(data)) return [];
    return data.flatMap((v) => {
      const r = rec(v);
      const id = s(r.id);
      const n = s(r.name);
      if (!id || !n) return [];
      return [
        {
          id,
          name: n,
          language: s(r.language) ?? '',
          status: s(r.status) ?? 'PENDING',
          category: s(r.category),
          rejectedReason: s(r.rejected_reason),
        },
      ];
    });
  }

  send(
    page: PageCredentials,
    psid: string,
    t: Parameters<typeof templateSendBody>[1],
    values: Record<string, string>,
  ): Promise<SendResult> {
    return this.graph.sendBody(
      page,
      `${encodeURIComponent(page.pageId)}/messages`,
      templateSendBody(psid, t, values),
    );
  }
}
