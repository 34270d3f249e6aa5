-- Paid marketing messages (R14): the workspace's ad account (R14a), the Meta message campaigns the
-- product created (R14c), one row per paid send with its funnel and committed cost (R14d), and the
-- budget a campaign carries (R14d).

CREATE TABLE ad_accounts (
  workspace_id int PRIMARY KEY REFERENCES workspaces (id),
  -- Meta's ad account id without the act_ prefix.
  ad_account_id text NOT NULL,
  -- The system-user token, encrypted at rest (storage/secrets.ts).
  access_token text NOT NULL,
  name text,
  currency text NOT NULL,
  default_budget_minor bigint CHECK (default_budget_minor IS NULL OR default_budget_minor >= 0),
  min_conversation_gap_seconds int NOT NULL CHECK (min_conversation_gap_seconds >= 0),
  checked_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- One Meta message campaign per product campaign, and one per page for topic notifications
-- (campaign_id NULL). Dropped (dropped_at) when Meta says it is inactive or unknown; a new one is made.
CREATE TABLE message_campaigns (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  campaign_id int REFERENCES campaigns (id),
  meta_campaign_id text NOT NULL,
  budget_minor bigint,
  unit_cost_minor bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  dropped_at timestamptz
);
CREATE UNIQUE INDEX message_campaigns_live ON message_campaigns (page_id, coalesce(campaign_id, 0))
  WHERE dropped_at IS NULL;

CREATE TABLE marketing_sends (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  customer_id int NOT NULL REFERENCES customers (id),
  topic_id int REFERENCES topics (id),
  campaign_id int REFERENCES campaigns (id),
  subscription_id int REFERENCES subscriptions (id),
  message_campaign_id int NOT NULL REFERENCES message_campaigns (id),
  -- Keyed hash of the subscription token: Meta's webhooks name the token, not our ids.
  token_hash text NOT NULL,
  tracking_id text,
  sent_at timestamptz NOT NULL,
  -- The price committed against the budget before the call (R14d); charged only when delivered.
  cost_minor bigint NOT NULL DEFAULT 0,
  delivered_at timestamptz,
  read_at timestamptz,
  clicked_at timestamptz,
  failed_at timestamptz,
  failure text
);
CREATE UNIQUE INDEX marketing_sends_tracking ON marketing_sends (tracking_id) WHERE tracking_id IS NOT NULL;
-- R12g: the 12-hour limit is per token, i.e. per customer and page, across topics and campaigns.
CREATE INDEX marketing_sends_customer ON marketing_sends (customer_id, sent_at);
CREATE INDEX marketing_sends_token ON marketing_sends (page_id, token_hash, sent_at);
CREATE INDEX marketing_sends_campaign ON marketing_sends (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX marketing_sends_topic ON marketing_sends (topic_id, sent_at);

ALTER TABLE campaigns ADD COLUMN budget_minor bigint CHECK (budget_minor IS NULL OR budget_minor >= 0);
