-- Issue 12: many shops on one deployment. A suspended workspace keeps its data; its members cannot
-- sign in, its webhooks are answered but dropped, its pages stop sending (app/workspace-admin.ts).
ALTER TABLE workspaces ADD COLUMN suspended_at timestamptz;

-- A disconnected page keeps its history but no longer takes webhooks or sends; connecting it again
-- (app/page-connections.ts) clears this. A page belongs to one workspace at a time (pages_fb_page_id_key).
ALTER TABLE pages ADD COLUMN disconnected_at timestamptz;
ALTER TABLE pages ADD COLUMN connected_at timestamptz;
