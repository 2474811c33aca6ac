-- No network call inside an open transaction (CONVENTIONS): a charge is recorded as an intent and committed, Stripe is
-- called outside any transaction with the intent's key (named after the business operation), and the result, the
-- invoice (numbered only then, so the gapless series never loses a number to a crash) and the outbox event are
-- written in a second transaction that completes the intent. A crash between the steps leaves the intent pending:
-- the renewal run takes the service again once the lease has passed, the order's redelivery or ChargeIntentRecovery
-- completes a first month, and the same key makes Stripe answer the first payment, never a second one.
CREATE TABLE charge_intents (
    idempotency_key text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('FirstMonth', 'Renewal')),
    service_id uuid NOT NULL,
    period_index int NOT NULL,
    attempt int NOT NULL,
    -- what the charge was decided with (amount, invoice content): a retry charges and invoices exactly that
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    -- while the lease runs, the renewal claims and the recovery leave the service to the worker calling Stripe
    lease_until timestamptz NOT NULL,
    completed_at timestamptz
);
CREATE INDEX charge_intents_pending ON charge_intents (service_id) WHERE completed_at IS NULL;
CREATE INDEX charge_intents_recovery ON charge_intents (lease_until) WHERE completed_at IS NULL;

-- The lease as the renewal claims read it: on the service's own row, so that a claim which finds the row just unlocked
-- re-checks it on the row's new version (PostgreSQL re-evaluates only the locked row, not a subquery on charge_intents:
-- with the lease only in that table, 4 workers made 6 of 200 renewal calls twice, the same key answered twice).
ALTER TABLE billed_services ADD COLUMN charging_until timestamptz;
