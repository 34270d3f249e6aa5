// The dispatcher's narrow seam (listmonk's manager.Store): everything campaign sending reads or writes
// goes through these few operations, implemented in storage/dispatch-store.ts and passed in by the
// composition root. The life cycle (due → running, pause, complete) is app's one conditional update,
// also passed in. The Graph client is passed in as the channel.
import type { CampaignCommand } from '../domain/campaigns.ts';
import type { Clock } from '../domain/model.ts';
import type {
  ActiveCampaign,
  ClaimedRecipient,
  ClaimOptions,
  ClaimPlan,
  OutcomeScope,
  RecordedSend,
} from '../storage/dispatch-store.ts';
import type { CampaignRow } from '../storage/schema.ts';
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
}
