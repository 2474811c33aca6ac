-- The renewal state of each service. next_due_on is the one date the scheduler looks at: the next charge date,
-- dunning retry, suspension, termination or end, whichever comes first; NULL when nothing is left to do.
ALTER TABLE billed_services ADD COLUMN billing_status text NOT NULL DEFAULT 'Active'
    CHECK (billing_status IN ('Unpaid', 'Active', 'PastDue', 'Suspended', 'Terminated', 'Ended'));
ALTER TABLE billed_services ADD COLUMN next_period int NOT NULL DEFAULT 1;
ALTER TABLE billed_services ADD COLUMN dunning_attempts int NOT NULL DEFAULT 0;
ALTER TABLE billed_services ADD COLUMN next_due_on date;
-- Set when the customer replaces the card: the open invoice is tried again at once, outside the retry schedule.
ALTER TABLE billed_services ADD COLUMN retry_requested boolean NOT NULL DEFAULT false;
-- PostgreSQL's month arithmetic clamps to the month's end exactly like the calendar: Jan 31 + 1 month = Feb 28.
UPDATE billed_services SET next_due_on = (ordered_on + interval '1 month')::date - 14;
UPDATE billed_services s SET billing_status = 'Unpaid', next_due_on = NULL
WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.service_id = s.service_id AND i.status = 'Paid');
CREATE INDEX billed_services_due ON billed_services (next_due_on) WHERE next_due_on IS NOT NULL;

-- What we told customers (renewal failed, suspended, terminated): stored, listed in the API, mailed where SMTP is set.
CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    service_id uuid NOT NULL,
    kind text NOT NULL,
    message text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX notifications_customer ON notifications (customer_id, created_at DESC);
