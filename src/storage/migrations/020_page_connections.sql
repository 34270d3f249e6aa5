-- Issue 12 item 3: pages connected through Facebook Login. A page's connection says whether it may
-- send (connected), needs the owner to run the Login flow again (token revoked or a permission lost),
-- or was disconnected by the owner (its history stays). `restricted_reason` still stops sending; the
-- connection tells why.
ALTER TABLE pages
  ADD COLUMN connection_status text NOT NULL DEFAULT 'connected'
    CHECK (connection_status IN ('connected', 'needs_reconnect', 'disconnected')),
  ADD COLUMN connection_reason text,
  ADD COLUMN connected_at timestamptz,
  ADD COLUMN health_checked_at timestamptz;

-- One Login round trip: the `state` nonce (stored as an HMAC, single use, expiring), the session that
-- started it, and — after the callback — the person's long-lived token and pages (encrypted) until the
-- owner ticks which to connect.
CREATE TABLE facebook_login_states (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  nonce_hash text NOT NULL UNIQUE,
  session_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  returned_at timestamptz,
  fb_user_id text,
  user_token text,
  pages text,
  consumed_at timestamptz
);
CREATE INDEX facebook_login_states_workspace ON facebook_login_states (workspace_id);
