-- Where to mail a customer (from their latest order) and how the mailing of each notification went.
ALTER TABLE billing_accounts ADD COLUMN email text;

-- Pending: still to send (retried with back-off until the smarthost takes it); Sent; Rejected: the smarthost refused
-- it for good (5xx); NoAddress: we have no email for the customer. Every notification stays listed in the API.
ALTER TABLE notifications ADD COLUMN mail_status text NOT NULL DEFAULT 'Pending'
    CHECK (mail_status IN ('Pending', 'Sent', 'Rejected', 'NoAddress'));
ALTER TABLE notifications ADD COLUMN mail_attempts int NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_mail_at timestamptz;
ALTER TABLE notifications ADD COLUMN mailed_at timestamptz;
ALTER TABLE notifications ADD COLUMN mail_error text;
-- Customers have no address on file yet for what came before.
UPDATE notifications SET mail_status = 'NoAddress';
CREATE INDEX notifications_to_mail ON notifications (next_mail_at) WHERE mail_status = 'Pending';

-- PaymentIntent webhooks now read the intent's current state from Stripe instead of ordering events by time.
ALTER TABLE invoices DROP COLUMN stripe_event_seq;
