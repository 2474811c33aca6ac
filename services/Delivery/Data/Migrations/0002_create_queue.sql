-- Which customer owns which service (from OrderPlaced): the API's tenant check, without asking Ordering.
CREATE TABLE service_owners (
    service_id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    order_id uuid NOT NULL
);

-- The durable queue. A message is stored whole (raw MIME as received) with one row per recipient, in the same
-- transaction, before the relay answers 250. Recipients are delivered, deferred and bounced independently.
CREATE TABLE messages (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL,
    mail_from text NOT NULL,
    size integer NOT NULL,
    data bytea NOT NULL,
    client_ip text,
    received_at timestamptz NOT NULL
);

CREATE TABLE recipients (
    id bigserial PRIMARY KEY,
    message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    service_id uuid NOT NULL,
    address text NOT NULL,
    domain text NOT NULL,
    -- Gmail, Yahoo, Outlook, ... : what the statistics are grouped by.
    provider text NOT NULL,
    status text NOT NULL DEFAULT 'Queued' CHECK (status IN ('Queued', 'Delivered', 'Bounced')),
    attempts integer NOT NULL DEFAULT 0,
    deferrals integer NOT NULL DEFAULT 0,
    -- Also the lease: a claimed recipient's next_attempt_at is pushed past the claim, so a crashed worker's
    -- recipients come back by themselves.
    next_attempt_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    last_attempt_at timestamptz,
    last_reply text,
    source_ip text,
    completed_at timestamptz
);

CREATE INDEX recipients_due ON recipients (next_attempt_at) WHERE status = 'Queued';
CREATE INDEX recipients_service ON recipients (service_id, provider);
