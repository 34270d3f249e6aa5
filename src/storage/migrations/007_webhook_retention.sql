-- Processed webhook events are pruned after the retention period (WEBHOOK_RETENTION_DAYS): the prune
-- walks them oldest first by processed_at, so it needs an index that holds only processed rows.
CREATE INDEX webhook_events_processed ON webhook_events (processed_at) WHERE processed_at IS NOT NULL;
