-- Every refund of an invoice's payment, by Stripe's id, so the refund we make and the webhooks that report it
-- (refund.created, charge.refunded, refund.updated, in any order) are recorded once. The invoice itself never
-- changes (rule 14); its refunded total is kept beside it.
CREATE TABLE refunds (
    id text PRIMARY KEY,
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    status text NOT NULL,
    reason text,
    created_at timestamptz NOT NULL,
    -- when Stripe reported the status kept here: an older event never overwrites a newer one
    status_at timestamptz NOT NULL
);
CREATE INDEX refunds_invoice ON refunds (invoice_id);

ALTER TABLE invoices ADD COLUMN amount_refunded_minor bigint NOT NULL DEFAULT 0;
INSERT INTO refunds (id, invoice_id, amount_minor, currency, status, reason, created_at, status_at)
SELECT stripe_refund_id, id, amount_minor, currency, 'succeeded', 'requested_by_customer', refunded_at, refunded_at
FROM invoices WHERE stripe_refund_id IS NOT NULL;
UPDATE invoices SET amount_refunded_minor = amount_minor WHERE stripe_refund_id IS NOT NULL;

-- Chargebacks: flagged for staff, who answer them in Stripe; the customer is told when one opens and closes.
CREATE TABLE disputes (
    id text PRIMARY KEY,
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    customer_id uuid NOT NULL,
    service_id uuid NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    reason text NOT NULL,
    status text NOT NULL,
    opened_at timestamptz NOT NULL,
    closed_at timestamptz,
    status_at timestamptz NOT NULL
);
CREATE INDEX disputes_customer ON disputes (customer_id, opened_at DESC);

-- The latest PaymentIntent event applied to an invoice, as (created seconds * 10 + rank of the event type), so a
-- late payment_intent.requires_action never undoes the payment_failed that followed it.
ALTER TABLE invoices ADD COLUMN stripe_event_seq bigint;
