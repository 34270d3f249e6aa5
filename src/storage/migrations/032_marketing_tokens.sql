-- R14b/R14e: Meta's subscription-token list as last synchronised (Meta also subscribes people from
-- click-to-Messenger ads and its own automations), and the consent history's record of a stop told
-- to Meta (`meta_unsubscribed`), beside the product's own `stopped`.

CREATE TABLE meta_subscribers (
  page_id int NOT NULL REFERENCES pages (id),
  token_hash text NOT NULL,
  -- Encrypted (storage/secrets.ts), like every token.
  token text NOT NULL,
  psid text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (page_id, token_hash)
);

ALTER TABLE consent_history DROP CONSTRAINT IF EXISTS consent_history_event_check;
ALTER TABLE consent_history ADD CONSTRAINT consent_history_event_check CHECK (event IN
  ('accepted', 'accepted_again', 'accepted_stale', 'stopped', 'resumed', 'used', 'expired', 'meta_unsubscribed'));
