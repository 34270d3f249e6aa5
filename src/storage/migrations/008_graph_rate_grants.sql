-- Meta's per-page Send API limit (300 calls/s) holds for the whole deployment, not per process: every
-- process sharing this PostgreSQL database takes calls from one ledger per page, in chunks. A row is a
-- grant of `calls` calls made at `granted_at`; rows older than the window are deleted as it slides.
CREATE TABLE graph_rate_grants (
  page_id text NOT NULL,
  granted_at timestamptz NOT NULL,
  calls int NOT NULL CHECK (calls > 0)
);
CREATE INDEX graph_rate_grants_page ON graph_rate_grants (page_id, granted_at);
