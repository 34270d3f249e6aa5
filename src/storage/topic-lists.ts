// What R4's Sent / Not sent lists of one customer are computed from — the page's topics, the customer's
// invitations and subscriptions — read in one query (one round trip, one snapshot), scoped to the
// workspace: a customer of another workspace reads as absent.
import type { InvitationState, SubscriptionState, TopicState } from '../domain/model.ts';
import type { CtaText, Frequency } from '../domain/platform.ts';
import { type Executor, prepared } from './db.ts';
import { decrypt } from './secrets.ts';

export interface TopicListInputs {
  topics: TopicState[];
  invitations: InvitationState[];
  subscriptions: SubscriptionState[];
}

type Json<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};
const date = (s: string) => new Date(s);
const dateOrNull = (s: string | null) => (s === null ? null : new Date(s));

// Prepared: the R4 lists are read on every conversation the inbox opens.
const listInputs = prepared<{
  topics: TopicState[];
  invitations: Json<InvitationState>[];
  subscriptions: Json<SubscriptionState>[];
}>(
  'topic_list_inputs',
  `SELECT
      (SELECT coalesce(json_agg(json_build_object(
                'id', t.id, 'name', t.name, 'kind', t.kind, 'title', t.title, 'active', t.active,
                'frequency', t.frequency, 'ctaText', t.cta_text, 'imageUrl', t.image_url,
                'validityMonths', t.validity_months) ORDER BY t.name), '[]'::json)
         FROM topics t WHERE t.page_id = c.page_id AND t.deleted_at IS NULL) AS topics,
      (SELECT coalesce(json_agg(json_build_object(
                'id', i.id, 'topicId', i.topic_id, 'title', i.title, 'sentAt', i.sent_at,
                'acceptedAt', i.accepted_at, 'status', i.status) ORDER BY i.sent_at DESC), '[]'::json)
         FROM invitations i WHERE i.customer_id = c.id) AS invitations,
      (SELECT coalesce(json_agg(json_build_object(
                'id', s.id, 'topicId', s.topic_id, 'kind', s.kind, 'token', s.token,
                'invitationId', s.invitation_id, 'optedInAt', s.opted_in_at, 'expiresAt', s.expires_at,
                'stoppedAt', s.stopped_at, 'usedAt', s.used_at, 'frequency', s.frequency,
                'lastSentAt', s.last_sent_at, 'nextEligibleAt', s.next_eligible_at) ORDER BY s.id), '[]'::json)
         FROM subscriptions s WHERE s.customer_id = c.id) AS subscriptions
    FROM customers c
    WHERE c.id = $1 AND c.workspace_id = $2`,
);

export async function topicListInputs(
  db: Executor,
  workspaceId: number,
  customerId: number,
): Promise<TopicListInputs | undefined> {
  const [row] = await listInputs.run(db, [customerId, workspaceId]);
  if (!row) return undefined;
  return {
    topics: row.topics.map((t) => ({
      ...t,
      frequency: t.frequency as Frequency | null,
      ctaText: t.ctaText as CtaText | null,
    })),
    invitations: row.invitations.map((i) => ({
      ...i,
      sentAt: date(i.sentAt),
      acceptedAt: dateOrNull(i.acceptedAt),
    })),
    subscriptions: row.subscriptions.map((s) => ({
      ...s,
      token: decrypt(s.token),
      optedInAt: date(s.optedInAt),
      expiresAt: date(s.expiresAt),
      stoppedAt: dateOrNull(s.stoppedAt),
      usedAt: dateOrNull(s.usedAt),
      lastSentAt: dateOrNull(s.lastSentAt),
      nextEligibleAt: dateOrNull(s.nextEligibleAt),
    })),
  };
}

/** The lists' statement with its two ids written in (bench:store EXPLAINs it: its time inside the server). */
export function topicListStatement(customerId: number, workspaceId: number): string {
  const id = (n: number) => String(Math.trunc(n));
  return listInputs.text.replace('$1', id(customerId)).replace('$2', id(workspaceId));
}
