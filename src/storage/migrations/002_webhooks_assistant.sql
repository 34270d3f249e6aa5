-- Webhook inbox: each Messenger event is stored with an idempotency key before the 200, then applied
-- by the worker in timestamp order per customer.
CREATE TABLE webhook_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fb_page_id text NOT NULL,
  psid text NOT NULL,
  kind text NOT NULL,
  idempotency_key text NOT NULL,
  event_at timestamptz NOT NULL,
  body jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  outcome text,
  CONSTRAINT webhook_events_key UNIQUE (idempotency_key)
);
CREATE INDEX webhook_events_pending ON webhook_events (fb_page_id, psid, event_at, id) WHERE processed_at IS NULL;

-- Stop / resume may arrive out of order: only a newer status change applies.
ALTER TABLE subscriptions ADD COLUMN status_at timestamptz;

-- Chat assistant (Trợ lý chat): triggers answered by a sequence of blocks.
CREATE TABLE assistant_triggers (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  kind text NOT NULL CHECK (kind IN ('get_started', 'keyword_exact', 'keyword_contains', 'postback', 'quick_reply', 'default')),
  value text,
  blocks jsonb NOT NULL,
  position int NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX assistant_triggers_page ON assistant_triggers (page_id, position, id);
