// Invitations: one opt-in card of one topic sent to one customer (R2, R4).
import type { InvitationState } from '../domain/model.ts';
import type { Executor } from './db.ts';
import type { InvitationRow } from './schema.ts';

export function toInvitationState(row: InvitationRow): InvitationState {
  return {
    id: row.id,
    topicId: row.topic_id,
    title: row.title,
    sentAt: row.sent_at,
    acceptedAt: row.accepted_at,
    status: row.status,
  };
}

export interface NewInvitation {
  workspaceId: number;
  pageId: number;
  topicId: number;
  customerId: number;
  senderKind: 'bot' | 'agent' | 'campaign';
  senderRef?: string | null;
  title: string;
  payload: string;
  status: 'sent' | 'refused';
  messageId?: string | null;
  sentAt: Date;
}

export async function insertInvitation(db: Executor, i: NewInvitation): Promise<InvitationRow> {
  return db
    .insertInto('invitations')
    .values({
      workspace_id: i.workspaceId,
      page_id: i.pageId,
      topic_id: i.topicId,
      customer_id: i.customerId,
      sender_kind: i.senderKind,
      sender_ref: i.senderRef ?? null,
      title: i.title,
      payload: i.payload,
      status: i.status,
      message_id: i.messageId ?? null,
      sent_at: i.sentAt,
      accepted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function customerInvitations(db: Executor, customerId: number): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('sent_at', 'desc')
    .execute();
}

export async function findInvitationByPayload(
  db: Executor,
  pageId: number,
  payload: string,
): Promise<InvitationRow | undefined> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('payload', '=', payload)
    .forUpdate()
    .executeTakeFirst();
}

export async function markInvitationAccepted(db: Executor, id: number, at: Date): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ accepted_at: at })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .execute();
}
