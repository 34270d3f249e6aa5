-- R14e: this migration built two partial indexes for the minute sweep that looks for stops not yet told
-- to Meta. Migration 040 replaced that sweep's read (and drops them where they were built): an upgrade
-- that has not applied this one yet skips building them.
SELECT 1;
