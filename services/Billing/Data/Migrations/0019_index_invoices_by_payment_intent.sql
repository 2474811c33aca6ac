-- Stripe's payment_intent webhooks (one or more per order and renewal), refunds and disputes find their invoice by its
-- PaymentIntent. Without an index each of them read the whole invoices table, which grows by a row per service and
-- month (a fleet of 20,000 services: 240,000 rows a year). Partial: invoices never charged have no PaymentIntent.
CREATE INDEX invoices_by_payment_intent ON invoices (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL;
