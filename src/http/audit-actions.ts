// The audit log in words: each audited route (a write by an admin or owner) has a readable action key,
// and the name of what it acts on is read before the handler runs, so a deleted topic keeps its name.
import type { FastifyRequest } from 'fastify';
import { type AuditTargetKind, auditTargetName } from '../app/audit-targets.ts';
import type { AppContext } from '../app/context.ts';

interface AuditAction {
  key: string;
  /** The route parameter naming the target, and what it names. */
  param?: [string, AuditTargetKind];
  /** For a create: the body fields that name the new target, first present wins. */
  body?: string[];
}

const topic = (key: string): AuditAction => ({ key, param: ['topicId', 'topic'] });
const trigger = (key: string): AuditAction => ({ key, param: ['triggerId', 'trigger'] });
const campaign = (key: string): AuditAction => ({ key, param: ['id', 'campaign'] });
const page = (key: string): AuditAction => ({ key, param: ['pageId', 'page'] });

/** "METHOD /route" → action. test/security/accounts.test.ts checks every audited route is here. */
export const AUDIT_ACTIONS: Record<string, AuditAction> = {
  'POST /api/users/invites': { key: 'member.invite', body: ['email'] },
  'PATCH /api/users/:id': { key: 'member.role_change', param: ['id', 'member'] },
  'DELETE /api/users/:id': { key: 'member.remove', param: ['id', 'member'] },
  'POST /api/api-keys': { key: 'api_key.create', body: ['name'] },
  'DELETE /api/api-keys/:id': { key: 'api_key.revoke', param: ['id', 'api_key'] },
  'PATCH /api/pages/:pageId': page('page.edit'),
  'PUT /api/pages/:pageId/notice': page('page.notice_edit'),
  'POST /api/pages/:pageId/topics': { key: 'topic.create', body: ['name'] },
  'PATCH /api/topics/:topicId': topic('topic.edit'),
  'POST /api/topics/:topicId/deactivate': topic('topic.deactivate'),
  'POST /api/topics/:topicId/activate': topic('topic.activate'),
  'DELETE /api/topics/:topicId': topic('topic.delete'),
  'POST /api/pages/:pageId/assistant/triggers': { key: 'trigger.create', body: ['value', 'kind'] },
  'PATCH /api/assistant/triggers/:triggerId': trigger('trigger.edit'),
  'DELETE /api/assistant/triggers/:triggerId': trigger('trigger.delete'),
  'POST /api/pages/:pageId/campaigns': { key: 'campaign.create', body: ['name'] },
  'PATCH /api/campaigns/:id': campaign('campaign.update'),
  'DELETE /api/campaigns/:id': campaign('campaign.delete'),
  'POST /api/campaigns/:id/dry-run': campaign('campaign.dry_run'),
  'POST /api/campaigns/:id/start': campaign('campaign.start'),
  'POST /api/campaigns/:id/pause': campaign('campaign.pause'),
  'POST /api/campaigns/:id/resume': campaign('campaign.resume'),
  'POST /api/campaigns/:id/cancel': campaign('campaign.cancel'),
  'POST /api/pages/:pageId/import/customers': page('import.customers'),
  'POST /api/pages/:pageId/import/subscriptions': page('import.subscriptions'),
  'POST /api/pages/:pageId/import/tokens': page('import.tokens'),
  'POST /api/pages/:pageId/templates': { key: 'template.create', body: ['name'] },
  'POST /api/pages/:pageId/templates/clone': { key: 'template.clone', body: ['name'] },
  'PUT /api/templates/:templateId': { key: 'template.edit', body: ['name'] },
  'PUT /api/pages/:pageId/order-event-mappings/:eventType': page('order_event_mapping.edit'),
  'DELETE /api/pages/:pageId/order-event-mappings/:eventType': page('order_event_mapping.delete'),
  // Issue 12: Kết nối Fanpage.
  'POST /api/facebook/connect': { key: 'facebook.login_start' },
  'POST /api/facebook/offers/:offerId/connect': { key: 'page.connect' },
  'POST /api/pages/:pageId/disconnect': page('page.disconnect'),
  // R14: the ad account and a campaign's budget.
  'PUT /api/ad-account': { key: 'ad_account.connect' },
  'DELETE /api/ad-account': { key: 'ad_account.disconnect' },
  'PUT /api/campaigns/:campaignId/budget': { key: 'campaign.budget', param: ['campaignId', 'campaign'] },
  'POST /api/pages/:pageId/marketing-tokens/sync': page('marketing_tokens.sync'),
};

export const routeOf = (req: FastifyRequest) => `${req.method} ${req.routeOptions.url ?? req.url}`;

declare module 'fastify' {
  interface FastifyRequest {
    auditTargetName?: string | null;
  }
}

/** preHandler for audited requests: the target's name as it is before the action. */
export function noteAuditTarget(ctx: AppContext) {
  return async (req: FastifyRequest) => {
    const action = AUDIT_ACTIONS[routeOf(req)];
    if (!req.auth || !action) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fromBody = action.body?.map((f) => body[f]).find((v) => typeof v === 'string' && v.trim() !== '');
    if (typeof fromBody === 'string') {
      req.auditTargetName = fromBody.trim().slice(0, 200);
      return;
    }
    if (!action.param) return;
    const id = Number((req.params as Record<string, unknown>)[action.param[0]]);
    if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) return;
    // A name is a nicety of the log: failing to read it never fails the action.
    req.auditTargetName = await auditTargetName(ctx, req.auth.workspaceId, action.param[1], id).catch(
      (e: unknown) => {
        req.log.error({ err: e }, 'audit target name not read');
        return null;
      },
    );
  };
}
