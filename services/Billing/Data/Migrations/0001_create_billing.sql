-- Only Stripe's ids are kept: card data never reaches us (rule 7).
CREATE TABLE billing_accounts (
    customer_id uuid PRIMARY KEY,
    stripe_customer_id text NOT NULL,
    created_at timestamptz NOT NULL
);

-- What Billing knows of each service: its price and calendar.
CREATE TABLE billed_services (
    service_id uuid PRIMARY KEY,
    order_id uuid NOT NULL UNIQUE,
    customer_id uuid NOT NULL,
    product_id text NOT NULL,
    monthly_price_minor bigint NOT NULL,
    currency text NOT NULL,
    dedicated_ips int NOT NULL,
    ordered_on date NOT NULL,
    billing_day int NOT NULL,
    stripe_payment_method_id text,
    created_at timestamptz NOT NULL
);
CREATE INDEX billed_services_customer ON billed_services (customer_id);

-- Invoice numbers are gapless: the counter row is incremented inside the invoice's own transaction.
CREATE TABLE invoice_counter (
    id int PRIMARY KEY CHECK (id = 1),
    last_number bigint NOT NULL
);
INSERT INTO invoice_counter (id, last_number) VALUES (1, 0);

CREATE TABLE invoices (
    id uuid PRIMARY KEY,
    number bigint NOT NULL UNIQUE,
    service_id uuid NOT NULL REFERENCES billed_services (service_id),
    customer_id uuid NOT NULL,
    period_index int NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    status text NOT NULL,
    stripe_payment_intent_id text,
    failure_reason text,
    issued_at timestamptz NOT NULL,
    paid_at timestamptz,
    UNIQUE (service_id, period_index)
);
CREATE INDEX invoices_customer ON invoices (customer_id, number DESC);
