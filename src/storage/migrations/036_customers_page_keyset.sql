-- A page's customers in id order, from a keyset cursor: the campaign audience copy and the dry run read
-- them a page at a time (storage/campaigns.ts `audience`). Without it PostgreSQL either walked the
-- primary key past every other page's customers or read the whole rest of the page and sorted it, for
-- every page of the copy.
CREATE INDEX IF NOT EXISTS customers_page_keyset ON customers (page_id, id);
