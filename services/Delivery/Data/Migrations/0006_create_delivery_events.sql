-- Append-only log of what happened to each recipient: accepted by the relay, then delivered, deferred (each time),
-- bounced (5xx) or expired (lifetime reached). Written in the same statement as the recipient's status change, so the
-- log and the queue never disagree; no foreign key, so events outlive the queued message. Old events are removed by
-- the retention job (DeliveryEvents:Retention).
CREATE TABLE delivery_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id uuid NOT NULL,
    message_id uuid NOT NULL,
    recipient_id bigint NOT NULL,
    recipient text NOT NULL,
    provider text NOT NULL,
    event text NOT NULL CHECK (event IN ('accepted', 'delivered', 'deferred', 'bounced', 'expired')),
    reply text,
    occurred_at timestamptz NOT NULL
);

-- The statistics read one service's events; the retention job deletes by age. Events arrive in time order, so a BRIN
-- index serves the age scan for almost no cost on the hot insert path.
CREATE INDEX delivery_events_service ON delivery_events (service_id, occurred_at);
CREATE INDEX delivery_events_age ON delivery_events USING brin (occurred_at);
