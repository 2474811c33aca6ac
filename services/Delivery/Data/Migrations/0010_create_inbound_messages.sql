-- What our inbound MX (mta1.<domain>, the MX Dns publishes for every hosted sending domain) accepted: one row per
-- service and recipient domain of each message, committed before the 250. kind says what it is: a delivery status
-- notification (RFC 3464), an ARF feedback report (RFC 5965) or ordinary mail (replies, postmaster@, abuse@). For
-- reports the parsed essentials are kept beside the raw message, so the next step (suppressions, complaints) reads
-- columns, not MIME.
CREATE TABLE inbound_messages (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('dsn', 'arf', 'mail')),
    domain text NOT NULL,
    -- postmaster or abuse when the mail was addressed to one of the role mailboxes staff read too.
    mailbox text CHECK (mailbox IN ('postmaster', 'abuse')),
    mail_from text NOT NULL,
    recipients text[] NOT NULL,
    client_ip text,
    helo text,
    subject text,
    message_id text,
    -- Reports only: the recipients the report is about, each with its DSN action and status (same order).
    original_recipients text[] NOT NULL DEFAULT '{}',
    actions text[] NOT NULL DEFAULT '{}',
    statuses text[] NOT NULL DEFAULT '{}',
    feedback_type text,
    original_message_id text,
    -- Ordinary mail forwarded to the customer's address: where, and the id of the forward in our own queue.
    forwarded_to text,
    forward_message_id uuid,
    size integer NOT NULL,
    data bytea NOT NULL,
    received_at timestamptz NOT NULL
);

CREATE INDEX inbound_messages_service ON inbound_messages (service_id, received_at DESC);
CREATE INDEX inbound_messages_kind ON inbound_messages (kind, received_at DESC);

-- Where ordinary mail to a hosted domain goes (PUT /api/services/{id}/domains/{domain}/forwarding).
CREATE TABLE domain_forwarding (
    service_id uuid NOT NULL,
    domain text NOT NULL,
    address text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (service_id, domain)
);
