-- R14b/R14e: Meta's token list says who unsubscribed (a STOP status on the row, or the token gone from
-- a complete list: Meta's tokens "do not expire unless a subscriber opts out"), and a token Meta calls
-- invalid (2300004) is dead too. R12f: the first answer from Meta that OTN is unavailable closes it for
-- the page, with Meta's words, until someone reopens it.

ALTER TABLE meta_subscribers ADD COLUMN unsubscribed_at timestamptz;

ALTER TABLE pages ADD COLUMN otn_closed_at timestamptz;
ALTER TABLE pages ADD COLUMN otn_closed_reason text;
