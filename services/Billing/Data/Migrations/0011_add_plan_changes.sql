-- Billing's copy of the catalogue (Ordering owns it and publishes ProductPublished): net monthly prices and IP
-- counts, to price plan changes. published_at keeps a late copy from replacing a newer one.
CREATE TABLE products (
    id text PRIMARY KEY,
    name text NOT NULL,
    monthly_price_minor bigint NOT NULL CHECK (monthly_price_minor > 0),
    currency text NOT NULL,
    dedicated_ips int NOT NULL CHECK (dedicated_ips > 0),
    sort_order int NOT NULL,
    -- the extra dedicated IP add-on's net monthly price per IP; NULL = the product takes none
    extra_ip_price_minor bigint,
    published_at timestamptz NOT NULL
);

-- A plan change needs the service live (set up, reverse DNS seen): Delivery's ServiceActivated tells Billing when.
-- Services that were already paid before this change are taken as live from their start.
ALTER TABLE billed_services ADD COLUMN live_at timestamptz;
UPDATE billed_services SET live_at = created_at WHERE billing_status IN ('Active', 'PastDue', 'Suspended');

-- A downgrade waits for the first period not yet charged (rule 9: prepaid). Until that period starts the service
-- keeps its product; its renewal is charged at the scheduled product's price.
ALTER TABLE billed_services ADD COLUMN scheduled_product_id text;
ALTER TABLE billed_services ADD COLUMN scheduled_product_name text;
ALTER TABLE billed_services ADD COLUMN scheduled_price_minor bigint;
ALTER TABLE billed_services ADD COLUMN scheduled_ips int;
ALTER TABLE billed_services ADD COLUMN scheduled_from_period int;
-- Extra dedicated IPs (the add-on) on top of the product's: monthly_price_minor and dedicated_ips are the totals.
ALTER TABLE billed_services ADD COLUMN extra_ips int NOT NULL DEFAULT 0 CHECK (extra_ips >= 0);
ALTER TABLE billed_services ADD COLUMN scheduled_extra_ips int;
ALTER TABLE billed_services ADD CONSTRAINT billed_services_schedule_complete CHECK (
    (scheduled_product_id IS NULL) = (scheduled_from_period IS NULL)
    AND (scheduled_product_id IS NULL) = (scheduled_price_minor IS NULL)
    AND (scheduled_product_id IS NULL) = (scheduled_ips IS NULL));
CREATE INDEX billed_services_scheduled ON billed_services (scheduled_from_period) WHERE scheduled_product_id IS NOT NULL;

-- Every plan change asked for: applied at once (upgrade, paid), scheduled (downgrade), declined (the card refused
-- the prorated charge: nothing changed), withdrawn (a scheduled one taken back) or applied later (a downgrade whose
-- period started).
CREATE TABLE plan_changes (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES billed_services (service_id),
    customer_id uuid NOT NULL,
    from_product_id text NOT NULL,
    to_product_id text NOT NULL,
    from_extra_ips int NOT NULL DEFAULT 0,
    to_extra_ips int NOT NULL DEFAULT 0,
    kind text NOT NULL CHECK (kind IN ('Upgrade', 'Downgrade')),
    status text NOT NULL CHECK (status IN ('Applied', 'Scheduled', 'Declined', 'Withdrawn')),
    requested_at timestamptz NOT NULL,
    effective_on date NOT NULL,
    net_minor bigint NOT NULL DEFAULT 0,
    invoice_id uuid REFERENCES invoices (id),
    failure_reason text,
    decided_at timestamptz NOT NULL
);
CREATE INDEX plan_changes_service ON plan_changes (service_id, requested_at);

-- A proration invoice charges the difference for the days left of periods already paid: it belongs to a period
-- (period_index, for the calendar) but is not that period's invoice, so only one 'Period' invoice per period is unique.
ALTER TABLE invoices ADD COLUMN kind text NOT NULL DEFAULT 'Period' CHECK (kind IN ('Period', 'Proration'));
ALTER TABLE invoices DROP CONSTRAINT invoices_service_id_period_index_key;
CREATE UNIQUE INDEX invoices_one_per_period ON invoices (service_id, period_index) WHERE kind = 'Period';

-- The kind is part of what an issued invoice says.
CREATE OR REPLACE FUNCTION invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % is issued and cannot be deleted (rule 14)', OLD.number;
    END IF;
    IF (NEW.id, NEW.number, NEW.service_id, NEW.customer_id, NEW.period_index, NEW.period_start, NEW.period_end,
        NEW.amount_minor, NEW.currency, NEW.issued_at, NEW.net_minor, NEW.vat_minor, NEW.vat_rate, NEW.vat_treatment,
        NEW.line_description, NEW.seller::text, NEW.buyer::text, NEW.kind)
       IS DISTINCT FROM
       (OLD.id, OLD.number, OLD.service_id, OLD.customer_id, OLD.period_index, OLD.period_start, OLD.period_end,
        OLD.amount_minor, OLD.currency, OLD.issued_at, OLD.net_minor, OLD.vat_minor, OLD.vat_rate, OLD.vat_treatment,
        OLD.line_description, OLD.seller::text, OLD.buyer::text, OLD.kind) THEN
        RAISE EXCEPTION 'invoice % is issued and cannot change (rule 14); correct it with a credit note', OLD.number;
    END IF;
    RETURN NEW;
END $$;
