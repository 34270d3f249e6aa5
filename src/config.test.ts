// Settings read from the environment: an operator's mistake is refused at start, naming the variable.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { webhookBatchesAtOnce } from './worker.ts';

describe('WEBHOOK_WORKER_BATCHES', () => {
  it('defaults to 4 batches at once and takes a whole number from 1 to 4 (each holds a pooled connection)', () => {
    expect(loadConfig({}).webhook.workerBatches).toBe(4);
    expect(loadConfig({ WEBHOOK_WORKER_BATCHES: '' }).webhook.workerBatches).toBe(4);
    expect(loadConfig({ WEBHOOK_WORKER_BATCHES: '1' }).webhook.workerBatches).toBe(1);
    expect(loadConfig({ WEBHOOK_WORKER_BATCHES: '4' }).webhook.workerBatches).toBe(4);
    for (const bad of ['0', '5', '16', '2.5', '-1', 'two'])
      expect(() => loadConfig({ WEBHOOK_WORKER_BATCHES: bad }), bad).toThrow(
        `WEBHOOK_WORKER_BATCHES must be a whole number from 1 to 4, got "${bad}"`,
      );
  });

  it("is what the worker runs on PostgreSQL; PGlite's one connection runs one batch at a time", () => {
    const webhook = loadConfig({ WEBHOOK_WORKER_BATCHES: '2' }).webhook;
    expect(webhookBatchesAtOnce(webhook, 'postgres')).toBe(2);
    expect(webhookBatchesAtOnce(webhook, 'pglite')).toBe(1);
    expect(webhookBatchesAtOnce(loadConfig({}).webhook, 'postgres')).toBe(4);
  });
});
