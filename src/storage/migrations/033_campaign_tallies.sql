-- Issue 13: the campaign send path no longer takes the campaign row. Each recorded batch appends its
-- counts here (in the transaction that writes the outcomes, so each is counted exactly once); reads add
-- them to the campaign's own counters, and a life-cycle step (complete, pause, cancel), which holds the
-- campaign row anyway, folds them in. No foreign key on purpose: inserting a referencing row would take
-- a KEY SHARE lock on the campaign row, and cancel holds that row FOR UPDATE while it waits for the
-- batch's delivery rows — the very lock cycle this table removes.
CREATE TABLE campaign_tallies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id int NOT NULL,
  sent int NOT NULL,
  failed int NOT NULL,
  skipped int NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX campaign_tallies_campaign ON campaign_tallies (campaign_id);

-- Every status change inserted into this index (claim and record alike) for lists that filter a
-- campaign's deliveries by status, which the (campaign_id, customer_id) and primary keys serve by scan.
DROP INDEX IF EXISTS campaign_deliveries_status;
