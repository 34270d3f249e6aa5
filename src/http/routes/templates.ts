// Utility templates (R13a–b): Meta's library, clone, write, edit (resubmitted), list with status; and the
// inbox's template send (issue 14 item 3) and the customer's phone (for order events by phone).
import { Type } from '@sinclair/typebox';
import { recordCustomerPhone } from '../../app/order-events.ts';
import {
  cloneTemplate,
  createTemplate,
  editTemplate,
  type LibraryTemplate,
  listTemplates,
  loadTemplate,
  searchLibrary,
} from '../../app/templates.ts';
import { sendTemplateFromInbox } from '../../app/utility-sends.ts';
import { isSendable } from '../../domain/utility-templates.ts';
import type { TemplateRow } from '../../storage/schema.ts';
import type { App, ServerDeps } from '../deps.ts';
import {
  CustomerPhoneBody,
  type LibraryTemplateView,
  TemplateBody,
  TemplateCloneBody,
  type TemplateView,
  UtilitySendBody,
} from '../schemas/templates.ts';
import { PageParams } from './pages.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const TemplateParams = Type.Object({ templateId: Id });
const CustomerParams = Type.Object({ customerId: Id });

export function presentTemplate(t: TemplateRow): TemplateView {
  return {
    id: t.id,
    pageId: t.page_id,
    name: t.name,
    language: t.language,
    category: t.category,
    headerText: t.header_text,
    bodyText: t.body_text,
    buttons: t.buttons,
    parameterFormat: t.parameter_format,
    parameters: t.parameters,
    examples: t.examples,
    libraryTemplateName: t.library_template_name,
    status: t.status,
    statusReason: t.status_reason,
    statusAt: t.status_at.toISOString(),
    sendable: isSendable(t.status),
    updatedAt: t.updated_at.toISOString(),
  };
}

function presentLibrary(t: LibraryTemplate): LibraryTemplateView {
  return { ...t };
}

export async function templateRoutes(app: App, deps: ServerDeps) {
  app.get(
    '/pages/:pageId/templates',
    {
      schema: {
        tags: ['templates'],
        summary: 'R13b: the page templates with Meta status',
        params: PageParams,
        querystring: Type.Object({ status: Type.Optional(Type.String({ maxLength: 30 })) }),
      },
      config: { role: 'agent' },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const rows = await listTemplates(deps.ctx, ws, req.params.pageId, { status: req.query.status });
      return { templates: rows.map(presentTemplate) };
    },
  );

  app.get(
    '/pages/:pageId/template-library',
    {
      schema: {
        tags: ['templates'],
        summary: "R13a: search Meta's utility template library",
        params: PageParams,
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 200 })),
          language: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')])),
        }),
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const found = await searchLibrary(deps.ctx, ws, req.params.pageId, {
        text: req.query.q,
        language: req.query.language,
      });
      return { templates: found.map(presentLibrary) };
    },
  );

  app.post(
    '/pages/:pageId/templates',
    {
      schema: {
        tags: ['templates'],
        summary: 'R13a: write a template',
        params: PageParams,
        body: TemplateBody,
      },
    },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const row = await createTemplate(deps.ctx, ws, req.params.pageId, { ...req.body });
      return reply.status(201).send(presentTemplate(row));
    },
  );

  app.post(
    '/pages/:pageId/templates/clone',
    {
      schema: {
        tags: ['templates'],
        summary: 'R13a: clone a library template',
        params: PageParams,
        body: TemplateCloneBody,
      },
    },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const row = await cloneTemplate(deps.ctx, ws, req.params.pageId, { ...req.body });
      return reply.status(201).send(presentTemplate(row));
    },
  );

  app.get(
    '/templates/:templateId',
    { schema: { tags: ['templates'], params: TemplateParams }, config: { role: 'agent' } },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentTemplate(await loadTemplate(deps.ctx, ws, req.params.templateId));
    },
  );

  app.put(
    '/templates/:templateId',
    {
      schema: {
        tags: ['templates'],
        summary: 'R13b: an edit is resubmitted',
        params: TemplateParams,
        body: TemplateBody,
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return presentTemplate(await editTemplate(deps.ctx, ws, req.params.templateId, { ...req.body }));
    },
  );

  app.post(
    '/customers/:customerId/utility-template',
    {
      schema: {
        tags: ['inbox'],
        summary: 'R12c/R13c: an agent sends a utility template (inside 24 h: its text as a reply)',
        params: CustomerParams,
        body: UtilitySendBody,
      },
      config: { role: 'agent' },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return sendTemplateFromInbox(deps.ctx, ws, req.params.customerId, { ...req.body });
    },
  );

  app.put(
    '/customers/:customerId/phone',
    {
      schema: {
        tags: ['inbox'],
        summary: 'A phone number the customer gave (order events find the customer by it)',
        params: CustomerParams,
        body: CustomerPhoneBody,
      },
      config: { role: 'agent' },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return { phone: await recordCustomerPhone(deps.ctx, ws, req.params.customerId, req.body.phone) };
    },
  );
}
