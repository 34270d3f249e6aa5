-- The audit log in words: a readable action key (topic.delete, member.invite, …) beside the route, and
-- the target's name as it was when the action happened (a deleted topic keeps its name here).
-- Rows written before this have neither; the console shows their route.
ALTER TABLE audit_log ADD COLUMN action_key text;
ALTER TABLE audit_log ADD COLUMN target_name text;
