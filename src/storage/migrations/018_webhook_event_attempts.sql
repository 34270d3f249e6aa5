-- A stored event whose application keeps throwing must not hold its customer's later events back
-- forever: failed attempts are counted per event, and after a bound the event is marked processed
-- with a `failed:<code>` outcome (kept for inspection and replay) and the customer's queue moves on.
ALTER TABLE webhook_events ADD COLUMN attempts integer NOT NULL DEFAULT 0;
