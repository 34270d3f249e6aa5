// Utility templates of a page (R13a–b): search Meta's library and clone, write one, edit (resubmitted),
// list with Meta's status, and apply the status Meta reports by webhook.
import {
  credentials,
  GraphApiError,
  type LibraryTemplate,
  type PageCredentials,
  type TemplateApi,
} from '../channel/index.ts';
import { DomainError } from '../domain/errors.ts';
import {
  libraryDraft,
  statusAfterEvent,
  type TemplateDraft,
  type TemplateInput,
  validateTemplate,
} from '../domain/utility-templates.ts';
import { type Executor, inTransaction } from '../storage/db.ts';
import * as pages from '../storage/pages.ts';
import type { TemplateRow } from '../storage/schema.ts';
import * as store from '../storage/templates.ts';
import { type AppContext, isUniqueViolation } from './context.ts';
import { getPage } from './workspaces.ts';

export type { LibraryTemplate };

/** The template calls of the Graph client (channel/templates.ts `TemplateApi`). */
export type TemplatePort = Pick<TemplateApi, 'searchLibrary' | 'create' | 'clone' | 'send'>;

export interface TemplateContext extends AppContext {
  templates?: TemplatePort;
}

export function templatePort(ctx: TemplateContext): TemplatePort {
  if (!ctx.templates) throw new Error('no Graph template client configured');
  return ctx.templates;
}

/** Meta refused or did not answer: a 502 the console explains, nothing stored. */
function metaError(e: unknown): unknown {
  if (!(e instanceof GraphApiError)) return e;
  return new DomainError('meta_template_error', e.failure.message, {
    graphClass: e.failure.class,
    ...(e.failure.code !== undefined && { graphCode: e.failure.code }),
  });
}

function duplicate(e: unknown, name: string): unknown {
  return isUniqueViolation(e, 'message_templates_page_name')
    ? new DomainError(
        'duplicate_template_name',
        `The page already has a template "${name}" in this language.`,
      )
    : e;
}

async function assertNameFree(
  db: Executor,
  pageId: number,
  d: TemplateDraft,
  selfId?: number,
): Promise<void> {
  const other = await store.findTemplateByName(db, pageId, d.name, d.language);
  if (other && other.id !== selfId)
    throw duplicate({ code: '23505', constraint: 'message_templates_page_name' }, d.name);
}

export async function loadTemplate(ctx: AppContext, workspaceId: number, id: number): Promise<TemplateRow> {
  const row = await store.findTemplate(ctx.db, workspaceId, id);
  if (!row) throw new DomainError('template_not_found', `No template ${id} in this workspace.`);
  return row;
}

export async function searchLibrary(
  ctx: TemplateContext,
  workspaceId: number,
  pageId: number,
  q: { text?: string; language?: string },
): Promise<LibraryTemplate[]> {
  const page = await getPage(ctx, workspaceId, pageId);
  return templatePort(ctx)
    .searchLibrary(credentials(page), q)
    .catch((e: unknown) => {
      throw metaError(e);
    });
}

async function submitAndStore(
  ctx: TemplateContext,
  workspaceId: number,
  pageId: number,
  draft: TemplateDraft,
  submit: (page: PageCredentials) => ReturnType<TemplatePort['create']>,
  libraryTemplateName: string | null,
): Promise<TemplateRow> {
  const page = await getPage(ctx, workspaceId, pageId);
  await assertNameFree(ctx.db, pageId, draft);
  const created = await submit(credentials(page)).catch((e: unknown) => {
    throw metaError(e);
  });
  try {
    return await store.insertTemplate(ctx.db, {
      workspaceId,
      pageId,
      draft,
      libraryTemplateName,
      fbTemplateId: created.id || null,
      status: statusAfterEvent(created.status),
      now: ctx.clock.now(),
    });
  } catch (e) {
    throw duplicate(e, draft.name);
  }
}

/** R13a: a template the shop writes (named parameters), submitted to Meta and stored with its status. */
export async function createTemplate(
  ctx: TemplateContext,
  workspaceId: number,
  pageId: number,
  input: TemplateInput,
): Promise<TemplateRow> {
  await getPage(ctx, workspaceId, pageId);
  const draft = validateTemplate(input);
  return submitAndStore(ctx, workspaceId, pageId, draft, (p) => templatePort(ctx).create(p, draft), null);
}

