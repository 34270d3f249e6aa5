-- Meta's "too many opt-in requests" (9/2018352) for a person: invitations to them pause until this time.
ALTER TABLE customers ADD COLUMN optin_backoff_until timestamptz;
