-- Utility templates (R13) and order events (R13c). A template is the page's copy of what Meta holds
-- (`fb_template_id`); Meta's status (APPROVED, REJECTED, …) arrives by webhook and is the only thing that
-- makes it sendable (R13b).
CREATE TABLE message_templates (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  name text NOT NULL,
  language text NOT NULL CHECK (language IN ('vi', 'en')),
  category text NOT NULL DEFAULT 'UTILITY' CHECK (category = 'UTILITY'),
  header_text text,
  body_text text NOT NULL,
  -- [{type: 'URL'|'POSTBACK', text, url?, payload?}], at most 3 (checked by the domain)
  buttons jsonb NOT NULL DEFAULT '[]',
  -- NAMED ({{order_id}}, written here) or POSITIONAL ({{1}}, Meta's library templates when cloned)
  parameter_format text NOT NULL DEFAULT 'NAMED' CHECK (parameter_format IN ('NAMED', 'POSITIONAL')),
  -- parameters in order of first appearance (header, then body); '1', '2', … when positional
  parameters text[] NOT NULL DEFAULT '{}',
  -- example value per parameter, sent to Meta with the template
  examples jsonb NOT NULL DEFAULT '{}',
  library_template_name text,
  fb_template_id text,
  status text NOT NULL,
  status_reason text,
  status_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT message_templates_page_name UNIQUE (page_id, name, language)
);
CREATE INDEX message_templates_fb_id ON message_templates (fb_template_id) WHERE fb_template_id IS NOT NULL;

-- Per page, which template an order event type goes with, and which event field fills each parameter.
CREATE TABLE order_event_mappings (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  event_type text NOT NULL,
  template_id int NOT NULL REFERENCES message_templates (id),
  -- {param_name: event field name}
  params jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT order_event_mappings_page_type UNIQUE (page_id, event_type)
);

-- Every event the shop's system posted, stored before it is acknowledged, keyed by its Idempotency-Key.
CREATE TABLE order_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id int NOT NULL REFERENCES workspaces (id),
  page_id int NOT NULL REFERENCES pages (id),
  idempotency_key text NOT NULL,
  -- sha256 of the request body: the same key with another body is refused, not silently answered
  request_hash text NOT NULL,
  event_type text NOT NULL,
  order_id text,
  customer_psid text,
  customer_phone text,
  customer_id int REFERENCES customers (id),
  fields jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'sent_as_reply', 'refused')),
  reason text,
  template_id int REFERENCES message_templates (id),
  message_id text,
  text text,
  attempts int NOT NULL DEFAULT 0,
  claimed_until timestamptz,
  created_at timestamptz NOT NULL,
  settled_at timestamptz,
  CONSTRAINT order_events_page_key UNIQUE (page_id, idempotency_key)
);
CREATE INDEX order_events_log ON order_events (page_id, id DESC);

-- A phone number the customer gave (Messenger's phone quick reply, or typed by the agent from the
-- conversation), normalised to digits with the country code (84912345678), for order events by phone.
ALTER TABLE customers ADD COLUMN phone text;
CREATE INDEX customers_phone ON customers (page_id, phone) WHERE phone IS NOT NULL;
