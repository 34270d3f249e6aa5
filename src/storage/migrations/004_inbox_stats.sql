-- Indexes for the inbox and statistics (no new tables: both read what the other modules write).

-- The inbox lists a page's customers newest interaction first, never-interacted last, keyset-paged on
-- (sort key, id): this index serves the order and the cursor without a sort.
CREATE INDEX customers_inbox ON customers (page_id, (coalesce(last_interaction_at, '-infinity'::timestamptz)) DESC, id DESC);

-- R10b replays a topic's consent history; the existing indexes lead with customer or workspace.
CREATE INDEX consent_history_topic ON consent_history (topic_id, at, id);
