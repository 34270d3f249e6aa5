-- Campaigns (R9): one notification to the subscribers of a topic, narrowed by filters; and one delivery
-- row per recipient, materialised once at start, which is both the work queue and the checkpoint of
-- the dispatcher (each row moves pending → sending → sent | failed | skipped, in the transaction that
-- records the Graph answer).

CREATE TABLE campaigns (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  topic_id int NOT NULL REFERENCES topics (id),
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')),
  pause_reason text,
  audience jsonb NOT NULL DEFAULT '{}',
  content jsonb NOT NULL,
  allow_defer boolean NOT NULL DEFAULT false,
  -- Signs the tracked-redirect tokens of URL buttons (GET /r/:token).
  link_secret text NOT NULL,
  scheduled_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  -- Materialisation checkpoint: the audience is copied in keyset pages of customers.id.
  audience_cursor int NOT NULL DEFAULT 0,
  materialized boolean NOT NULL DEFAULT false,
  targeted int NOT NULL DEFAULT 0,
  sent_count int NOT NULL DEFAULT 0,
  failed_count int NOT NULL DEFAULT 0,
  skipped_count int NOT NULL DEFAULT 0,
  checkpoint_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX campaigns_workspace ON campaigns (workspace_id, id);
CREATE INDEX campaigns_active ON campaigns (status, scheduled_at) WHERE status IN ('scheduled', 'running');

CREATE TABLE campaign_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id int NOT NULL REFERENCES campaigns (id),
  customer_id int NOT NULL REFERENCES customers (id),
  subscription_id int REFERENCES subscriptions (id),
  -- pending: not tried. sending: token claimed, a Graph call may be in flight (lease_until). retry: a
  -- call's answer was lost or transient — resent on the same token, which Meta will not deliver twice.
  status text NOT NULL CHECK (status IN ('pending', 'sending', 'retry', 'deferred', 'sent', 'failed', 'skipped')),
  reason text,
  message_id text,
  claim_id text,
  attempts int NOT NULL DEFAULT 0,
  lease_until timestamptz,
  -- The claimed token's own period end (recurring): resending after it could deliver twice.
  token_period_end timestamptz,
  deferred_until timestamptz,
  sent_at timestamptz,
  clicked_at timestamptz,
  CONSTRAINT campaign_deliveries_once UNIQUE (campaign_id, customer_id)
);
CREATE INDEX campaign_deliveries_todo ON campaign_deliveries (campaign_id, id)
  WHERE status IN ('pending', 'sending', 'retry', 'deferred');
CREATE INDEX campaign_deliveries_status ON campaign_deliveries (campaign_id, status, id);
CREATE INDEX campaign_deliveries_message ON campaign_deliveries (message_id) WHERE message_id IS NOT NULL;
