-- R14e: the stops already told to Meta before migration 040, from the consent history (a stop is told
-- when a meta_unsubscribed follows it). Apart from 040, so the scan of the history does not hold the
-- subscriptions table exclusively: only the rows it marks are locked.
UPDATE subscriptions s SET meta_stop_told_at = h.at
FROM (SELECT subscription_id, max(at) AS at FROM consent_history WHERE event = 'meta_unsubscribed' GROUP BY 1) h
WHERE h.subscription_id = s.id AND s.kind = 'recurring' AND s.stopped_at IS NOT NULL AND h.at >= s.stopped_at;

-- Migration 037's index of the history's Meta marks served the walk 040 replaced, and the scan above.
DROP INDEX IF EXISTS consent_history_meta_unsubscribed;
