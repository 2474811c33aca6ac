-- What we published for each dedicated IP, and when it was seen answering.
CREATE TABLE ptr_records (
    ip text PRIMARY KEY,
    hostname text NOT NULL,
    service_id uuid NOT NULL,
    order_id uuid NOT NULL,
    published_at timestamptz NOT NULL,
    propagated_at timestamptz
);
CREATE INDEX ptr_records_service ON ptr_records (service_id);
