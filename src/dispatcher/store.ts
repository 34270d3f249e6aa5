// The dispatcher's narrow seam (listmonk's manager.Store): everything campaign sending reads or writes
// goes through these few operations, implemented in storage/dispatch-store.ts and passed in by the
// composition root. The life cycle (due → running, pause, complete) is app's one conditional update,
// also passed in. The Graph client is passed in as the channel.
import type { OutgoingMessage } from '../channel/index.ts';
import type { CampaignCommand } from '../domain/campaigns.ts';
import type { Clock } from '../domain/model.ts';
import type { Outcome as PaidOutcome } from '../storage/campaign-deliveries.ts';
import type {
  ActiveCampaign,
  ClaimedRecipient,
  ClaimOptions,
  ClaimPlan,
  OutcomeScope,
  RecordedSend,
} from '../storage/dispatch-store.ts';
import type { CampaignRow, CustomerRow } from '../storage/schema.ts';
import type { BatchChannel } from './send-batch.ts';

export interface DispatchStore {
  /** Campaigns with work now (running; scheduled and due), each with its page and topic: one read a tick. */
  activeCampaigns(now: Date): Promise<ActiveCampaign[]>;
  /** Copies the next page of the audience into recipients; false when there was nothing to do. */
  materialiseNext(campaignId: number, pageSize: number, now: Date): Promise<boolean>;
  /** Claims a batch, has `plan` decide each recipient, writes the decisions; null when none was free. */
  claimBatch(
    campaign: Pick<CampaignRow, 'id' | 'topic_id'>,
    opts: ClaimOptions,
    plan: (batch: ClaimedRecipient[]) => ClaimPlan,
  ): Promise<{ claimed: number; sending: Set<number> } | null>;
  /** Outcomes + checkpoint, inbox log, consent rows and Meta's effects of one sent batch, durably. */
  recordBatch(
    campaign: Pick<CampaignRow, 'id'>,
    claimId: string,
    sends: readonly RecordedSend[],
    scope: OutcomeScope,
    at: Date,
    retryForMs: number,
  ): Promise<void>;
  /** Recipients with work left; the campaign completes when there are none. */
  openCount(campaignId: number): Promise<number>;
  /** R14c: a paid campaign's batch claimed, each recipient with its customer (dispatcher/paid-batch.ts). */
  claimPaid(
    campaignId: number,
    opts: { claimId: string; limit: number; leaseMs: number; now: Date },
  ): Promise<Array<{ id: number; customer: CustomerRow }>>;
  /** R14c: a paid batch's outcomes, under the claim. */
  recordPaid(campaignId: number, claimId: string, outcomes: PaidOutcome[], at: Date): Promise<void>;
}

export interface DispatchContext {
  store: DispatchStore;
  clock: Clock;
  channel: BatchChannel;
  /** Base of tracked links (GET /r/:token). */
  publicUrl: string;
  /**
   * The campaign's life cycle (due → running, pause, complete) through app's one conditional update
   * (`app/campaigns.command`), filled by the composition root so the dispatcher does not import app.
   */
  lifecycle(campaignId: number, cmd: CampaignCommand): Promise<unknown>;
  /** R14c: paid marketing messages (app's use case, filled by the root) for pages whose recurring route is closed. */
  paid?: PaidCampaignSend;
}

export type PaidDeliveryAnswer =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped' | 'failed'; reason: string }
  /** Meta's campaign is not active yet (2300003): the recipient waits for it. */
  | { status: 'deferred'; reason: string; until: Date };

/** One campaign recipient as a paid marketing message; the root fills it with app's use-case. */
export type PaidCampaignSend = (req: {
  workspaceId: number;
  campaignId: number;
  customerId: number;
  topicId: number;
  message: OutgoingMessage;
}) => Promise<PaidDeliveryAnswer>;
