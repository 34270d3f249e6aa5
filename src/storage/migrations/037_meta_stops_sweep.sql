-- R14e: every minute each worker process looks for recurring tokens stopped on paid-route pages and not
-- yet told to Meta (storage/meta-subscribers.ts `stopsNotToldToMeta`), in id order. Without these it read
-- every token of the table and the whole consent history (append-only, the largest table a shop has) each
-- time; now the stopped tokens in id order, each checked by a lookup of its own Meta mark.
CREATE INDEX subscriptions_stopped_recurring ON subscriptions (id)
  WHERE kind = 'recurring' AND stopped_at IS NOT NULL;
CREATE INDEX consent_history_meta_unsubscribed ON consent_history (subscription_id, at)
  WHERE event = 'meta_unsubscribed';
