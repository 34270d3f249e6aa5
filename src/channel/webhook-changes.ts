// Page change fields (`entry[].changes[]`), as opposed to the per-customer `messaging[]` events: here
// the utility-template status update (messenger-2026-notes §2.6). Meta's Messenger page names the field
// `message_template_status_update` without printing the payload; the value's shape is WhatsApp's
// (event, message_template_id, message_template_name, message_template_language, reason), and the older
// research calls the field `messenger_template_status_update` — both are accepted.

export interface TemplateStatusUpdate {
  /** The entry's id: the page whose template changed. */
  fbPageId: string;
  fbTemplateId: string | null;
  name: string | null;
  language: string | null;
  /** APPROVED, REJECTED, DISABLED, PAUSED, REINSTATED, … */
  event: string;
  reason: string | null;
}

export const TEMPLATE_STATUS_FIELDS: ReadonlySet<string> = new Set([
  'message_template_status_update',
  'messenger_template_status_update',
]);

function rec(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
function str(v: unknown): string | null {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

/**
 * Does any entry carry page changes (`entry[].changes[]`: template statuses, the marketing funnel)? A
 * delivery of `messaging[]` events only carries none, and its intake skips looking for them.
 */
export function carriesChanges(body: unknown): boolean {
  const b = rec(body);
  if (!b || !Array.isArray(b.entry)) return false;
  for (const entry of b.entry) if (Array.isArray(rec(entry)?.changes)) return true;
  return false;
}

/** Every template status change of a delivery; entries and changes it cannot read are skipped. */
export function parseTemplateStatusUpdates(body: unknown): TemplateStatusUpdate[] {
  const b = rec(body);
  if (b?.object !== 'page' || !Array.isArray(b.entry)) return [];
  const out: TemplateStatusUpdate[] = [];
  for (const entry of b.entry) {
    const e = rec(entry);
    const pageId = e && str(e.id);
    if (!e || !pageId || !Array.isArray(e.changes)) continue;
    for (const change of e.changes) {
      const c = rec(change);
      const v = c && rec(c.value);
      if (!c || !v || !TEMPLATE_STATUS_FIELDS.has(String(c.field))) continue;
      const event = str(v.event);
      if (!event) continue;
      out.push({
        fbPageId: pageId,
        fbTemplateId: str(v.message_template_id),
        name: str(v.message_template_name),
        language: str(v.message_template_language),
        event,
        reason: str(v.reason),
      });
    }
  }
  return out;
}
