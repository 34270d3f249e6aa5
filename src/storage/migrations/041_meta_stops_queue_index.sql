-- R14e: the stops still to tell Meta (migration 040), per page (a sweep reads only the paid-route pages),
-- never tried first, then the longest since a refused try. IF NOT EXISTS: on a large table it is built
-- online before this migration runs (storage/migrate.ts).
CREATE INDEX IF NOT EXISTS subscriptions_meta_stops_untold ON subscriptions (page_id, meta_stop_tried_at NULLS FIRST, id)
  WHERE kind = 'recurring' AND stopped_at IS NOT NULL
    AND (meta_stop_told_at IS NULL OR meta_stop_told_at < stopped_at);
