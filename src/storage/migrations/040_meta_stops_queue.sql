-- R14e: the stops still to tell Meta are kept on the token itself, so the minute sweep reads only them
-- (storage/meta-subscribers.ts `stopsNotToldToMeta`). Before, it walked every stop ever made, each
-- checked against the consent history, until it found 100 not told — and a stop Meta kept refusing
-- stayed at the head of that walk, so 100 of them hid every later stop from the sweep.
-- meta_stop_told_at: when Meta confirmed the stop (the consent history still records it);
-- meta_stop_tried_at: the last refused try, which sends the token to the back of the line.
-- Alone in its migration: the ALTER holds the table exclusively until the migration commits (041 indexes
-- the new read, 042 fills the column in from the history).
ALTER TABLE subscriptions ADD COLUMN meta_stop_told_at timestamptz, ADD COLUMN meta_stop_tried_at timestamptz;

-- Migration 037's index of stopped tokens served the walk this replaces (its index of the history serves
-- 042's backfill, which drops it).
DROP INDEX IF EXISTS subscriptions_stopped_recurring;
