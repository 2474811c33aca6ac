-- Stripe events already handled: a redelivered webhook (Stripe retries for days) is a no-op.
CREATE TABLE stripe_events (
    id text PRIMARY KEY,
    type text NOT NULL,
    received_at timestamptz NOT NULL
);

-- Where the customer completes a payment that needs authentication (3D Secure): Stripe's next_action URL.
ALTER TABLE invoices ADD COLUMN pay_url text;

-- The first month of an order with special requirements waits for review before setup (kept for late payments).
ALTER TABLE billed_services ADD COLUMN requires_review boolean NOT NULL DEFAULT false;
