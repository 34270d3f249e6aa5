// The agent's inbox: a page's conversations with their R1 window, last message and labels, filtered
// and keyset-paged; labels on customers. The window thresholds and label rules live in the domain.
import { type CampaignContent, personalise } from '../domain/campaigns.ts';
import { DomainError } from '../domain/errors.ts';
import { applyLabelChange, foldForSearch, type LabelChange, windowRange } from '../domain/inbox.ts';
import { type WindowState, windowState } from '../domain/send-resolver.ts';
import * as campaignsStore from '../storage/campaigns.ts';
import * as convs from '../storage/conversations.ts';
import * as customers from '../storage/customers.ts';
import { inTransaction } from '../storage/db.ts';
import * as messages from '../storage/messages.ts';
import type { AppContext } from './context.ts';
import { loadConversation } from './sends.ts';
import { getPage } from './workspaces.ts';

export interface ConversationQuery {
  q?: string | undefined;
  window?: WindowState | undefined;
  label?: string | undefined;
  limit?: number | undefined;
  /** The opaque cursor a previous page returned as `next`. */
  after?: string | undefined;
}

export interface ConversationSummary {
  customerId: number;
  psid: string;
  name: string | null;
  labels: string[];
  lastInteractionAt: Date | null;
  window: WindowState;
  unreachableReason: string | null;
  lastMessage: {
    preview: string;
    kind: string;
    direction: 'in' | 'out';
    sender: string;
    at: Date;
  } | null;
  /** The customer wrote last: nothing was sent to them after their latest message. [D] */
  unread: boolean;
}

const PREVIEW_CHARS = 100;

/**
 * What the customer saw, as one line: the text, else the card's title or the button template's text
 * (invitations and campaign messages carry their content in the payload). '' when a message has no
 * words (an opt-in event, an image): the console names those by `kind`, in the agent's language.
 */
export function preview(text: string | null, payload: unknown): string {
  const att = (
    payload as { attachment?: { type?: string; payload?: { title?: unknown; text?: unknown } } } | null
  )?.attachment;
  const words =
    text ??
    (att?.type === 'template'
      ? [att.payload?.title, att.payload?.text].find((x): x is string => typeof x === 'string')
      : undefined);
  if (!words) return '';
  const chars = [...words.replace(/\s+/g, ' ').trim()];
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : chars.join('');
}

export function encodeCursor(c: { lastInteractionAt: Date | null; id: number }): string {
  return Buffer.from(JSON.stringify([c.lastInteractionAt?.toISOString() ?? null, c.id])).toString(
    'base64url',
  );
}

export function decodeCursor(s: string): { lastInteractionAt: Date | null; id: number } {
  try {
    const [t, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [unknown, unknown];
    const at = t === null ? null : new Date(String(t));
    if (Number.isInteger(id) && (at === null || !Number.isNaN(at.getTime()))) {
      return { lastInteractionAt: at, id: id as number };
    }
  } catch {
    // fall through: any malformed cursor is the same input error
  }
  throw new DomainError('validation_failed', 'The cursor `after` is not one this API returned.', {
    field: 'after',
  });
}

export async function listPageConversations(
  ctx: AppContext,
  workspaceId: number,
  pageId: number,
  query: ConversationQuery,
): Promise<{ conversations: ConversationSummary[]; next: string | null }> {
  await getPage(ctx, workspaceId, pageId);
  const now = ctx.clock.now();
  const limit = query.limit ?? 50;
  const q = query.q?.trim();
  const rows = await convs.listConversations(ctx.db, {
    workspaceId,
    pageId,
    limit: limit + 1,
    ...(q && { q: { text: q, folded: foldForSearch(q) } }),
    ...(query.label && { label: query.label.trim() }),
    ...(query.window && { interaction: windowRange(query.window, now) }),
    ...(query.after && { after: decodeCursor(query.after) }),
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    conversations: page.map((r) => ({
      customerId: r.id,
      psid: r.psid,
      name: r.name,
      labels: r.labels,
      lastInteractionAt: r.last_interaction_at,
      window: windowState(r.last_interaction_at, now),
      unreachableReason: r.unreachable_reason,
      lastMessage:
        r.last_message_at && r.last_message_kind && r.last_message_direction
          ? {
              preview: preview(r.last_message_text, r.last_message_payload),
              kind: r.last_message_kind,
              direction: r.last_message_direction,
              sender: r.last_message_sender ?? 'page',
              at: r.last_message_at,
            }
          : null,
      unread: r.last_in_at !== null && (r.last_out_at === null || r.last_in_at > r.last_out_at),
    })),
    next:
      rows.length > limit && last
        ? encodeCursor({ lastInteractionAt: last.last_interaction_at, id: last.id })
        : null,
  };
}

/** Set, add or remove labels on a customer; a refused change leaves the labels as they were. */
export async function changeLabels(
  ctx: AppContext,
  workspaceId: number,
  customerId: number,
  change: LabelChange,
): Promise<string[]> {
  return inTransaction(ctx.db, async (tx) => {
    const customer = await customers.findCustomer(tx, workspaceId, customerId, { forUpdate: true });
    if (!customer)
      throw new DomainError('customer_not_found', `No customer ${customerId} in this workspace.`);
    return customers.setLabels(tx, customer.id, applyLabelChange(customer.labels, change));
  });
}

export async function labelsOfPage(ctx: AppContext, workspaceId: number, pageId: number) {
  await getPage(ctx, workspaceId, pageId);
  return convs.pageLabels(ctx.db, pageId);
}

/**
 * A conversation's messages, oldest first. Campaign messages logged before their content was kept
 * (payload `{ campaignId }` only) are shown from the campaign's content, personalised for this customer,
 * so the agent sees what the customer saw rather than "[notification]".
 */
export async function conversationThread(ctx: AppContext, workspaceId: number, customerId: number) {
  const { customer } = await loadConversation(ctx.db, workspaceId, customerId);
  const rows = await messages.conversationMessages(ctx.db, customer.id);
  const legacyId = (r: (typeof rows)[number]): number | null => {
    const pl = r.payload as { campaignId?: unknown; attachment?: unknown; text?: unknown } | null;
    return r.sender_kind === 'campaign' &&
      r.text === null &&
      typeof pl?.campaignId === 'number' &&
      !pl.attachment
      ? pl.campaignId
      : null;
  };
  const contents = new Map<number, CampaignContent>();
  for (const id of new Set(rows.map(legacyId).filter((x): x is number => x !== null))) {
    const c = await campaignsStore.findCampaign(ctx.db, workspaceId, id);
    if (c) contents.set(id, c.content as CampaignContent);
  }
  const who = { firstName: customer.first_name, lastName: customer.last_name, name: customer.name };
  return rows.map((r) => {
    const id = legacyId(r);
    const content = id === null ? undefined : contents.get(id);
    if (!content) return r;
    if (content.type === 'text') return { ...r, text: personalise(content.text, who) };
    const attachment =
      content.type === 'image'
        ? { type: 'image', payload: { url: content.url } }
        : {
            type: 'template',
            payload: {
              template_type: 'button',
              text: personalise(content.text, who),
              buttons: content.buttons.map((b) => ({ type: b.type, title: b.title })),
            },
          };
    return { ...r, payload: { campaignId: id, attachment } };
  });
}
