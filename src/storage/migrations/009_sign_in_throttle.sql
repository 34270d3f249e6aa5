-- Sign-in throttle (docs/SECURITY.md): attempts per account, per client address and per pair of both,
-- in fixed windows, counted in one statement before the password is checked. last_success on a pair
-- row makes that address known to the account.
CREATE TABLE sign_in_throttle (
  key text PRIMARY KEY,
  attempts int NOT NULL,
  window_start timestamptz NOT NULL,
  last_success timestamptz
);
CREATE INDEX sign_in_throttle_window ON sign_in_throttle (window_start);
