// The marketing_message_* webhooks (R14d; notes §2.3): delivered, read, clicked, failed (and echoes),
// read from `entry[].changes[]{field, value}` of a page delivery. Meta prints the bodies flat; the
// envelope is the Page change one (notes §6.4). Never throws: what it cannot read is named in errors.
import { parseMetaTimestamp } from '../domain/platform.ts';

export type MarketingStep = 'echo' | 'delivered' | 'read' | 'clicked' | 'failed';

export const MARKETING_FIELDS: Record<string, MarketingStep> = {
  marketing_message_echoes: 'echo',
  marketing_message_deliveries: 'delivered',
  marketing_message_reads: 'read',
  marketing_message_clicks: 'clicked',
  marketing_message_delivery_failed: 'failed',
};

export interface MarketingEvent {
  step: MarketingStep;
  /** The entry's page: the one the delivery was authenticated against. */
  pageId: string;
  token: string | null;
  trackingId: string | null;
  /** Meta's `message_id`: the message campaign. */
  messageId: string | null;
  /** Absent for subscribers from a Custom Audience. */
  recipientId: string | null;
  at: Date;
  error: string | null;
}

const isRec = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

export function parseMarketingWebhook(
  body: unknown,
  now: Date,
): { events: MarketingEvent[]; errors: string[] } {
  const events: MarketingEvent[] = [];
  const errors: string[] = [];
  if (!isRec(body) || body.object !== 'page' || !Array.isArray(body.entry)) return { events, errors };
  body.entry.forEach((entry, ei) => {
    if (!isRec(entry) || !Array.isArray(entry.changes)) return;
    const pageId = idOf(entry.id);
    entry.changes.forEach((change, ci) => {
      if (!isRec(change) || typeof change.field !== 'string') return;
      const step = MARKETING_FIELDS[change.field];
      if (!step) return; // another Page field (templates, feed …): not ours.
      const at = `entry[${ei}].changes[${ci}]`;
      const v = change.value;
      if (!isRec(v) || !pageId) {
        errors.push(`${at}: ${change.field} without a value or page`);
        return;
      }
      // One workspace's page cannot speak for another's: the value must name the entry's page.
      const valuePage = idOf(v.page_id);
      if (valuePage && valuePage !== pageId) {
        errors.push(`${at}: page_id ${valuePage} is not the entry's page`);
        return;
      }
      const token = idOf(v.messenger_subscription_token);
      const trackingId = idOf(v.marketing_message_tracking_id);
      if (!token && !trackingId) {
        errors.push(`${at}: ${change.field} names neither a token nor a tracking id`);
        return;
      }
      events.push({
        step,
        pageId,
        token,
        trackingId,
        messageId: idOf(v.message_id),
        recipientId: idOf(v.recipient_id),
        at: parseMetaTimestamp(v.timestamp as number | string | undefined) ?? now,
        error: typeof v.error_message === 'string' ? v.error_message : null,
      });
    });
  });
  return { events, errors };
}
