-- Every paid service waiting to be set up: at once, or after an account manager accepts its special requirements.
CREATE TABLE setups (
    service_id uuid PRIMARY KEY,
    order_id uuid NOT NULL,
    dedicated_ips int NOT NULL,
    paid_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('AwaitingReview', 'Done')),
    setup_deadline timestamptz
);