/** R13a: a clone of one of Meta's library templates, under the shop's name, language and buttons. */
export async function cloneTemplate(
  ctx: TemplateContext,
  workspaceId: number,
  pageId: number,
  input: { libraryTemplateName: string; name?: unknown; language?: unknown; buttons?: unknown },
): Promise<TemplateRow> {
  const page = await getPage(ctx, workspaceId, pageId);
  const lang = typeof input.language === 'string' ? input.language : undefined;
  const found = await templatePort(ctx)
    .searchLibrary(credentials(page), { text: input.libraryTemplateName, language: lang })
    .catch((e: unknown) => {
      throw metaError(e);
    });
  const lib = found.find((t) => t.name === input.libraryTemplateName);
  if (!lib) {
    throw new DomainError(
      'template_not_found',
      `Meta's library has no template "${input.libraryTemplateName}".`,
      {
        field: 'libraryTemplateName',
      },
    );
  }
  const draft = libraryDraft(lib, {
    name: input.name,
    language: input.language,
    buttons: input.buttons ?? [],
  });
  return submitAndStore(
    ctx,
    workspaceId,
    pageId,
    draft,
    (p) =>
      templatePort(ctx).clone(p, {
        name: draft.name,
        language: draft.language,
        libraryTemplateName: lib.name,
        buttons: draft.buttons,
      }),
    lib.name,
  );
}

/** R13b: an edit is submitted again; until Meta answers, the template has the status Meta gave the new one. */
export async function editTemplate(
  ctx: TemplateContext,
  workspaceId: number,
  id: number,
  input: TemplateInput,
): Promise<TemplateRow> {
  const current = await loadTemplate(ctx, workspaceId, id);
  if (current.parameter_format === 'POSITIONAL') {
    throw new DomainError(
      'invalid_template',
      "A clone of Meta's library is kept as cloned; write a new template.",
      {
        field: 'bodyText',
      },
    );
  }
  const draft = validateTemplate(input);
  const page = await getPage(ctx, workspaceId, current.page_id);
  await assertNameFree(ctx.db, current.page_id, draft, id);
  const created = await templatePort(ctx)
    .create(credentials(page), draft)
    .catch((e: unknown) => {
      throw metaError(e);
    });
  try {
    return await store.updateTemplate(
      ctx.db,
      id,
      draft,
      { fbTemplateId: created.id || current.fb_template_id, status: statusAfterEvent(created.status) },
      ctx.clock.now(),
    );
  } catch (e) {
    throw duplicate(e, draft.name);
  }
}

export async function listTemplates(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  opts: { status?: string } = {},
): Promise<TemplateRow[]> {
  await getPage(ctx, workspaceId, pageId);
  return store.listTemplates(ctx.db, workspaceId, pageId, opts);
}

/** One `message_template_status_update` change, as the channel parsed it. */
export interface TemplateStatusChange {
  fbPageId: string;
  fbTemplateId: string | null;
  name: string | null;
  language: string | null;
  event: string;
  reason: string | null;
}

/**
 * R13b: Meta's status changes, applied before the webhook is acknowledged. A change for a page or a
 * template we do not hold changes nothing. Returns how many templates changed.
 */
export async function applyTemplateStatusChanges(
  ctx: AppContext,
  changes: readonly TemplateStatusChange[],
): Promise<number> {
  if (changes.length === 0) return 0;
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    let n = 0;
    for (const c of changes) {
      const page = await pages.findPageByFbId(tx, c.fbPageId);
      if (!page) continue;
      const language = c.language === 'en_US' ? 'en' : c.language;
      const reason = c.reason && c.reason.toUpperCase() !== 'NONE' ? c.reason : null;
      const rows = await store.setTemplateStatus(
        tx,
        { pageId: page.id, fbTemplateId: c.fbTemplateId, name: c.name, language },
        statusAfterEvent(c.event),
        reason,
        now,
      );
      n += rows.length;
    }
    return n;
  });
}
