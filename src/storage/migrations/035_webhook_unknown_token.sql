-- A recurring opt-in replays the customer's Stop / Resume events that arrived before it (outcome
-- `unknown_token`, webhook-processing.ts). That lookup had no index but the whole inbox: every recurring
-- opt-in scanned every processed event. Only those rare events are indexed here.
CREATE INDEX IF NOT EXISTS webhook_events_unknown_token ON webhook_events (fb_page_id, psid, event_at)
  WHERE outcome = 'unknown_token';
