// The channel side of a batch: the claimed messages go out as Graph batch calls of at most 50 items,
// a few calls in flight at once; the answers come back in the order of the items.
import type { BatchItem, PageCredentials, SendResult } from '../channel/index.ts';
import { LIMITS } from '../domain/platform.ts';

/** The part of the Graph client the dispatcher needs (passed in: the production client or a test's). */
export interface BatchChannel {
  sendBatch(page: PageCredentials, items: readonly BatchItem[]): Promise<SendResult[]>;
}

export async function sendChunks(
  channel: BatchChannel,
  page: PageCredentials,
  items: BatchItem[],
  parallel: number,
): Promise<SendResult[]> {
  const chunks: BatchItem[][] = [];
  for (let i = 0; i < items.length; i += LIMITS.batchMax) chunks.push(items.slice(i, i + LIMITS.batchMax));
  const out: SendResult[][] = new Array(chunks.length);
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const i = next++;
      out[i] = await channel.sendBatch(page, chunks[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, chunks.length)) }, lane));
  return out.flat();
}
