-- Every message a consumer of this service took, for operators following an order across services
-- (GET /api/admin/orders/{id}/flow): one row per (message, consumer), updated on each attempt.
CREATE TABLE consumed_messages (
    message_id uuid NOT NULL,
    consumer text NOT NULL,
    message_type text NOT NULL,
    order_id uuid,
    service_id uuid,
    trace_id text,
    first_attempt_at timestamptz NOT NULL,
    last_attempt_at timestamptz NOT NULL,
    duration_ms double precision NOT NULL,
    attempts integer NOT NULL,
    status text NOT NULL,
    last_error text,
    PRIMARY KEY (message_id, consumer)
);
CREATE INDEX consumed_messages_order ON consumed_messages (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX consumed_messages_service ON consumed_messages (service_id) WHERE service_id IS NOT NULL;

-- The same question asked of what this service published.
CREATE INDEX outbox_messages_order ON outbox_messages ((body->>'orderId'));
CREATE INDEX outbox_messages_service ON outbox_messages ((body->>'serviceId'));
