-- Accounts, roles, sessions, API keys, user invitations and the audit log; secrets at rest.

CREATE TABLE users (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  password_changed_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE memberships (
  user_id int NOT NULL REFERENCES users (id),
  workspace_id int NOT NULL REFERENCES workspaces (id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, workspace_id)
);

CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id int NOT NULL REFERENCES users (id),
  workspace_id int NOT NULL REFERENCES workspaces (id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
  created_by int REFERENCES users (id),
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz,
  CONSTRAINT api_keys_hash_key UNIQUE (key_hash)
);

CREATE TABLE user_invites (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
  token_hash text NOT NULL UNIQUE,
  invited_by int REFERENCES users (id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz
);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  user_id int REFERENCES users (id),
  api_key_id int REFERENCES api_keys (id),
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  status int NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, at DESC);

-- Notification tokens are stored encrypted; equality lookups and uniqueness go through a keyed hash.
ALTER TABLE subscriptions ADD COLUMN token_hash text;
UPDATE subscriptions SET token_hash = md5(token) WHERE token_hash IS NULL;
ALTER TABLE subscriptions ALTER COLUMN token_hash SET NOT NULL;
DROP INDEX subscriptions_page_token;
CREATE UNIQUE INDEX subscriptions_page_token ON subscriptions (page_id, token_hash);

-- Raw webhook events carry tokens: the body is stored encrypted (text, not jsonb).
ALTER TABLE webhook_events ALTER COLUMN body TYPE text USING body::text;
