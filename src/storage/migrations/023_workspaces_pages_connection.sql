-- Issue 12: many shops on one deployment. A suspended workspace keeps its data; its members cannot
-- sign in, its webhooks are answered but dropped, its pages stop sending (app/workspace-admin.ts).
ALTER TABLE workspaces ADD COLUMN suspended_at timestamptz;

-- Pages' connection state (connected / needs_reconnect / disconnected, connected_at) is migration 020's.
