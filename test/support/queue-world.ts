// A migrated database with a started pg-boss queue and a Graph client that is never reached (seeded pages
// have no access token, so no profile is fetched): what the webhook-processing suites share.
import { afterAll, beforeAll } from 'vitest';
import { GraphClient } from '../../src/channel/index.ts';
import { JobQueue } from '../../src/jobs/queue.ts';
import type { Storage } from '../../src/storage/db.ts';
import { type Backend, openTestStorage } from './backends.ts';

export interface QueueWorld {
  storage: Storage;
  queue: JobQueue;
  graph: GraphClient;
}

/** Call inside a describe: opens before its tests, closes after them. */
export function useQueueWorld(backend: Backend, name: string): QueueWorld {
  const world = { graph: new GraphClient({ baseUrl: 'http://127.0.0.1:9', version: 'v23.0' }) } as QueueWorld;
  beforeAll(async () => {
    world.storage = await openTestStorage(backend);
    world.queue = new JobQueue(world.storage, { schema: `pgboss_${name}_${Date.now()}` });
    await world.queue.start();
  });
  afterAll(async () => {
    await world.queue?.stop();
    await world.graph.close();
    await world.storage?.close();
  });
  return world;
}
