-- Webhooks (issue 16): a customer's HTTPS endpoints per service. Nothing is copied per event: each endpoint keeps a
-- cursor into delivery_events (the id of the last event it was given or did not ask for), so an event is never lost
-- while the sender or the receiver is down and events go out in the order they happened. A batch that keeps failing
-- holds the ones after it (order per recipient) until retry_window ends; then it is parked (a row in
-- webhook_deliveries, replayable) and the cursor moves on. A replay walks a second cursor over an id range.
CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL,
    url text NOT NULL,
    event_types text[] NOT NULL,
    -- The signing secret, encrypted (AES-GCM, bound to the webhook's id); shown to the customer only when made.
    secret_protected text NOT NULL,
    created_at timestamptz NOT NULL,
    cursor bigint NOT NULL,
    replay_cursor bigint,
    replay_end bigint,
    -- Also the lease: a claimed webhook's next_attempt_at is pushed past the claim (as recipients are).
    next_attempt_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    failing_since timestamptz,
    last_error text
);
CREATE INDEX webhooks_service ON webhooks (service_id, created_at);
CREATE INDEX webhooks_due ON webhooks (next_attempt_at);

CREATE TABLE webhook_deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('delivered', 'failed', 'parked')),
    first_event_id bigint NOT NULL,
    last_event_id bigint NOT NULL,
    events integer NOT NULL,
    replay boolean NOT NULL,
    http_status integer,
    error text,
    duration_ms integer NOT NULL,
    attempted_at timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, attempted_at DESC);

-- A webhook reads its service's events after its cursor, in id order.
CREATE INDEX delivery_events_service_id ON delivery_events (service_id, id);
