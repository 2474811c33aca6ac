-- Consolidated billing (issue 17, section 5): a customer rule 8 lets pay by bank transfer chooses one day of the
-- month (1-28, so that every month has it) for all their services. Each service is moved onto that day once: the
-- first period not yet charged (the transition) runs from its usual start to the next such day, priced pro rata;
-- from anchor_period on, periods start on anchor_on + n months. Periods already paid never change (rule 9, no refunds).
ALTER TABLE billing_accounts ADD COLUMN consolidated_day int CHECK (consolidated_day BETWEEN 1 AND 28);
ALTER TABLE billing_accounts ADD COLUMN consolidated_at timestamptz;

ALTER TABLE billed_services ADD COLUMN anchor_on date;
ALTER TABLE billed_services ADD COLUMN anchor_period int;
-- The start of period anchor_period - 1 (the transition), kept because the calendar before the change is not
-- recomputable once a service has been moved twice.
ALTER TABLE billed_services ADD COLUMN transition_start date;
ALTER TABLE billed_services ADD CONSTRAINT billed_services_anchor_complete CHECK (
    (anchor_on IS NULL) = (anchor_period IS NULL) AND (anchor_on IS NULL) = (transition_start IS NULL)
    AND (anchor_period IS NULL OR anchor_period >= 1) AND (anchor_on IS NULL OR transition_start < anchor_on));

-- The start of a service's period n, as Domain/ServiceCalendar computes it (for the statements that pick due rows).
CREATE FUNCTION service_period_start(ordered_on date, anchor_on date, anchor_period int, transition_start date, n int)
RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN anchor_period IS NOT NULL AND n >= anchor_period THEN (anchor_on + make_interval(months => n - anchor_period))::date
        WHEN anchor_period IS NOT NULL AND n = anchor_period - 1 THEN transition_start
        ELSE (ordered_on + make_interval(months => n))::date
    END
$$;

-- One invoice for several services' periods starting on the same day: the invoice row holds the totals (its
-- service_id is the first line's, so the invoice stays listed and found like any other); each line one service's period.
ALTER TABLE invoices DROP CONSTRAINT invoices_kind_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_kind_check CHECK (kind IN ('Period', 'Proration', 'Consolidated'));

CREATE TABLE invoice_lines (
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    line_no int NOT NULL,
    service_id uuid NOT NULL REFERENCES billed_services (service_id),
    period_index int NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    description text NOT NULL,
    net_minor bigint NOT NULL,
    vat_minor bigint NOT NULL,
    PRIMARY KEY (invoice_id, line_no),
    -- a period is invoiced once, whichever invoice carries it
    UNIQUE (service_id, period_index)
);

CREATE FUNCTION invoice_lines_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the lines of invoice % are issued and cannot change (rule 14); correct them with a credit note', OLD.invoice_id;
END $$;
CREATE TRIGGER invoice_lines_immutable BEFORE UPDATE OR DELETE ON invoice_lines FOR EACH ROW EXECUTE FUNCTION invoice_lines_immutable();
