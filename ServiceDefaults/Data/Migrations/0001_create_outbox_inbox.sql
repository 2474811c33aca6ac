-- The transactional outbox: a state change and the events it causes commit together;
-- OutboxRelay publishes the rows afterwards and marks them sent.
CREATE TABLE outbox_messages (
    id uuid PRIMARY KEY,
    message_type text NOT NULL,
    body jsonb NOT NULL,
    trace_parent text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX outbox_messages_unsent ON outbox_messages (created_at) WHERE sent_at IS NULL;

-- The idempotent inbox: one row per (message, consumer) makes a redelivered message a no-op.
CREATE TABLE inbox_messages (
    message_id uuid NOT NULL,
    consumer text NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, consumer)
);
