-- Issue 13: every opt-in inserts a token and a consent-history row, and each foreign key on them is a
-- query plus a KEY SHARE lock on the row it names. For workspace_id and page_id that is the same page
-- and workspace row for every opt-in of the page: concurrent opt-ins share those locks as MultiXacts
-- (about 10 MultiXact members per opt-in at 16 at once, 3 times the MultiXact pages of the same run
-- without these four keys) and their checks were a third of the foreign-key time of the write. Both
-- columns are copies of the customer's (the statements write them from the page the customer was
-- upserted on), whose key stays, as do the topic's, the subscription's and the invitation's;
-- workspaces and pages are never deleted, so these checks guarded nothing the others do not.
ALTER TABLE subscriptions
  DROP CONSTRAINT IF EXISTS subscriptions_workspace_id_fkey,
  DROP CONSTRAINT IF EXISTS subscriptions_page_id_fkey;
ALTER TABLE consent_history
  DROP CONSTRAINT IF EXISTS consent_history_workspace_id_fkey,
  DROP CONSTRAINT IF EXISTS consent_history_page_id_fkey;

-- An opt-in marks its invitation accepted (accepted_at, in no index). On a full page that update is not
-- HOT and inserts into all four invitation indexes; with room left on each page it is HOT (measured on
-- 1M subscriptions: 108 of 1,934 marks HOT at fillfactor 100, 1,599 of 1,599 at 90). Pages written from
-- now on keep that room; invitations are accepted soon after they are sent, so the new ones are those.
ALTER TABLE invitations SET (fillfactor = 90);
