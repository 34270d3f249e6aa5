// Import and export for admins: customers and subscriptions from CSV, recurring tokens from Meta, the
// consent history (R3c) as CSV or JSON, streamed so a large history never sits in memory whole.
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import {
  consentHistoryBatches,
  importCustomers,
  importSubscriptions,
  importTokens,
  isTokenSource,
} from '../../app/imports.ts';
import type { ConsentExportRow } from '../../storage/subscriptions.ts';
import { csvLines } from '../csv.ts';
import type { App, ServerDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { PageParams } from './pages.ts';

const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;
const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const CsvBody = Type.String({ description: 'CSV text with a header row (content-type text/csv)' });

const EXPORT_COLUMNS = [
  'id',
  'at',
  'event',
  'topic_id',
  'topic_name',
  'topic_kind',
  'customer_id',
  'psid',
  'subscription_id',
  'invitation_id',
  'sender_kind',
  'detail',
] as const;

function exportRecord(r: ConsentExportRow) {
  return {
    id: r.id,
    at: r.at.toISOString(),
    event: r.event,
    topicId: r.topic_id,
    topicName: r.topic_name,
    topicKind: r.topic_kind,
    customerId: r.customer_id,
    psid: r.psid,
    subscriptionId: r.subscription_id,
    invitationId: r.invitation_id,
    senderKind: r.sender_kind,
    detail: r.detail,
  };
}

async function* csvChunks(batches: AsyncIterable<ConsentExportRow[]>) {
  yield csvLines([EXPORT_COLUMNS]);
  for await (const rows of batches) {
    yield csvLines(
      rows.map((r) => {
        const e = exportRecord(r);
        return [
          e.id,
          e.at,
          e.event,
          e.topicId,
          e.topicName,
          e.topicKind,
          e.customerId,
          e.psid,
          e.subscriptionId,
          e.invitationId,
          e.senderKind,
          JSON.stringify(e.detail),
        ];
      }),
    );
  }
}

async function* jsonChunks(batches: AsyncIterable<ConsentExportRow[]>) {
  yield '{"history":[';
  let first = true;
  for await (const rows of batches) {
    for (const r of rows) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(exportRecord(r))}`;
      first = false;
    }
  }
  yield '\n]}\n';
}

export async function dataRoutes(app: App, deps: ServerDeps) {
  // Encapsulated in this plugin: only these routes read CSV bodies, as plain strings.
  for (const type of ['text/csv', 'application/csv']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
  }
  const importRoute = (summary: string) => ({
    config: { role: 'admin' as const },
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: { tags: ['import/export'], summary, params: PageParams, body: CsvBody, consumes: ['text/csv'] },
  });

  app.post(
    '/pages/:pageId/import/customers',
    importRoute(
      'CSV psid,name,first_name,last_name,locale,last_interaction_at,labels,attr.* — all rows or none',
    ),
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return importCustomers(deps.ctx, ws, req.params.pageId, req.body);
    },
  );

  app.post(
    '/pages/:pageId/import/subscriptions',
    importRoute(
      'CSV psid,topic,token,kind,opted_in_at,expires_at — acceptances, written to the consent history',
    ),
    async (req) => {
      const ws = await deps.workspaceFor(req);
      return importSubscriptions(deps.ctx, ws, req.params.pageId, req.body);
    },
  );

  app.post(
    '/pages/:pageId/import/tokens',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['import/export'],
        summary: "Pull the page's recurring tokens from Meta and upsert them, matched to topics by title",
        params: PageParams,
      },
    },
    async (req) => {
      const ws = await deps.workspaceFor(req);
      const source = deps.ctx.channel;
      if (!isTokenSource(source)) {
        throw new HttpError(501, 'not_supported', 'This service has no Graph client that can list tokens.');
      }
      return importTokens(deps.ctx, ws, req.params.pageId, source);
    },
  );

  app.get(
    '/consent-history',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['import/export'],
        summary: 'R3c: export the consent history, oldest first',
        querystring: Type.Object(
          {
            format: Type.Optional(
              Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'json' }),
            ),
            topicId: Type.Optional(Id),
            customerId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const ws = await deps.workspaceFor(req);
      const { format = 'json', topicId, customerId } = req.query;
      const batches = consentHistoryBatches(deps.ctx, ws, { topicId, customerId });
      const csv = format === 'csv';
      reply
        .header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="consent-history.${format}"`);
      return reply.send(Readable.from(csv ? csvChunks(batches) : jsonChunks(batches)));
    },
  );
}
