-- renotify schema, version 1. Every row belongs to a workspace (tenancy); pages carry their platform
-- profile and time zone; consent history is append-only (enforced by a trigger).

CREATE TABLE workspaces (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE pages (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  fb_page_id text NOT NULL,
  name text NOT NULL,
  profile text NOT NULL CHECK (profile IN ('legacy-2022', '2023', '2025', '2026')),
  time_zone text NOT NULL,
  region text,
  opt_in_feature_enabled boolean NOT NULL DEFAULT true,
  restricted_reason text,
  access_token text,
  app_secret text,
  created_at timestamptz NOT NULL,
  -- A page belongs to one workspace only.
  CONSTRAINT pages_fb_page_id_key UNIQUE (fb_page_id)
);
CREATE INDEX pages_workspace ON pages (workspace_id);

CREATE TABLE customers (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  psid text NOT NULL,
  name text,
  first_name text,
  last_name text,
  locale text,
  last_interaction_at timestamptz,
  unreachable_reason text,
  labels text[] NOT NULL DEFAULT '{}',
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  CONSTRAINT customers_page_psid_key UNIQUE (page_id, psid)
);
CREATE INDEX customers_last_interaction ON customers (page_id, last_interaction_at DESC);

CREATE TABLE messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  customer_id int NOT NULL REFERENCES customers (id),
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  sender_kind text NOT NULL CHECK (sender_kind IN ('customer', 'bot', 'agent', 'campaign', 'page')),
  kind text NOT NULL,
  mid text,
  text text,
  payload jsonb,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz,
  read_at timestamptz
);
CREATE UNIQUE INDEX messages_mid ON messages (page_id, mid) WHERE mid IS NOT NULL;
CREATE INDEX messages_conversation ON messages (customer_id, created_at);

CREATE TABLE topics (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('recurring', 'one_time')),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 65),
  image_url text,
  cta_text text,
  frequency text CHECK (frequency IN ('DAILY', 'WEEKLY', 'MONTHLY')),
  validity_months int,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Deleted topics are kept (soft delete) so that their consent history keeps its subject.
  deleted_at timestamptz,
  CHECK ((kind = 'recurring') = (frequency IS NOT NULL))
);
CREATE UNIQUE INDEX topics_page_name ON topics (page_id, lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE invitations (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  topic_id int NOT NULL REFERENCES topics (id),
  customer_id int NOT NULL REFERENCES customers (id),
  sender_kind text NOT NULL CHECK (sender_kind IN ('bot', 'agent', 'campaign')),
  sender_ref text,
  title text NOT NULL,
  -- The opt-in template's payload: how an opt-in webhook finds its invitation.
  payload text NOT NULL,
  status text NOT NULL CHECK (status IN ('sent', 'refused')),
  message_id text,
  sent_at timestamptz NOT NULL,
  accepted_at timestamptz,
  CONSTRAINT invitations_payload_key UNIQUE (payload)
);
CREATE INDEX invitations_customer ON invitations (customer_id, sent_at DESC);
CREATE INDEX invitations_topic ON invitations (topic_id, sent_at);

CREATE TABLE subscriptions (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  topic_id int NOT NULL REFERENCES topics (id),
  customer_id int NOT NULL REFERENCES customers (id),
  kind text NOT NULL CHECK (kind IN ('recurring', 'one_time')),
  token text NOT NULL,
  invitation_id int REFERENCES invitations (id),
  opted_in_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  stopped_at timestamptz,
  used_at timestamptz,
  frequency text,
  last_sent_at timestamptz,
  next_eligible_at timestamptz,
  -- Set when the expiry has been written to the consent history (expiry happens by time alone).
  expiry_recorded_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX subscriptions_page_token ON subscriptions (page_id, token);
-- R3b: one recurring subscription per customer and topic; OTN tokens stack (R7d).
CREATE UNIQUE INDEX subscriptions_recurring_one ON subscriptions (topic_id, customer_id) WHERE kind = 'recurring';
CREATE INDEX subscriptions_customer ON subscriptions (customer_id, topic_id);
CREATE INDEX subscriptions_audience ON subscriptions (topic_id, customer_id)
  INCLUDE (expires_at, stopped_at, used_at, next_eligible_at);
CREATE INDEX subscriptions_expiry ON subscriptions (expires_at) WHERE expiry_recorded_at IS NULL;

CREATE TABLE consent_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  topic_id int NOT NULL REFERENCES topics (id),
  customer_id int NOT NULL REFERENCES customers (id),
  subscription_id int REFERENCES subscriptions (id),
  event text NOT NULL CHECK (event IN ('accepted', 'accepted_again', 'accepted_stale', 'stopped', 'resumed', 'used', 'expired')),
  at timestamptz NOT NULL,
  invitation_id int REFERENCES invitations (id),
  sender_kind text,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX consent_history_subject ON consent_history (customer_id, topic_id, at);
CREATE INDEX consent_history_workspace ON consent_history (workspace_id, at);

CREATE FUNCTION consent_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_history is append-only';
END
$$;
CREATE TRIGGER consent_history_no_change BEFORE UPDATE OR DELETE ON consent_history
  FOR EACH ROW EXECUTE FUNCTION consent_history_append_only();

CREATE TABLE settings (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int REFERENCES pages (id),
  key text NOT NULL,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX settings_scope_key ON settings (workspace_id, coalesce(page_id, 0), key);
