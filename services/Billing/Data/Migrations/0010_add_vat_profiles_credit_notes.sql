-- The customer's billing profile (issue 17): who the invoices are made out to and which VAT applies. Optional: without
-- one, invoices name the account holder and charge the seller country's VAT.
CREATE TABLE billing_profiles (
    customer_id uuid PRIMARY KEY,
    company text NOT NULL,
    address_line1 text NOT NULL,
    address_line2 text,
    postal_code text NOT NULL,
    city text NOT NULL,
    country text NOT NULL,
    vat_id text,
    billing_email text NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The account holder's name, for the buyer block of customers without a billing profile.
ALTER TABLE billing_accounts ADD COLUMN name text;

-- The plan's name as the catalogue shows it, for the invoice line (the product id is internal).
ALTER TABLE billed_services ADD COLUMN product_name text;

-- Invoices carry their VAT and a snapshot of both parties and of the line as issued: a later change of the seller's
-- address or the customer's profile never changes an issued invoice (rule 14). amount_minor stays the total charged
-- (gross). Invoices issued before VAT was applied keep their amount as net with VAT 'NotCharged'.
ALTER TABLE invoices ADD COLUMN net_minor bigint;
ALTER TABLE invoices ADD COLUMN vat_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN vat_rate numeric(5, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN vat_treatment text NOT NULL DEFAULT 'NotCharged'
    CHECK (vat_treatment IN ('Standard', 'ReverseCharge', 'OutsideScope', 'NotCharged'));
ALTER TABLE invoices ADD COLUMN line_description text;
ALTER TABLE invoices ADD COLUMN seller jsonb;
ALTER TABLE invoices ADD COLUMN buyer jsonb;
UPDATE invoices SET net_minor = amount_minor;
ALTER TABLE invoices ALTER COLUMN net_minor SET NOT NULL;
ALTER TABLE invoices ADD CONSTRAINT invoices_gross_is_net_plus_vat CHECK (amount_minor = net_minor + vat_minor);

-- Issued means immutable: the database refuses any change to what the document says, and any deletion. Only the
-- payment's progress (status, paid_at, the Stripe ids, refunded totals, the pay link) moves.
CREATE FUNCTION invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % is issued and cannot be deleted (rule 14)', OLD.number;
    END IF;
    IF (NEW.id, NEW.number, NEW.service_id, NEW.customer_id, NEW.period_index, NEW.period_start, NEW.period_end,
        NEW.amount_minor, NEW.currency, NEW.issued_at, NEW.net_minor, NEW.vat_minor, NEW.vat_rate, NEW.vat_treatment,
        NEW.line_description, NEW.seller::text, NEW.buyer::text)
       IS DISTINCT FROM
       (OLD.id, OLD.number, OLD.service_id, OLD.customer_id, OLD.period_index, OLD.period_start, OLD.period_end,
        OLD.amount_minor, OLD.currency, OLD.issued_at, OLD.net_minor, OLD.vat_minor, OLD.vat_rate, OLD.vat_treatment,
        OLD.line_description, OLD.seller::text, OLD.buyer::text) THEN
        RAISE EXCEPTION 'invoice % is issued and cannot change (rule 14); correct it with a credit note', OLD.number;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_immutable();

-- Credit notes: their own gapless series, each referencing the invoice it corrects; one per refund (a refund id is
-- credited once, whoever reports it first). Never changed or deleted once issued.
CREATE TABLE credit_note_counter (
    id int PRIMARY KEY CHECK (id = 1),
    last_number bigint NOT NULL
);
INSERT INTO credit_note_counter (id, last_number) VALUES (1, 0);

CREATE TABLE credit_notes (
    id uuid PRIMARY KEY,
    number bigint NOT NULL UNIQUE,
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    customer_id uuid NOT NULL,
    refund_id text UNIQUE,
    reason text NOT NULL,
    net_minor bigint NOT NULL,
    vat_minor bigint NOT NULL,
    amount_minor bigint NOT NULL CHECK (amount_minor = net_minor + vat_minor AND amount_minor > 0),
    currency text NOT NULL,
    issued_at timestamptz NOT NULL
);
CREATE INDEX credit_notes_customer ON credit_notes (customer_id, number DESC);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

CREATE FUNCTION credit_notes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'credit note % is issued and cannot change', OLD.number;
END $$;
CREATE TRIGGER credit_notes_immutable BEFORE UPDATE OR DELETE ON credit_notes FOR EACH ROW EXECUTE FUNCTION credit_notes_immutable();
