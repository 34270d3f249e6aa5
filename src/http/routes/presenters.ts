// Rows → API JSON (camelCase). One place, so every route presents a noun the same way.
import type { AssistantTriggerRow, PageRow, TopicRow } from '../../storage/schema.ts';

export function presentPage(p: PageRow) {
  return {
    id: p.id,
    fbPageId: p.fb_page_id,
    name: p.name,
    profile: p.profile,
    timeZone: p.time_zone,
    region: p.region,
    optInFeatureEnabled: p.opt_in_feature_enabled,
    restrictedReason: p.restricted_reason,
    connected: Boolean(p.access_token),
    /** Issue 12: connected, needs_reconnect (with Meta's reason) or disconnected. */
    connection: p.connection_status,
    connectionReason: p.connection_reason,
    connectedAt: p.connected_at,
    healthCheckedAt: p.health_checked_at,
  };
}

export function presentTopic(t: TopicRow & { validSubscribers?: number }) {
  return {
    id: t.id,
    pageId: t.page_id,
    name: t.name,
    kind: t.kind,
    title: t.title,
    imageUrl: t.image_url,
    ctaText: t.cta_text,
    frequency: t.frequency,
    validityMonths: t.validity_months,
    active: t.active,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
    ...(t.validSubscribers !== undefined && { validSubscribers: t.validSubscribers }),
  };
}

export function presentTrigger(t: AssistantTriggerRow) {
  return {
    id: t.id,
    pageId: t.page_id,
    kind: t.kind,
    value: t.value,
    blocks: t.blocks,
    position: t.position,
    active: t.active,
  };
}
