-- Reverse DNS propagation per service (rule 3): checked with a growing interval until every configured resolver
-- answers every PTR and its A record; past the window (24 h) operators are alerted once, and checking goes on.
CREATE TABLE propagation_checks (
    service_id uuid PRIMARY KEY,
    order_id uuid NOT NULL,
    entries jsonb NOT NULL,
    requested_at timestamptz NOT NULL,
    attempts int NOT NULL DEFAULT 0,
    next_check_at timestamptz NOT NULL,
    last_checked_at timestamptz,
    missing text,
    alerted_at timestamptz,
    propagated_at timestamptz
);
CREATE INDEX propagation_checks_due ON propagation_checks (next_check_at) WHERE propagated_at IS NULL;

-- Delegation of the sending domain (rule 19): what the parent zone's NS answer was when last asked, and when to ask again.
ALTER TABLE services ADD COLUMN delegation_seen text[] NOT NULL DEFAULT '{}';
ALTER TABLE services ADD COLUMN delegation_checked_at timestamptz;
ALTER TABLE services ADD COLUMN delegation_attempts int NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN delegation_next_check_at timestamptz;
-- When the published records were last compared with what DNS serves.
ALTER TABLE services ADD COLUMN drift_checked_at timestamptz;

-- Every record found differing from what we publish, what DNS answered instead, and when it was put right.
CREATE TABLE drift_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id uuid NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    expected text NOT NULL,
    found text NOT NULL,
    detected_at timestamptz NOT NULL,
    repaired_at timestamptz
);
CREATE INDEX drift_events_service ON drift_events (service_id, detected_at);
